// LeaseNameTable: which names a lease puts in DNS, with and without --dhcp-fqdn.
#include "local/lease_names.h"

#include <gtest/gtest.h>

namespace masqd::local {
namespace {

std::vector<LeaseNameEntry> entries() {
  return {{"alpha", "lan", *IpAddr::parse_v4("192.0.2.103"), {}},
          {"beta", "", *IpAddr::parse_v4("192.0.2.104"), {}}};
}

size_t hits(const LeaseNameTable& t, const char* name) {
  return t.find(*proto::dns::Name::from_text(name)).size();
}

TEST(LeaseNames, BareNameAndFqdn) {
  auto t = LeaseNameTable::build(entries());
  EXPECT_EQ(hits(t, "alpha"), 1u);
  EXPECT_EQ(hits(t, "alpha.lan"), 1u);
  EXPECT_EQ(hits(t, "beta"), 1u);
  auto ptr = t.names_of(*IpAddr::parse_v4("192.0.2.103"));
  ASSERT_EQ(ptr.size(), 2u);
  EXPECT_EQ(ptr[0], "alpha.lan");
}

TEST(LeaseNames, FqdnOnlyLeavesOutBareNamesAndLeasesWithoutADomain) {
  auto t = LeaseNameTable::build(entries(), true);
  EXPECT_EQ(hits(t, "alpha"), 0u);
  EXPECT_EQ(hits(t, "alpha.lan"), 1u);
  EXPECT_EQ(hits(t, "beta"), 0u);
  auto ptr = t.names_of(*IpAddr::parse_v4("192.0.2.103"));
  ASSERT_EQ(ptr.size(), 1u);
  EXPECT_EQ(ptr[0], "alpha.lan");
  EXPECT_TRUE(t.names_of(*IpAddr::parse_v4("192.0.2.104")).empty());
}

}  // namespace
}  // namespace masqd::local
