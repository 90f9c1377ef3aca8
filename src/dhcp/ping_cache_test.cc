#include "dhcp/ping_cache.h"

#include <gtest/gtest.h>

namespace masqd::dhcp {
namespace {

using std::chrono::seconds;
const std::chrono::sys_seconds t0{seconds(1'000'000)};
IpAddr a(uint8_t last) { return IpAddr::v4({192, 0, 2, last}); }

TEST(PingCache, FreeResultsAreTrustedFor30Seconds) {
  PingCache c;
  EXPECT_TRUE(c.should_check(a(1), t0));
  c.record_free(a(1), t0);
  EXPECT_FALSE(c.should_check(a(1), t0 + seconds(30)));
  EXPECT_TRUE(c.should_check(a(1), t0 + seconds(31)));
  EXPECT_TRUE(c.should_check(a(2), t0));
}

TEST(PingCache, SixChecksIn30SecondsStopFurtherChecks) {
  PingCache c;
  for (uint8_t i = 1; i <= 6; ++i) {
    EXPECT_TRUE(c.should_check(a(i), t0 + seconds(i)));
    c.record_free(a(i), t0 + seconds(i));
  }
  EXPECT_FALSE(c.should_check(a(50), t0 + seconds(10)));  // load: offered unchecked
  EXPECT_TRUE(c.should_check(a(50), t0 + seconds(32)));   // the first result has aged out
}

TEST(PingCache, AnsweredAddressesAreInUseFor30Seconds) {
  PingCache c;
  c.record_in_use(a(7), t0);
  EXPECT_TRUE(c.in_use(a(7), t0 + seconds(30)));
  EXPECT_FALSE(c.in_use(a(7), t0 + seconds(31)));
  EXPECT_FALSE(c.in_use(a(8), t0));
  c.record_free(a(7), t0 + seconds(1));
  EXPECT_FALSE(c.in_use(a(7), t0 + seconds(2)));
}

}  // namespace
}  // namespace masqd::dhcp
