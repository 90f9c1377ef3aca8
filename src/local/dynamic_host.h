// --dynamic-host: a name whose address is the network part of each address on an interface
// plus a fixed host part, as dnsmasq 2.90 builds it (see src/local/README.md).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "base/ip.h"
#include "config/dns_config.h"

namespace masqd::local {

// The network bits of `iface` (its address and prefix length) with the host bits of `host`;
// nothing when the families differ.
std::optional<IpAddr> dynamic_host_address(const IpPrefix& iface, const IpAddr& host);

// Every address a --dynamic-host has on the interface's current addresses (`prefixes`, as
// net::interface_prefixes gives them), in the order dnsmasq 2.90 answers them (the
// interface's addresses last one first). IPv6 link-local addresses give none.
std::vector<IpAddr> dynamic_host_addresses(const config::DynamicHost& host,
                                           std::span<const IpPrefix> prefixes);

}  // namespace masqd::local
