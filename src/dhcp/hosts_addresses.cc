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
  std::set<const config::DhcpHost*> v6_only;  // entries to remove (checked before any moves)
  std::set<IpAddr> taken;  // addresses some entry has (a set, so many entries stay cheap)
  for (const auto* h : all)
    if (h->addr4) taken.insert(*h->addr4);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    config::DhcpHost& h = **it;
    if (h.addr4 || h.hostname.empty()) continue;
    const std::string name = h.domain.empty() ? h.hostname : h.hostname + "." + h.domain;
    std::vector<IpAddr> v4;
    bool v6 = false;
    for (const auto& a : lookup(name)) {
      if (a.is_v4()) v4.push_back(a);
      else v6 = true;
    }
    if (v4.empty()) {
      if (v6) v6_only.insert(&h);
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
  auto gone = [&](const config::DhcpHost& h) { return v6_only.count(&h) > 0; };
  std::erase_if(config_hosts, gone);
  std::erase_if(file_hosts, gone);
  return log;
}

}  // namespace masqd::dhcp
