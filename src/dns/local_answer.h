// Answering a query from LocalData with dnsmasq 2.90's rules (each checked with the binary;
// see src/dns/README.md "Local data"). Pure: the reply goes into the caller's buffer, the
// --log-queries lines to the optional sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "dns/forward_engine.h"
#include "dns/local_data.h"
#include "dns/query_log.h"
#include "local/lease_names.h"

namespace masqd::dns {

struct LocalAnswerParams {
  uint16_t edns_packet_max = 1232;
  bool tcp = false;
  const LogSink* log = nullptr;  // "/etc/hosts x is 1.2.3.4", "config x is <CNAME>" ...
  // DHCP lease names (null: none), the time their expiry is checked against, and their
  // TTL (--dhcp-ttl, else --local-ttl; never more than the lease has left).
  const local::LeaseNameTable* leases = nullptr;
  std::chrono::sys_seconds now{};
  uint32_t dhcp_ttl = 0;
  // An interface's addresses with their prefix lengths, for --dynamic-host (null:
  // net::interface_prefixes, read at each query that needs them).
  std::vector<IpPrefix> (*interface_prefixes)(std::string_view) = nullptr;
  // --localise-queries: the local address the query was sent to (unset: option off), and
  // how its subnet is found (null: net::local_address_prefix).
  std::optional<IpAddr> local_addr;
  std::optional<IpPrefix> (*local_prefix)(const IpAddr&) = nullptr;
};

// Hosts data, --cname aliases and config records: the reply size, or 0 when none of them
// answers (the query goes on to --address rules, routing and the cache). Class IN only.
// A/AAAA/ANY are answered only when the name has records of the asked type (a hosts name
// with only an IPv4 address has its AAAA query forwarded, as dnsmasq does). DHCP lease names
// answer A and PTR after the hosts data, with dnsmasq's clash rules: a name the hosts data
// gives an IPv4 address is never a lease's, and a lease at an address that has a hosts
// name gets no DNS name at all.
size_t answer_local_data(const LocalData& d, const ClientQuery& q, const LocalAnswerParams& p,
                         std::span<uint8_t> out);

// --localise-queries for answers made elsewhere (--interface-name): the subnet of
// `local_addr` (the address the query was sent to) when it is IPv4, the query asks for
// IPv4 and `addrs` has several IPv4 addresses, one of them on it; else nothing (answer all).
std::optional<IpPrefix> localised_subnet(std::span<const IpAddr> addrs, uint16_t qtype,
                                         const std::optional<IpAddr>& local_addr);

// The --address entry that applies to a name and type: the longest matching domain whose
// entries answer the type (AddressAnswer::answers), with a score comparable to
// ServerTable's Route::score (a --server domain that matches more of the name wins).
struct AddressMatch {
  const local::AddressAnswer* answer = nullptr;  // inside the LocalData; null: none applies
  int score = -1;
  // An "//" (unqualified names) entry matched but does not answer the type: dnsmasq then
  // has no server for the name and answers REFUSED.
  bool refuse = false;
};
AddressMatch match_address(const LocalData& d, const proto::dns::Name& name, uint16_t qtype);

// The reply an --address entry gives: its literals of the asked type (AA), zeros for "#",
// or NXDOMAIN (NODATA when the name exists locally or the entry also has addresses).
size_t answer_address(const LocalData& d, const local::AddressAnswer& a, const ClientQuery& q,
                      const LocalAnswerParams& p, std::span<uint8_t> out);

}  // namespace masqd::dns
