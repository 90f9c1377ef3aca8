// LocalData: everything masqd answers from itself rather than from upstream servers, as
// one immutable snapshot built from the config and the hosts files: the host table
// (/etc/hosts, --addn-hosts, --host-record, --expand-hosts), --address rules, --cname
// aliases, the config records (--txt-record, --mx-host, --srv-host, --ptr-record,
// --naptr-record, --caa-record, --dns-rr), --dynamic-host and the --synth-domain ranges.
// Built at start and on SIGHUP; the service swaps the shared_ptr, so a query sees the old or
// the new data, never half of one. Answering from it: local_answer.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/dns_config.h"
#include "local/address_rules.h"
#include "base/domain_set.h"
#include "local/host_table.h"
#include "local/synth_names.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

// Where a host-table address came from, for the log ("/etc/hosts x is 1.2.3.4", "config x
// is 1.2.3.4") and its TTL (--local-ttl, or a --host-record's own).
struct LocalSource {
  std::string label;
  uint32_t ttl = 0;
};

// One record from the config: RDATA in uncompressed wire form.
struct ConfigRecord {
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;
};

struct LocalCname {
  std::vector<uint8_t> target;  // wire form, as written in the config
  uint32_t ttl = 0;
};

// The --address entries, built once from the config (they are not re-read on SIGHUP, so a
// reload of the hosts files shares them).
struct AddressData {
  local::AddressRules rules;
  // Patterns the DomainSet does not hold ("*dom", "//"), each with its own answer.
  std::vector<std::pair<config::DomainPattern, local::AddressAnswer>> leftovers;

  static std::shared_ptr<const AddressData> build(const config::AddressRuleList& rules);
};

class LocalData {
 public:
  struct Loaded {
    std::shared_ptr<const LocalData> data;
    std::vector<std::string> log_lines;  // "read /etc/hosts - 3 names", "bad address at ..."
    std::map<std::string, size_t> file_names;  // hosts file -> names read from it
  };
  // Reads the hosts files (`hosts_path` unless --no-hosts, then every --addn-hosts file, and
  // the files of an --addn-hosts directory in name order, then the --hostsdir files) and
  // builds the snapshot. A file
  // that cannot be read is logged and skipped, as dnsmasq does. `dns.addresses` is not
  // used: the --address entries come built in `addresses`.
  static Loaded load(const config::DnsConfig& dns, std::shared_ptr<const AddressData> addresses,
                     const std::string& hosts_path = "/etc/hosts");
  // The part of the config load() reads (not the --address entries, which can be millions),
  // for keeping until the next SIGHUP.
  static config::DnsConfig settings_of(const config::DnsConfig& dns);

  const local::HostTable& hosts() const { return hosts_; }
  const LocalSource& source(uint32_t i) const { return sources_[i]; }
  const AddressData& addresses() const { return *addresses_; }
  // Config records of exactly this name (nullptr: none).
  const std::vector<ConfigRecord>* records(const proto::dns::Name& name) const;
  // The --cname alias with exactly this name (nullptr: none).
  const LocalCname* cname(const proto::dns::Name& name) const;
  // The name has local data of some kind (a --synth-domain name too), or is a parent of a
  // name that has (dnsmasq then answers NODATA rather than NXDOMAIN for a no-address
  // --address domain or a --local domain).
  bool exists(const proto::dns::Name& name) const;
  uint32_t local_ttl() const { return local_ttl_; }
  // --selfmx / --localmx: local hosts (hosts data, DHCP leases) without an --mx-host of their
  // own answer MX 1 <the host itself> (self_mx) or MX 1 <the --mx-target, else this host's
  // name> (host_mx_target: its wire form; nullptr when neither option is on or --selfmx is).
  bool self_mx() const { return self_mx_; }
  const std::vector<uint8_t>* host_mx_target() const { return host_mx_target_.empty() ? nullptr : &host_mx_target_; }
  // --synth-domain names (answered after every other local name and address).
  const local::SynthNames& synth() const { return synth_; }
  // The name is one a --synth-domain makes (of either family).
  bool is_synth_name(const proto::dns::Name& name) const;
  // --dynamic-host entries (names lower case); their addresses come from the interfaces at
  // query time.
  const std::vector<config::DynamicHost>& dynamic_hosts() const { return dynamic_hosts_; }
  bool empty() const;

 private:
  local::HostTable hosts_;
  std::vector<LocalSource> sources_;
  std::shared_ptr<const AddressData> addresses_;
  DomainSet record_index_;                   // name -> index into records_
  std::vector<std::vector<ConfigRecord>> records_;
  DomainSet parents_;                        // every parent of a record/alias name
  DomainSet cname_index_;                    // alias -> index into cnames_
  std::vector<LocalCname> cnames_;
  uint32_t local_ttl_ = 0;
  bool self_mx_ = false;
  std::vector<uint8_t> host_mx_target_;
  local::SynthNames synth_;
  std::vector<config::DynamicHost> dynamic_hosts_;
};

}  // namespace masqd::dns
