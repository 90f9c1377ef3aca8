// The subnet of one of this host's addresses (for --localise-queries).
#pragma once

#include <optional>

#include "base/ip.h"

namespace masqd::net {

// The address with the prefix length it has on its interface now; nothing when no
// interface has it.
std::optional<IpPrefix> local_address_prefix(const IpAddr& addr);

// The local address a connected or bound socket uses (getsockname), if it is IPv4 or IPv6.
std::optional<IpAddr> socket_local_address(int fd);

}  // namespace masqd::net
