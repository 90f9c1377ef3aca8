#include "dhcp/script_event.h"

#include <gtest/gtest.h>

namespace masqd::dhcp {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(ScriptEvent, RoundTripsAndWaitsForAWholeFrame) {
  ScriptEvent e{"add", {"02:00:00:00:00:01", "192.0.2.5", "alpha"}, {"DNSMASQ_DOMAIN=lan", "DNSMASQ_TAGS=a b"}};
  const std::string f = encode_script_event(e) + encode_script_event(ScriptEvent{"del", {"x", "y"}, {}});
  auto b = bytes(f);
  auto partial = decode_script_event(std::span<const uint8_t>(b).first(10));
  ASSERT_TRUE(partial);
  EXPECT_FALSE(*partial);
  auto one = decode_script_event(b);
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->first, e);
  auto two = decode_script_event(std::span<const uint8_t>(b).subspan((*one)->second));
  ASSERT_TRUE(two && *two);
  EXPECT_EQ((*two)->first.action, "del");
}

std::vector<uint8_t> frame(const std::string& body) {
  std::string s(2, '\0');
  s.push_back(static_cast<char>(body.size() >> 8));
  s.push_back(static_cast<char>(body.size()));
  return bytes(s + body);
}

TEST(ScriptEvent, HelperRejectsAnythingElse) {
  using namespace std::string_literals;
  EXPECT_FALSE(decode_script_event(frame("run\0"s "0\0"s)));              // unknown action
  EXPECT_FALSE(decode_script_event(frame("add\0"s "9\0"s)));              // argument count
  EXPECT_FALSE(decode_script_event(frame("add\0"s "2\0a\0"s)));           // too few arguments
  EXPECT_FALSE(decode_script_event(frame("add\0"s "0\0PATH=/tmp\0"s)));   // not a DNSMASQ_ variable
  EXPECT_FALSE(decode_script_event(frame("add\0"s "0\0DNSMASQ_x=1\0"s))); // lower case name
  EXPECT_FALSE(decode_script_event(frame("add\0"s "0"s)));                // not terminated
  EXPECT_FALSE(decode_script_event(std::vector<uint8_t>{0xff, 0, 0, 0}));  // oversized
  EXPECT_FALSE(decode_script_event(std::vector<uint8_t>{0, 0, 0, 0}));     // empty
  EXPECT_TRUE(decode_script_event(frame("old\0"s "0\0DNSMASQ_DATA_MISSING=1\0"s)));
}

TEST(ScriptEvent, TftpEventRoundTrips) {
  ScriptEvent e{"tftp", {"100000", "192.0.2.2", "/srv/tftp/pxelinux.0"}, {}};
  auto b = bytes(encode_script_event(e));
  auto d = decode_script_event(b);
  ASSERT_TRUE(d && *d);
  EXPECT_EQ((*d)->first, e);
}

TEST(ScriptEvent, LeaseArgumentsAndEnvironment) {
  Lease l;
  l.address = IpAddr::v4({192, 0, 2, 9});
  l.htype = 6;
  l.hwaddr = {0xaa, 0x0b};
  l.client_id = {1, 2};
  l.expires = std::chrono::sys_seconds(std::chrono::seconds(1000));
  auto e = lease_script_event("del", l, "lan", std::chrono::sys_seconds(std::chrono::seconds(400)));
  EXPECT_EQ(e.args, (std::vector<std::string>{"06-aa:0b", "192.0.2.9"}));
  EXPECT_EQ(e.env, (std::vector<std::string>{"DNSMASQ_CLIENT_ID=01:02", "DNSMASQ_DOMAIN=lan",
                                             "DNSMASQ_LEASE_EXPIRES=1000", "DNSMASQ_TIME_REMAINING=600"}));
}

}  // namespace
}  // namespace masqd::dhcp
