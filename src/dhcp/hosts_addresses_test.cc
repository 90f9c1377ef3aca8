// take_hosts_addresses: dnsmasq 2.90's use of the hosts data for named dhcp-host entries
// (each rule seen live: tests/compat/test_dhcp_opts_compat.py, case hosts-data).
#include "dhcp/hosts_addresses.h"

#include <gtest/gtest.h>

#include <map>

namespace masqd::dhcp {
namespace {

config::DhcpHost named(const char* name, const char* addr = nullptr) {
  config::DhcpHost h;
  h.hostname = name;
  if (addr) h.addr4 = *IpAddr::parse_v4(addr);
  return h;
}

TEST(HostsAddresses, DnsmasqRules) {
  std::map<std::string, std::vector<IpAddr>, std::less<>> hosts{
      {"multi", {*IpAddr::parse_v4("192.0.2.141"), *IpAddr::parse_v4("192.0.2.142")}},
      {"taken", {*IpAddr::parse_v4("192.0.2.144")}},
      {"v6only", {*IpAddr::parse_v6("2001:db8::1")}},
      {"late.example", {*IpAddr::parse_v4("192.0.2.145")}}};
  auto lookup = [&](std::string_view n) {
    auto it = hosts.find(n);
    return it == hosts.end() ? std::vector<IpAddr>{} : it->second;
  };
  std::vector<config::DhcpHost> cfg{named("multi"), named("taken"), named("fixed", "192.0.2.144"),
                                    named("v6only"), named("unknown"), named("kept", "192.0.2.150")};
  std::vector<config::DhcpHost> files{named("late")};
  files[0].domain = "example";
  auto log = take_hosts_addresses(cfg, files, lookup);
  EXPECT_EQ(log, (std::vector<std::string>{
                     "duplicate IP address 192.0.2.144 (taken) in dhcp-config directive",
                     "multi has more than one address in hostsfile, using 192.0.2.141 for DHCP"}));
  ASSERT_EQ(cfg.size(), 6u);
  EXPECT_EQ(cfg[0].addr4->to_string(), "192.0.2.141");
  EXPECT_FALSE(cfg[1].addr4);
  // v6only keeps its entry with the IPv6 address: on no IPv4 network ("known-othernet").
  EXPECT_FALSE(cfg[3].addr4);
  ASSERT_EQ(cfg[3].addrs6.size(), 1u);
  EXPECT_EQ(cfg[3].addrs6[0].addr.to_string(), "2001:db8::1");
  EXPECT_EQ(cfg[4].hostname, "unknown");
  EXPECT_FALSE(cfg[4].addr4);
  EXPECT_TRUE(cfg[4].addrs6.empty());
  EXPECT_EQ(cfg[5].addr4->to_string(), "192.0.2.150");
  EXPECT_EQ(files[0].addr4->to_string(), "192.0.2.145");  // looked up as name.domain
}

}  // namespace
}  // namespace masqd::dhcp
