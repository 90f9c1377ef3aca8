#include "dhcp/address_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace masqd::dhcp {
namespace {

using V = std::vector<uint8_t>;

IpAddr ip(const char* s) {
  return *IpAddr::parse_v4(s);
}

const auto kNothingTaken = [](const IpAddr&) { return false; };

TEST(AddressPool, MatchesDnsmasqOffers) {
  // Offers /usr/sbin/dnsmasq 2.90 made to udhcpc with --dhcp-range=192.0.2.100,192.0.2.150
  // and an empty lease file (see src/dhcp/README.md).
  const std::pair<uint8_t, const char*> seen[] = {
      {0x01, "192.0.2.145"}, {0x02, "192.0.2.146"}, {0x04, "192.0.2.148"}, {0x05, "192.0.2.149"},
      {0x06, "192.0.2.150"}, {0x09, "192.0.2.102"}, {0x0e, "192.0.2.107"}};
  const AddressRange range{ip("192.0.2.100"), ip("192.0.2.150")};
  for (const auto& [last, want] : seen) {
    const V mac = {2, 0, 0, 0, 0, last};
    EXPECT_EQ(choose_address(range, sdbm_hash(mac), 0, kNothingTaken), ip(want)) << int{last};
  }
}

TEST(AddressPool, HashBasics) {
  EXPECT_EQ(sdbm_hash({}), 1u);  // 0 is never used
  const V one = {1};
  EXPECT_EQ(sdbm_hash(one), 1u);
  const V two = {1, 2};
  EXPECT_EQ(sdbm_hash(two), 2u + (1u << 6) + (1u << 16) - 1u);
}

TEST(AddressPool, HashIdentityFallsBackToClientId) {
  const V mac = {2, 0, 0, 0, 0, 1}, cid = {1, 2, 0, 0, 0, 0, 1}, other = {0xff, 9};
  EXPECT_EQ(hash_identity(1, mac, cid).size(), 6u);
  auto id = hash_identity(1, {}, cid);  // type byte equals htype: dropped
  EXPECT_EQ(V(id.begin(), id.end()), mac);
  auto raw = hash_identity(1, {}, other);
  EXPECT_EQ(V(raw.begin(), raw.end()), other);
}

TEST(AddressPool, EpochShiftsAndProbeWrapsUpward) {
  const AddressRange range{ip("192.0.2.100"), ip("192.0.2.150")};
  const V mac = {2, 0, 0, 0, 0, 6};  // hash lands on .150, the last address
  const uint32_t h = sdbm_hash(mac);
  EXPECT_EQ(choose_address(range, h, 1, kNothingTaken), ip("192.0.2.100"));
  EXPECT_EQ(choose_address(range, h, 3, kNothingTaken), ip("192.0.2.102"));
  std::set<IpAddr> taken = {ip("192.0.2.150"), ip("192.0.2.100")};
  auto is_taken = [&](const IpAddr& a) { return taken.count(a) > 0; };
  EXPECT_EQ(choose_address(range, h, 0, is_taken), ip("192.0.2.101"));
}

TEST(AddressPool, SkipsClassCEdgesOnly) {
  EXPECT_TRUE(is_class_c_edge(ip("192.0.2.0")));
  EXPECT_TRUE(is_class_c_edge(ip("223.1.1.255")));
  EXPECT_FALSE(is_class_c_edge(ip("10.0.1.0")));  // class A: .0 is a normal host there
  EXPECT_FALSE(is_class_c_edge(ip("172.16.0.255")));
  EXPECT_FALSE(is_class_c_edge(ip("224.0.0.0")));

  // Range 192.0.2.250 - 192.0.3.5: the walk passes .255 and .0 without offering them.
  const AddressRange c{ip("192.0.2.250"), ip("192.0.3.5")};
  std::vector<IpAddr> asked;
  auto record = [&](const IpAddr& a) {
    asked.push_back(a);
    return true;
  };
  EXPECT_FALSE(choose_address(c, 0, 0, record));
  EXPECT_EQ(asked.size(), 10u);  // 12 addresses less .255 and .0
  const AddressRange a{ip("10.0.0.255"), ip("10.0.1.0")};
  EXPECT_EQ(choose_address(a, 0, 0, kNothingTaken), ip("10.0.0.255"));
}

TEST(AddressPool, FullOrInvalidRangeGivesNothing) {
  const AddressRange range{ip("192.0.2.10"), ip("192.0.2.12")};
  size_t calls = 0;
  auto all_taken = [&](const IpAddr&) {
    ++calls;
    return true;
  };
  EXPECT_FALSE(choose_address(range, 7, 0, all_taken));
  EXPECT_EQ(calls, 3u);
  EXPECT_FALSE(choose_address({ip("192.0.2.12"), ip("192.0.2.10")}, 7, 0, kNothingTaken));
  EXPECT_FALSE(
      choose_address({*IpAddr::parse("2001:db8::1"), ip("192.0.2.10")}, 7, 0, kNothingTaken));
  // The whole IPv4 space is a valid range: no 32-bit overflow in its size.
  EXPECT_TRUE(choose_address({ip("0.0.0.0"), ip("255.255.255.255")}, 5, 0, kNothingTaken));
}

}  // namespace
}  // namespace masqd::dhcp
