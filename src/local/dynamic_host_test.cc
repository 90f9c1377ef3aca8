// --dynamic-host addresses: the interface's network, the configured host part. The expected
// addresses are the ones dnsmasq 2.90 answered for the same interface addresses.
#include "local/dynamic_host.h"

#include <gtest/gtest.h>

namespace masqd::local {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}
IpPrefix pre(const char* s) {
  return *IpPrefix::parse(s);
}

TEST(DynamicHost, NetworkFromTheInterfaceHostPartFromTheConfig) {
  EXPECT_EQ(dynamic_host_address(pre("192.0.2.1/24"), ip("0.0.0.5")), ip("192.0.2.5"));
  EXPECT_EQ(dynamic_host_address(pre("192.0.2.1/24"), ip("10.0.0.7")), ip("192.0.2.7"));
  EXPECT_EQ(dynamic_host_address(pre("198.51.100.130/25"), ip("0.0.1.5")), ip("198.51.100.133"));
  EXPECT_EQ(dynamic_host_address(pre("2001:db8::1/64"), ip("::5")), ip("2001:db8::5"));
  EXPECT_EQ(dynamic_host_address(pre("2001:db8::1/64"), ip("1:2:3:4:5:6:7:8")),
            ip("2001:db8::5:6:7:8"));
  EXPECT_FALSE(dynamic_host_address(pre("2001:db8::1/64"), ip("0.0.0.5")));
}

TEST(DynamicHost, EveryAddressOfTheRightFamilyLastFirstNoLinkLocal) {
  config::DynamicHost h;
  h.name = "dyn.test";
  h.v4 = ip("0.0.0.5");
  h.v6 = ip("::5");
  h.interface = "veth0";
  const std::vector<IpPrefix> prefixes{pre("192.0.2.1/24"), pre("198.51.100.1/24"),
                                       pre("2001:db8::1/64"), pre("fe80::1/64")};
  EXPECT_EQ(dynamic_host_addresses(h, prefixes),
            (std::vector<IpAddr>{ip("2001:db8::5"), ip("198.51.100.5"), ip("192.0.2.5")}));
  h.v6.reset();
  EXPECT_EQ(dynamic_host_addresses(h, prefixes),
            (std::vector<IpAddr>{ip("198.51.100.5"), ip("192.0.2.5")}));
}

}  // namespace
}  // namespace masqd::local
