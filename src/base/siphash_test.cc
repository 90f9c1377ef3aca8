#include "base/siphash.h"

#include <gtest/gtest.h>

#include <vector>

namespace masqd {
namespace {

SipKey paper_key() {
  // Key bytes 00 01 02 ... 0f, read little-endian as in the SipHash paper (appendix A).
  return {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
}

std::vector<uint8_t> counting(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

TEST(SipHash, PaperVectors) {
  // The paper's worked example: message 00..0e (15 bytes).
  EXPECT_EQ(siphash24(paper_key(), counting(15)), 0xa129ca6149be45e5ULL);
  // First entry of the reference implementation's vector table: the empty message.
  EXPECT_EQ(siphash24(paper_key(), counting(0)), 0x726fdb47dd0e0e31ULL);
}

TEST(SipHash, KeyChangesResult) {
  SipKey a = paper_key(), b = paper_key();
  b.k1 ^= 1;
  EXPECT_NE(siphash24(a, std::string_view("example")), siphash24(b, std::string_view("example")));
  EXPECT_NE(SipKey::random().k0, SipKey::random().k0);  // 2^-64 chance of a false failure
}

}  // namespace
}  // namespace masqd
