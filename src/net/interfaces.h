// The addresses the system's network interfaces have now (getifaddrs), for options that
// follow an interface's subnets (--domain=dom,iface, --local-service); a netlink socket that
// wakes its owner when addresses come or go; and a subnet set checked per packet.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "base/result.h"
#include "net/fd.h"

namespace masqd::net {

// Every IPv4 and IPv6 address of the interface named `name`, with its prefix length from
// the netmask; empty when there is no such interface (or it has no addresses).
std::vector<IpPrefix> interface_prefixes(std::string_view name);

// The number of one bits of a netmask sockaddr (AF_INET or AF_INET6); 0 for null or any
// other family.
uint8_t netmask_length(const sockaddr* mask);

// The subnets of the local interfaces, for --local-service: `contains` is called per packet,
// so it neither allocates nor calls the system (a linear scan of a few prefixes per family;
// hosts have a handful of interface addresses).
class SubnetSet {
 public:
  // Replaces the set. Host bits are cleared, duplicates dropped; lengths over the family's
  // width are clamped.
  void assign(const std::vector<IpPrefix>& prefixes);
  bool contains(const IpAddr& a) const;
  size_t size() const { return v4_.size() + v6_.size(); }

 private:
  std::vector<IpPrefix> v4_, v6_;
};

// A non-blocking NETLINK_ROUTE socket in the IPv4 and IPv6 address groups: readable after
// an address is added or removed anywhere. Its messages are only drained, never parsed;
// the owner re-reads the interfaces (getifaddrs) when it wakes.
Result<UniqueFd> open_address_watch();
// Reads and discards everything queued (bounded: at most 64 reads). Returns false when the
// socket overflowed (ENOBUFS), which also means "something changed".
bool drain_address_watch(int fd);

}  // namespace masqd::net
