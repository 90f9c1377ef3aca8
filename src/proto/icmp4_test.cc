#include "proto/icmp4.h"

#include <gtest/gtest.h>

#include <vector>

namespace masqd::proto::icmp4 {
namespace {

TEST(Icmp4, EchoRequestHasAValidChecksum) {
  auto m = build_echo_request(0x1234, 7);
  EXPECT_EQ(m[0], 8);
  EXPECT_EQ(m[4], 0x12);
  EXPECT_EQ(m[7], 7);
  EXPECT_EQ(checksum(m), 0);  // a correct checksum sums to zero
  EXPECT_EQ(checksum(std::vector<uint8_t>{0x45, 0x00, 0x00, 0x1c}), static_cast<uint16_t>(~0x451c & 0xffff));
}

std::vector<uint8_t> reply(uint8_t type, size_t ihl_words = 5) {
  std::vector<uint8_t> d(ihl_words * 4, 0);
  d[0] = static_cast<uint8_t>(0x40 | ihl_words);
  d[9] = 1;
  d[12] = 192, d[13] = 0, d[14] = 2, d[15] = 9;
  for (uint8_t b : {type, uint8_t{0}, uint8_t{0}, uint8_t{0}, uint8_t{0xab}, uint8_t{0xcd}, uint8_t{0}, uint8_t{3}}) d.push_back(b);
  return d;
}

TEST(Icmp4, ParsesEchoRepliesOnly) {
  auto r = parse_echo_reply(reply(0));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from, IpAddr::v4({192, 0, 2, 9}));
  EXPECT_EQ(r->ident, 0xabcd);
  EXPECT_EQ(r->seq, 3);
  EXPECT_TRUE(parse_echo_reply(reply(0, 6)));  // IP options
  EXPECT_FALSE(parse_echo_reply(reply(8)));     // a request (our own, on loopback)
  auto shortened = reply(0);
  shortened.pop_back();
  EXPECT_FALSE(parse_echo_reply(shortened));
  auto lying = reply(0);
  lying[0] = 0x4f;  // claims a 60-byte header
  EXPECT_FALSE(parse_echo_reply(lying));
  EXPECT_FALSE(parse_echo_reply({}));
}

}  // namespace
}  // namespace masqd::proto::icmp4
