#include "net/socket_addr.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace masqd::net {
namespace {

TEST(SocketAddr, V4RoundTripThroughSockaddr) {
  SocketAddr a(*IpAddr::parse("192.0.2.7"), 5353);
  struct sockaddr_storage ss;
  socklen_t len = a.to_sockaddr(ss);
  ASSERT_EQ(len, sizeof(sockaddr_in));
  auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
  EXPECT_EQ(sin->sin_family, AF_INET);
  EXPECT_EQ(ntohs(sin->sin_port), 5353);
  EXPECT_EQ(ntohl(sin->sin_addr.s_addr), 0xC0000207u);
  auto back = SocketAddr::from_storage(ss, len);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, a);
  EXPECT_EQ(a.to_string(), "192.0.2.7#5353");
  EXPECT_EQ(a.family(), AF_INET);
}

TEST(SocketAddr, V6RoundTripKeepsScope) {
  SocketAddr a(*IpAddr::parse("fe80::1"), 53, 3);
  struct sockaddr_storage ss;
  socklen_t len = a.to_sockaddr(ss);
  ASSERT_EQ(len, sizeof(sockaddr_in6));
  auto back = SocketAddr::from_storage(ss, len);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->scope_id(), 3u);
  EXPECT_EQ(*back, a);
  EXPECT_EQ(SocketAddr(*IpAddr::parse("::1"), 53).to_string(), "::1#53");
  EXPECT_EQ(a.family(), AF_INET6);
}

TEST(SocketAddr, RejectsUnknownFamilyAndShortLength) {
  struct sockaddr_storage ss {};
  ss.ss_family = AF_UNIX;
  EXPECT_FALSE(SocketAddr::from_storage(ss, sizeof ss).has_value());
  SocketAddr a(*IpAddr::parse("10.0.0.1"), 1);
  socklen_t len = a.to_sockaddr(ss);
  EXPECT_FALSE(SocketAddr::from_storage(ss, len - 1).has_value());
  EXPECT_FALSE(SocketAddr::from_sockaddr(nullptr, 16).has_value());
}

TEST(SocketAddr, Wildcards) {
  EXPECT_EQ(SocketAddr::any_v4(53).to_string(), "0.0.0.0#53");
  EXPECT_EQ(SocketAddr::any_v6(0).to_string(), "::#0");
  EXPECT_TRUE(SocketAddr::any_v6(0).ip().is_unspecified());
}

}  // namespace
}  // namespace masqd::net
