// The addresses the system's network interfaces have now (getifaddrs), for options that
// follow an interface's subnets (--domain=dom,iface).
#pragma once

#include <string_view>
#include <vector>

#include "base/ip.h"

namespace masqd::net {

// Every IPv4 and IPv6 address of the interface named `name`, with its prefix length from
// the netmask; empty when there is no such interface (or it has no addresses).
std::vector<IpPrefix> interface_prefixes(std::string_view name);

}  // namespace masqd::net
