// HostTable: names from hosts files and --host-record as dnsmasq loads them, i.e. name ->
// addresses (A and AAAA, in the order read) and address -> the one name a PTR answers with,
// with --expand-hosts. Pure and immutable once built; reading the files is the caller's job.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/ip.h"
#include "config/dns_config.h"
#include "base/domain_set.h"
#include "local/hosts_file.h"
#include "proto/dns_wire.h"

namespace masqd::local {

// The --domain rules as --expand-hosts uses them: the domain for an address is the last
// address-conditional rule (addr/len or a range, IPv4 or IPv6) that contains it, else the
// last unconditional one. Interface-conditional rules need the interfaces' addresses and
// are not handled here (they are skipped). "#" must already be resolved (finalize_dns).
class ExpandDomains {
 public:
  ExpandDomains() = default;
  // `interface_prefixes(name)`: the subnets an interface has now, for the
  // "--domain=dom,iface" form (rules of that form are skipped without it).
  static ExpandDomains from_rules(
      const std::vector<config::DomainRule>& rules,
      const std::function<std::vector<IpPrefix>(std::string_view)>& interface_prefixes = nullptr);
  std::optional<std::string_view> domain_for(const IpAddr& addr) const;

 private:
  struct Conditional {
    IpAddr start, end;  // inclusive, same family
    std::string domain;
  };
  std::vector<Conditional> conditional_;  // last defined first
  std::optional<std::string> fallback_;
};

// One address of a name, with where it came from (the caller's index: a file, or the
// host-record set) for log lines like "/etc/hosts x is 1.2.3.4".
struct HostAddress {
  IpAddr addr;
  uint32_t source = 0;
};

struct HostPtr {
  std::string_view name;  // lower case, no trailing dot, no escapes
  uint32_t source = 0;
};

class HostTable {
 public:
  class Builder {
   public:
    Builder() = default;
    // Turns on --expand-hosts with these domains.
    void set_expand(ExpandDomains domains) { expand_ = std::move(domains); }

    // One --host-record name/address (never expanded). Call these before add_hosts_file:
    // dnsmasq loads host-records first, so they win PTRs. For several names, call in the
    // order given (only the first gets the PTR). false: not a valid name (check_hosts_name).
    bool add_name(std::string_view name, const IpAddr& addr, uint32_t source);

    // Every name of a parsed hosts file, in order. With --expand-hosts a name written
    // without any dot also gets "name.<domain>", added just before it (so the expanded name
    // takes the PTR). The first name seen for an address gets its PTR; a repeated
    // name+address is dropped. Returns dnsmasq's count for "read FILE - N names" (every
    // name, expanded ones and repeats included).
    size_t add_hosts_file(const HostsFile& file, uint32_t source);

    HostTable build();

   private:
    uint32_t intern(const std::string& name);
    void add(uint32_t name_id, const IpAddr& addr, uint32_t source);

    struct Pending {
      uint32_t name_id;
      uint32_t seq;
      HostAddress addr;
    };
    struct PtrPick {
      uint32_t name_id;
      uint32_t source;
    };
    struct IpHash {
      size_t operator()(const IpAddr& a) const;
    };
    std::optional<ExpandDomains> expand_;
    std::unordered_map<std::string, uint32_t> ids_;
    std::vector<const std::string*> by_id_;  // keys of ids_ (node addresses are stable)
    std::vector<Pending> pending_;
    std::unordered_map<IpAddr, PtrPick, IpHash> ptr_;
  };

  HostTable() = default;

  // Addresses of exactly this name (A and AAAA, in the order read, no repeats); empty when
  // the name is unknown. Case-insensitive.
  std::span<const HostAddress> addresses(const proto::dns::Name& name) const;
  std::span<const HostAddress> addresses(std::string_view text) const;
  // True when the name has addresses here or is a parent of such a name (an "empty
  // non-terminal": dnsmasq answers NODATA, not NXDOMAIN, for those).
  bool exists(const proto::dns::Name& name) const;
  bool exists(std::string_view text) const;
  // The name a PTR query for `addr` answers with.
  std::optional<HostPtr> ptr(const IpAddr& addr) const;

  size_t name_count() const { return name_count_; }  // names with addresses
  size_t address_count() const { return addrs_.size(); }
  size_t bytes_used() const;

 private:
  struct NameEntry {
    uint32_t text_offset = 0;
    uint8_t text_size = 0;
    uint32_t first = 0, count = 0;  // range in addrs_ (count 0: a non-terminal)
  };
  struct PtrEntry {
    IpAddr addr;
    uint32_t name = 0;
    uint32_t source = 0;
  };
  std::span<const HostAddress> range(std::optional<DomainSet::Value> id) const;

  DomainSet index_;  // name -> index in names_
  std::string text_;
  std::vector<NameEntry> names_;
  std::vector<HostAddress> addrs_;
  std::vector<PtrEntry> ptrs_;  // sorted by address
  size_t name_count_ = 0;
};

}  // namespace masqd::local
