// dhcp-host entries (configured, from /etc/ethers or --dhcp-hostsfile) that have a name and
// no address take the address the DNS hosts data (/etc/hosts, --addn-hosts, ...) gives that
// name, by dnsmasq 2.90's rules. Pure: the lookup is passed in (the service asks DNS).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "config/dhcp_config.h"

namespace masqd::dhcp {

// Every address the hosts data has for `name`, in its order (IPv4 and IPv6).
using HostsLookup = std::function<std::vector<IpAddr>(std::string_view name)>;

// Walks the entries newest first as dnsmasq keeps them (the file entries from last to
// first, then the configured ones from last to first). A named entry without an address:
// * the hosts data gives IPv4 addresses: it takes the first ("NAME has more than one address
//   in hostsfile, using A for DHCP" when there are several), unless another entry already
//   has that address ("duplicate IP address A (NAME) in dhcp-config directive"; it stays
//   without one);
// * only IPv6 addresses: the entry takes them (addrs6), so it applies to no IPv4 network
//   (seen with dnsmasq 2.90: such a client is not "known" but "known-othernet", and gets no
//   name). dhcp-host IPv6 addresses are refused in the configuration, so these are the only ones;
// * none: unchanged.
// Returns the log lines, in dnsmasq's order.
std::vector<std::string> take_hosts_addresses(std::vector<config::DhcpHost>& config_hosts,
                                              std::vector<config::DhcpHost>& file_hosts,
                                              const HostsLookup& lookup);

}  // namespace masqd::dhcp
