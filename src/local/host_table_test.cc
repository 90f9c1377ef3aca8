#include "local/host_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace masqd::local {
namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

std::vector<std::string> addrs(const HostTable& t, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& a : t.addresses(name)) out.push_back(a.addr.to_string());
  return out;
}

std::string ptr(const HostTable& t, const char* addr) {
  auto p = t.ptr(ip(addr));
  return p ? std::string(p->name) : "-";
}

config::DomainRule everywhere(const char* d) {
  config::DomainRule r;
  r.domain = d;
  return r;
}

config::DomainRule prefix(const char* d, const char* p) {
  config::DomainRule r;
  r.domain = d;
  r.scope = config::DomainRule::Scope::Prefix;
  r.prefix = *IpPrefix::parse(p);
  return r;
}

TEST(HostsTable, NamesToAddressesInFileOrderAndFirstNameGetsThePtr) {
  HostTable::Builder b;
  auto f = HostsFile::parse(
      "1.2.3.4 good1 alias\n"
      "fd00::1 v6host good1\n"
      "1.2.3.4 good1\n"         // repeat: dropped
      "1.2.3.14 GOOD1\n"        // same name, case folded
      "0.0.0.0 zero\n");
  EXPECT_EQ(b.add_hosts_file(f, 7), 7u);  // dnsmasq's count includes the repeat
  HostTable t = b.build();
  EXPECT_EQ(addrs(t, "good1"), (std::vector<std::string>{"1.2.3.4", "fd00::1", "1.2.3.14"}));
  EXPECT_EQ(addrs(t, "Good1."), addrs(t, "good1"));
  EXPECT_EQ(addrs(t, "alias"), (std::vector<std::string>{"1.2.3.4"}));
  EXPECT_TRUE(addrs(t, "nothere").empty());
  EXPECT_EQ(ptr(t, "1.2.3.4"), "good1");
  EXPECT_EQ(ptr(t, "fd00::1"), "v6host");
  EXPECT_EQ(ptr(t, "1.2.3.14"), "good1");
  EXPECT_EQ(ptr(t, "0.0.0.0"), "zero");
  EXPECT_EQ(ptr(t, "9.9.9.9"), "-");
  EXPECT_EQ(t.ptr(ip("1.2.3.4"))->source, 7u);
  EXPECT_EQ(t.addresses("good1")[0].source, 7u);
  EXPECT_EQ(t.name_count(), 4u);
  EXPECT_EQ(t.address_count(), 6u);
}

TEST(HostsTable, WireNameLookup) {
  HostTable::Builder b;
  b.add_hosts_file(HostsFile::parse("10.0.0.1 host.lan\n"), 0);
  HostTable t = b.build();
  auto n = proto::dns::Name::from_text("HOST.Lan");
  ASSERT_TRUE(n);
  ASSERT_EQ(t.addresses(*n).size(), 1u);
  EXPECT_TRUE(t.exists(*n));
  EXPECT_TRUE(t.exists(*proto::dns::Name::from_text("lan")));
  EXPECT_FALSE(t.exists(*proto::dns::Name::from_text("other.lan")));
  EXPECT_FALSE(t.exists(proto::dns::Name()));
}

TEST(HostsTable, ParentsAreEmptyNonTerminals) {
  HostTable::Builder b;
  b.add_hosts_file(HostsFile::parse("10.0.0.1 host.sub.nx.test\n"), 0);
  HostTable t = b.build();
  EXPECT_TRUE(t.exists("sub.nx.test"));
  EXPECT_TRUE(t.exists("nx.test"));
  EXPECT_TRUE(t.exists("test"));
  EXPECT_TRUE(t.addresses("nx.test").empty());
  EXPECT_FALSE(t.exists("other.test"));
  EXPECT_FALSE(t.exists(""));
  EXPECT_EQ(t.name_count(), 1u);
}

TEST(HostsTable, HostRecordsFirstWinThePtr) {
  HostTable::Builder b;
  EXPECT_TRUE(b.add_name("HRec", ip("10.0.0.9"), 0));
  EXPECT_TRUE(b.add_name("second", ip("10.0.0.9"), 0));
  EXPECT_FALSE(b.add_name("bad..name", ip("10.0.0.9"), 0));
  b.add_hosts_file(HostsFile::parse("10.0.0.9 alpha\n"), 1);
  HostTable t = b.build();
  EXPECT_EQ(ptr(t, "10.0.0.9"), "hrec");
  EXPECT_EQ(t.ptr(ip("10.0.0.9"))->source, 0u);
  EXPECT_EQ(addrs(t, "alpha"), (std::vector<std::string>{"10.0.0.9"}));
}

TEST(HostsTable, LaterFilesDoNotTakeAPtr) {
  HostTable::Builder b;
  b.add_hosts_file(HostsFile::parse("10.0.0.7 first\n"), 1);
  b.add_hosts_file(HostsFile::parse("10.0.0.7 second\n10.0.0.8 second\n"), 2);
  HostTable t = b.build();
  EXPECT_EQ(ptr(t, "10.0.0.7"), "first");
  EXPECT_EQ(ptr(t, "10.0.0.8"), "second");
  EXPECT_EQ(t.ptr(ip("10.0.0.8"))->source, 2u);
}

