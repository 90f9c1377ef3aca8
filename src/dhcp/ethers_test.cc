// /etc/ethers parsing and dnsmasq 2.90's merge rules (each case seen with dnsmasq -Z in a
// mount namespace; tests/compat/test_dhcp_opts_compat.py repeats them live).
#include "dhcp/ethers.h"

#include <gtest/gtest.h>

namespace masqd::dhcp {
namespace {

using Kind = EthersProblem::Kind;

TEST(Ethers, LinesAndProblems) {
  auto f = parse_ethers(
      "# comment\n"
      "02:00:00:00:00:0a 192.0.2.140\n"
      "02:00:00:00:00:0b\thostb\r\n"
      "+02:00:00:00:00:0d 192.0.2.143\n"
      "zz:zz:00:00:00:0e 192.0.2.144\n"
      "02:00:00:00:00:0f 999.1.1.1\n"
      "02:00:00:00:00:10 bad_name!\n"
      "2:0:0:0:0:11 192.0.2.145  \n"
      "02:00:00:00:00:13\n"
      " 02:00:00:00:00:14 lead\n"
      "02:00:00:00:00:15 hostc.example.com\n"
      "02:00:00:00:00:16 two words\n"
      "02:00:00:00:00 192.0.2.1\n"
      "\n"
      "02:00:00:00:00:17 -dash");
  ASSERT_EQ(f.lines.size(), 4u);
  EXPECT_EQ(f.lines[0].mac.to_string(), "02:00:00:00:00:0a");
  EXPECT_EQ(f.lines[0].addr->to_string(), "192.0.2.140");
  EXPECT_EQ(f.lines[1].name, "hostb");
  EXPECT_FALSE(f.lines[1].addr);
  EXPECT_EQ(f.lines[2].mac.to_string(), "02:00:00:00:00:11");
  EXPECT_EQ(f.lines[2].line, 8u);
  EXPECT_EQ(f.lines[3].name, "hostc.example.com");
  std::vector<std::pair<unsigned, Kind>> got;
  for (const auto& p : f.problems) got.emplace_back(p.line, p.kind);
  EXPECT_EQ(got, (std::vector<std::pair<unsigned, Kind>>{{5, Kind::BadLine}, {6, Kind::BadAddress},
                                                         {7, Kind::BadName}, {9, Kind::BadLine},
                                                         {10, Kind::BadLine}, {12, Kind::BadName},
                                                         {13, Kind::BadLine}, {15, Kind::BadName}}));
  EXPECT_EQ(ethers_problem_message(f.problems[1], "/etc/ethers"), "bad address at /etc/ethers line 6");
}

config::DhcpHost host(std::vector<uint8_t> mac, const char* addr, const char* name) {
  config::DhcpHost h;
  if (!mac.empty()) h.macs.push_back({mac, std::vector<bool>(mac.size(), false), 0});
  if (addr) h.addr4 = *IpAddr::parse_v4(addr);
  if (name) h.hostname = name;
  return h;
}

TEST(Ethers, MergedIntoTheDhcpHostsAsDnsmasqDoes) {
  std::vector<config::DhcpHost> cfg{host({2, 0, 0, 0, 0, 0x0a}, "192.0.2.139", "cfg"),
                                    host({2, 0, 0, 0, 0, 0x0b}, nullptr, "named"),
                                    host({2, 0, 0, 0, 0, 0x99}, "192.0.2.160", nullptr)};
  std::vector<config::DhcpHost> made;
  auto log = apply_ethers(parse_ethers("02:00:00:00:00:0a 192.0.2.140\n"   // config entry's MAC: new address
                                       "02:00:00:00:00:0b hostb\n"         // config entry's MAC: new name
                                       "02:00:00:00:00:0c 192.0.2.160\n"   // config address: takes this MAC
                                       "02:00:00:00:00:0d nohost.example\n"
                                       "02:00:00:00:00:0d 192.0.2.150\n"   // same MAC: merged
                                       "02:00:00:00:00:0e 192.0.2.150\n"   // duplicate address
                                       "02:00:00:00:00:0f NOHOST.example\n"  // duplicate name
                                       "bad line\n"),
                          "/etc/ethers", cfg, made);
  EXPECT_EQ(log, (std::vector<std::string>{"ignoring /etc/ethers line 6, duplicate name or IP address",
                                           "ignoring /etc/ethers line 7, duplicate name or IP address",
                                           "bad line at /etc/ethers line 8",
                                           "read /etc/ethers - 5 addresses"}));
  EXPECT_EQ(cfg[0].addr4->to_string(), "192.0.2.140");
  EXPECT_EQ(cfg[0].hostname, "cfg");
  EXPECT_TRUE(cfg[0].ignore_client_id);
  EXPECT_EQ(cfg[1].hostname, "hostb");
  EXPECT_EQ(cfg[2].macs.size(), 1u);
  EXPECT_EQ(cfg[2].macs[0].bytes, (std::vector<uint8_t>{2, 0, 0, 0, 0, 0x0c}));
  EXPECT_EQ(cfg[2].macs[0].hw_type, 1);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].hostname, "nohost");
  EXPECT_EQ(made[0].domain, "example");
  EXPECT_EQ(made[0].addr4->to_string(), "192.0.2.150");
  EXPECT_TRUE(made[0].ignore_client_id);
}

TEST(Ethers, MissingNewlineAndEmptyInput) {
  EXPECT_TRUE(parse_ethers("").lines.empty());
  std::vector<config::DhcpHost> cfg, made;
  EXPECT_EQ(apply_ethers(parse_ethers(""), "/etc/ethers", cfg, made),
            (std::vector<std::string>{"read /etc/ethers - 0 addresses"}));
  EXPECT_EQ(parse_ethers("02:00:00:00:00:01 192.0.2.9").lines.size(), 1u);
}

}  // namespace
}  // namespace masqd::dhcp
