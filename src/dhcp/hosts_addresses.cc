// dnsmasq's use of the hosts data for named dhcp-host entries without an address.
#include "dhcp/hosts_addresses.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace masqd::dhcp {

std::vector<std::string> take_hosts_addresses(std::vector<config::DhcpHost>& config_hosts,
                                              std::vector<config::DhcpHost>& file_hosts,
                                              const HostsLookup& lookup) {
  std::vector<std::string> log;
  std::vector<config::DhcpHost*> all;
  for (auto* list : {&config_hosts, &file_hosts})
    for (auto& h : *list) all.push_back(&h);
  std::set<IpAddr> taken;  // addresses some entry has (a set, so many entries stay cheap)
  for (const auto* h : all)
    if (h->addr4) taken.insert(*h->addr4);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    config::DhcpHost& h = **it;
    if (h.addr4 || h.hostname.empty()) continue;
    const std::string name = h.domain.empty() ? h.hostname : h.hostname + "." + h.domain;
    std::vector<IpAddr> v4, v6;
    for (const auto& a : lookup(name)) (a.is_v4() ? v4 : v6).push_back(a);
    if (v4.empty()) {
      // Only IPv6: the entry now has addresses, none on an IPv4 network.
      for (const auto& a : v6) h.addrs6.push_back(config::DhcpHostAddr6{a, std::nullopt, false});
      continue;
    }
    const IpAddr& addr = v4.front();
    if (taken.count(addr)) {
      log.push_back(fmt::format("duplicate IP address {} ({}) in dhcp-config directive", addr.to_string(), name));
      continue;
    }
    if (v4.size() > 1)
      log.push_back(fmt::format("{} has more than one address in hostsfile, using {} for DHCP", name, addr.to_string()));
    h.addr4 = addr;
    taken.insert(addr);
  }
  return log;
}

}  // namespace masqd::dhcp
