#include "net/interfaces.h"

#include <gtest/gtest.h>

namespace masqd::net {
namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }
IpPrefix pre(const char* s) { return *IpPrefix::parse(s); }

TEST(SubnetSet, EmptyContainsNothing) {
  SubnetSet s;
  EXPECT_FALSE(s.contains(ip("192.0.2.1")));
  EXPECT_FALSE(s.contains(ip("2001:db8::1")));
  EXPECT_EQ(s.size(), 0u);
}

TEST(SubnetSet, InterfaceAddressesBecomeTheirSubnets) {
  SubnetSet s;
  // As getifaddrs reports them: the interface's own address with the netmask's length.
  s.assign({pre("192.0.2.1/24"), pre("198.51.100.77/30"), pre("2001:db8:1::5/64"), pre("127.0.0.1/8")});
  EXPECT_TRUE(s.contains(ip("192.0.2.0")));
  EXPECT_TRUE(s.contains(ip("192.0.2.200")));
  EXPECT_TRUE(s.contains(ip("192.0.2.255")));
  EXPECT_FALSE(s.contains(ip("192.0.3.1")));
  EXPECT_TRUE(s.contains(ip("198.51.100.76")));
  EXPECT_TRUE(s.contains(ip("198.51.100.79")));
  EXPECT_FALSE(s.contains(ip("198.51.100.75")));
  EXPECT_FALSE(s.contains(ip("198.51.100.80")));
  EXPECT_TRUE(s.contains(ip("127.9.9.9")));
  EXPECT_TRUE(s.contains(ip("2001:db8:1::ffff")));
  EXPECT_TRUE(s.contains(ip("2001:db8:1:0:abcd::1")));
  EXPECT_FALSE(s.contains(ip("2001:db8:2::1")));
  EXPECT_FALSE(s.contains(ip("203.0.113.1")));
}

TEST(SubnetSet, FamiliesDoNotMix) {
  SubnetSet s;
  s.assign({pre("0.0.0.0/0")});
  EXPECT_TRUE(s.contains(ip("203.0.113.9")));
  EXPECT_FALSE(s.contains(ip("::ffff:203.0.113.9")));
  EXPECT_FALSE(s.contains(ip("2001:db8::1")));
  s.assign({pre("::/0")});
  EXPECT_FALSE(s.contains(ip("203.0.113.9")));
  EXPECT_TRUE(s.contains(ip("2001:db8::1")));
}

TEST(SubnetSet, HostRoutesAndOddLengths) {
  SubnetSet s;
  s.assign({pre("203.0.113.5/32"), pre("2001:db8::1/128"), pre("2001:db8:ff00::/41")});
  EXPECT_TRUE(s.contains(ip("203.0.113.5")));
  EXPECT_FALSE(s.contains(ip("203.0.113.4")));
  EXPECT_TRUE(s.contains(ip("2001:db8::1")));
  EXPECT_FALSE(s.contains(ip("2001:db8::2")));
  EXPECT_TRUE(s.contains(ip("2001:db8:ff7f::1")));
  EXPECT_FALSE(s.contains(ip("2001:db8:ff80::1")));
}

TEST(SubnetSet, AssignReplacesAndDeduplicates) {
  SubnetSet s;
  s.assign({pre("192.0.2.1/24"), pre("192.0.2.9/24"), pre("192.0.2.0/24")});
  EXPECT_EQ(s.size(), 1u);
  s.assign({pre("198.51.100.1/24")});
  EXPECT_FALSE(s.contains(ip("192.0.2.1")));
  EXPECT_TRUE(s.contains(ip("198.51.100.3")));
  s.assign({});
  EXPECT_FALSE(s.contains(ip("198.51.100.3")));
}

}  // namespace
}  // namespace masqd::net