// Checked against dnsmasq 2.90: -E --domain=lan --domain=cond,192.168.1.0/24
// --domain=six6,fd00::/64 with the hosts file below.
TEST(HostsExpand, ExpandedNameAddedFirstAndWinsThePtr) {
  HostTable::Builder b;
  b.set_expand(ExpandDomains::from_rules(
      {everywhere("lan"), prefix("cond", "192.168.1.0/24"), prefix("six6", "fd00::/64")}));
  auto f = HostsFile::parse(
      "10.0.0.1 alpha\n"
      "10.0.0.1 beta\n"
      "192.168.1.5 gamma gamma.other.\n"
      "10.0.0.2 Delta delta.lan\n"
      "10.0.0.3 eps.\n"
      "fd00::5 six\n"
      "10.0.0.9 alpha\n"
      "10.0.0.1 ALPHA\n");
  EXPECT_EQ(b.add_hosts_file(f, 0), 17u);  // dnsmasq: "read FILE - 17 names"
  HostTable t = b.build();
  EXPECT_EQ(addrs(t, "alpha"), (std::vector<std::string>{"10.0.0.1", "10.0.0.9"}));
  EXPECT_EQ(addrs(t, "alpha.lan"), (std::vector<std::string>{"10.0.0.1", "10.0.0.9"}));
  EXPECT_EQ(addrs(t, "beta.lan"), (std::vector<std::string>{"10.0.0.1"}));
  EXPECT_EQ(addrs(t, "gamma.cond"), (std::vector<std::string>{"192.168.1.5"}));
  EXPECT_TRUE(addrs(t, "gamma.lan").empty());
  EXPECT_TRUE(addrs(t, "gamma.other.cond").empty());
  EXPECT_EQ(addrs(t, "delta.lan"), (std::vector<std::string>{"10.0.0.2"}));
  EXPECT_TRUE(addrs(t, "eps.lan").empty());
  EXPECT_EQ(addrs(t, "six.six6"), (std::vector<std::string>{"fd00::5"}));
  EXPECT_TRUE(addrs(t, "six.lan").empty());
  EXPECT_EQ(ptr(t, "10.0.0.1"), "alpha.lan");
  EXPECT_EQ(ptr(t, "192.168.1.5"), "gamma.cond");
  EXPECT_EQ(ptr(t, "10.0.0.2"), "delta.lan");
  EXPECT_EQ(ptr(t, "10.0.0.3"), "eps");
  EXPECT_EQ(ptr(t, "fd00::5"), "six.six6");
  EXPECT_EQ(ptr(t, "10.0.0.9"), "alpha.lan");
}

TEST(HostsExpand, NoExpansionWithoutAMatchingDomain) {
  HostTable::Builder b;
  b.set_expand(ExpandDomains::from_rules({prefix("only", "10.0.0.0/8")}));
  EXPECT_EQ(b.add_hosts_file(HostsFile::parse("192.168.0.1 a\n10.1.1.1 b\n"), 0), 3u);
  HostTable t = b.build();
  EXPECT_EQ(ptr(t, "192.168.0.1"), "a");
  EXPECT_EQ(ptr(t, "10.1.1.1"), "b.only");
}

TEST(HostsExpand, DomainChoice) {
  // Checked against dnsmasq 2.90: the last conditional rule that contains the address wins
  // (even over a more specific earlier one), then the last unconditional one.
  config::DomainRule range;
  range.domain = "r";
  range.scope = config::DomainRule::Scope::Range;
  range.start = ip("10.0.0.10");
  range.end = ip("10.0.0.20");
  auto d = ExpandDomains::from_rules({everywhere("first"), prefix("c1", "192.168.0.0/16"),
                                      prefix("c2", "192.168.1.0/24"), prefix("c3", "192.168.0.0/16"),
                                      everywhere("last"), range});
  EXPECT_EQ(d.domain_for(ip("192.168.1.5")), "c3");
  EXPECT_EQ(d.domain_for(ip("10.0.0.15")), "r");
  EXPECT_EQ(d.domain_for(ip("10.0.0.21")), "last");
  EXPECT_EQ(d.domain_for(ip("fd00::1")), "last");
  EXPECT_FALSE(ExpandDomains::from_rules({prefix("c", "10.0.0.0/8")}).domain_for(ip("11.0.0.1")));
}

TEST(HostsExpand, InterfaceFormUsesTheInterfacesSubnets) {
  config::DomainRule lan;
  lan.domain = "lan";
  lan.scope = config::DomainRule::Scope::Interface;
  lan.interface = "br0";
  auto subnets = [](std::string_view name) {
    std::vector<IpPrefix> out;
    if (name == "br0") out = {*IpPrefix::parse("192.0.2.0/24"), *IpPrefix::parse("2001:db8::/64")};
    return out;
  };
  auto d = ExpandDomains::from_rules({everywhere("any"), lan, prefix("later", "192.0.2.128/25")}, subnets);
  EXPECT_EQ(d.domain_for(ip("192.0.2.5")), "lan");
  EXPECT_EQ(d.domain_for(ip("192.0.2.200")), "later");  // the last rule that holds it
  EXPECT_EQ(d.domain_for(ip("2001:db8::7")), "lan");
  EXPECT_EQ(d.domain_for(ip("198.51.100.1")), "any");
  // Without a way to read interfaces, the form is skipped.
  EXPECT_EQ(ExpandDomains::from_rules({lan}).domain_for(ip("192.0.2.5")), std::nullopt);
}

}  // namespace
}  // namespace masqd::local
