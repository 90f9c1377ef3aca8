// LeaseNameTable: the DNS names of DHCP leases (name -> address, address -> name), as one
// immutable snapshot. The DHCP service builds a new one whenever a lease name changes and
// publishes it; DNS workers answer from whichever snapshot they hold (share as
// std::shared_ptr<const LeaseNameTable>). Pure data: no clock, no I/O, no policy about
// hosts-file clashes (the DNS answer applies those, since it holds the hosts data).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/ip.h"
#include "local/host_table.h"
#include "proto/dns_wire.h"

namespace masqd::local {

// One lease's names, as dnsmasq puts them in DNS: the FQDN (name.domain, when a --domain
// applies to the address) first, so it answers the PTR, then the bare name.
struct LeaseNameEntry {
  std::string name;    // the bare host name (lower case, no dot)
  std::string domain;  // empty: no --domain for this address
  IpAddr addr;         // IPv4
  std::chrono::sys_seconds expires{};  // the epoch = never
  bool operator==(const LeaseNameEntry&) const = default;
};

class LeaseNameTable {
 public:
  struct Hit {
    IpAddr addr;
    const LeaseNameEntry* entry = nullptr;
  };

  // Entries in the order given (the first lease to claim a name or an address wins it).
  // Names that are not valid DNS host names are left out. `fqdn_only` (--dhcp-fqdn): only
  // name.domain goes in, never the bare name, and an entry without a domain gives none.
  static LeaseNameTable build(std::vector<LeaseNameEntry> entries, bool fqdn_only = false);

  // Addresses of exactly this name (case-insensitive), with their lease.
  std::vector<Hit> find(const proto::dns::Name& name) const;
  // True when some lease has exactly this name (no allocation).
  bool has(const proto::dns::Name& name) const { return !names_.addresses(name).empty(); }
  // The leases' names for a PTR of `addr`, the FQDN first; empty when none.
  std::span<const std::string> names_of(const IpAddr& addr) const;
  const LeaseNameEntry* entry_of(const IpAddr& addr) const;

  const std::vector<LeaseNameEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<LeaseNameEntry> entries_;
  HostTable names_;  // name -> addresses; source = index into entries_
  struct Reverse {
    IpAddr addr;
    uint32_t entry = 0;
    std::vector<std::string> names;  // FQDN first
  };
  std::vector<Reverse> reverse_;  // sorted by address
};

}  // namespace masqd::local
