// --log-dhcp: the extra lines dnsmasq 2.90 writes for a DHCPv4 exchange (observed with
// /usr/sbin/dnsmasq in a network namespace; tests/compat/test_dhcp_logdhcp_compat.py
// compares them live), and none of them without the flag.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/test_config.h"

namespace masqd::dhcp {
namespace {

namespace d4 = proto::dhcp4;
using std::chrono::seconds;
using std::chrono::sys_seconds;

using testing::ip;
using testing::kNow;

InterfaceInfo veth0() { return {"veth0", 7, {{ip("192.0.2.1"), ip("255.255.255.0")}}}; }

d4::Dhcp4Packet packet(const d4::Header& h, std::vector<d4::Option> o) {
  auto bytes = d4::build(h, o, {}).bytes;
  auto p = d4::Dhcp4Packet::parse(bytes);
  EXPECT_TRUE(p.ok());
  return *p;
}

d4::Option type(d4::MessageType t) { return {d4::opt::MessageType, {static_cast<uint8_t>(t)}}; }
d4::Option text(uint8_t code, std::string_view s) { return {code, std::vector<uint8_t>(s.begin(), s.end())}; }
d4::Option addr(uint8_t code, const char* a) {
  auto x = ip(a);
  return {code, {x.bytes()[0], x.bytes()[1], x.bytes()[2], x.bytes()[3]}};
}

const std::vector<std::string> kBase{"--dhcp-range=192.0.2.100,192.0.2.150,1h", "--log-dhcp",
                                     "--dhcp-vendorclass=set:msft,MSFT", "--dhcp-userclass=set:uc,xyz",
                                     "--tag-if=set:both,tag:msft,tag:uc", "--dhcp-option=3,192.0.2.254"};

TEST(Dhcp4LogDhcp, DiscoverOfferLinesInDnsmasqOrder) {
  auto cfg = testing::load_config(kBase);
  MemoryLeaseStore store;
  Dhcp4Engine e(cfg, store);
  std::vector<uint8_t> prl{1, 3, 6, 12, 15, 28, 42, 2, 119, 51, 58, 249};
  auto r = e.handle(packet(testing::client_header(20481),
                           {type(d4::MessageType::Discover), {d4::opt::ParameterRequestList, prl},
                            text(d4::opt::VendorClass, "MSFT 5.0"), text(d4::opt::UserClass, "\x04" "abcd\x03xyz"),
                            text(d4::opt::Hostname, "zed")}),
                    veth0(), kNow);
  ASSERT_TRUE(r.reply);
  const std::string offered = r.reply->header.yiaddr.to_string();
  std::vector<std::string> want{
      "20481 available DHCP range: 192.0.2.100 -- 192.0.2.150",
      "20481 vendor class: MSFT 5.0",
      "20481 user class: abcdxyz",
      "20481 client provides name: zed",
      "20481 DHCPDISCOVER(veth0) 02:00:00:00:00:0a ",
      "20481 tags: both, msft, uc, veth0",
      "20481 DHCPOFFER(veth0) " + offered + " 02:00:00:00:00:0a ",
      "20481 requested options: 1:netmask, 3:router, 6:dns-server, 12:hostname, ",
      "20481 requested options: 15:domain-name, 28:broadcast, 42:ntp-server, ",
      "20481 requested options: 2:time-offset, 119:domain-search, 51:lease-time, ",
      "20481 requested options: 58:T1, 249",
      "20481 next server: 192.0.2.1",
      "20481 broadcast response",
      "20481 sent size:  1 option: 53 message-type  2",
      "20481 sent size:  4 option: 54 server-identifier  192.0.2.1",
      "20481 sent size:  4 option: 51 lease-time  1h",
      "20481 sent size:  4 option: 58 T1  30m",
      "20481 sent size:  4 option: 59 T2  52m30s",
      "20481 sent size:  4 option:  1 netmask  255.255.255.0",
      "20481 sent size:  4 option: 28 broadcast  192.0.2.255",
      "20481 sent size:  4 option:  3 router  192.0.2.254",
  };
  EXPECT_EQ(r.log, want);
}

TEST(Dhcp4LogDhcp, NakHasNoRequestedOptionsAndItsMessageInHex) {
  auto cfg = testing::load_config({"--dhcp-range=192.0.2.100,192.0.2.150,1h", "--log-dhcp", "--dhcp-authoritative"});
  MemoryLeaseStore store;
  Dhcp4Engine e(cfg, store);
  auto r = e.handle(packet(testing::client_header(7), {type(d4::MessageType::Request), addr(50, "192.0.2.120"),
                                                        addr(54, "192.0.2.9"), {55, {1, 3}}}),
                    veth0(), kNow);
  ASSERT_TRUE(r.reply);
  std::vector<std::string> want{
      "7 available DHCP range: 192.0.2.100 -- 192.0.2.150",
      "7 DHCPREQUEST(veth0) 192.0.2.120 02:00:00:00:00:0a ",
      "7 DHCPNAK(veth0) 192.0.2.120 02:00:00:00:00:0a wrong server-ID",
      "7 broadcast response",
      "7 sent size:  1 option: 53 message-type  6",
      "7 sent size:  4 option: 54 server-identifier  192.0.2.1",
      "7 sent size: 15 option: 56 message  77:72:6f:6e:67:20:73:65:72:76:65:72:2d:49...",
  };
  EXPECT_EQ(r.log, want);
}

TEST(Dhcp4LogDhcp, OffWritesOnlyTheUsualLines) {
  auto args = kBase;
  args.erase(std::find(args.begin(), args.end(), "--log-dhcp"));
  auto cfg = testing::load_config(args);
  MemoryLeaseStore store;
  Dhcp4Engine e(cfg, store);
  auto r = e.handle(packet(testing::client_header(9), {type(d4::MessageType::Discover), {55, {1, 3}},
                                                        text(d4::opt::VendorClass, "MSFT")}),
                    veth0(), kNow);
  ASSERT_TRUE(r.reply);
  ASSERT_EQ(r.log.size(), 2u);
  EXPECT_EQ(r.log[0], "DHCPDISCOVER(veth0) 02:00:00:00:00:0a ");
  EXPECT_EQ(r.log[1].rfind("DHCPOFFER(veth0) ", 0), 0u);
}

TEST(Dhcp4LogDhcp, OptionValuesRenderedByType) {
  const std::vector<uint8_t> two_addrs{192, 0, 2, 11, 192, 0, 2, 12};
  EXPECT_EQ(log_option_value(41, two_addrs), "192.0.2.11, 192.0.2.12");
  EXPECT_EQ(log_option_value(17, std::vector<uint8_t>{'/', 'r', 0}), "/r");  // text up to a NUL
  EXPECT_EQ(log_option_value(51, std::vector<uint8_t>{0, 0, 0x0e, 0x10}), "1h");
  EXPECT_EQ(log_option_value(51, std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff}), "infinite");
  EXPECT_EQ(log_option_value(59, std::vector<uint8_t>{0, 0, 0x0c, 0x4e}), "52m30s");
  EXPECT_EQ(log_option_value(35, std::vector<uint8_t>{0, 1, 0x86, 0xa0}), "100000");  // a number, not a time
  EXPECT_EQ(log_option_value(26, std::vector<uint8_t>{0x05, 0xdc}), "1500");
  EXPECT_EQ(log_option_value(2, std::vector<uint8_t>{0, 0, 0x1c, 0x20}), "00:00:1c:20");
  EXPECT_EQ(log_option_value(60, std::vector<uint8_t>{'M', 'S'}), "4d:53");
  std::vector<uint8_t> long_hex;
  for (uint8_t i = 1; i <= 35; ++i) long_hex.push_back(i);
  EXPECT_EQ(log_option_value(200, long_hex), "01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e...");
  long_hex.resize(14);
  EXPECT_EQ(log_option_value(200, long_hex), "01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e");
  EXPECT_EQ(log_option_value(80, std::vector<uint8_t>{}), "");
}

TEST(Dhcp4LogDhcp, TagsOfAHostAndTheBootFields) {
  auto cfg = testing::load_config({"--dhcp-range=192.0.2.100,192.0.2.150,1h", "--log-dhcp",
                                   "--dhcp-host=02:00:00:00:00:0b,192.0.2.60,hostb,infinite,set:hb",
                                   "--dhcp-mac=set:mm,02:00:00:00:00:*", "--dhcp-match=set:dm,option:hostname",
                                   "--tag-if=set:ti,tag:hb", "--dhcp-boot=pxelinux.0,bootserver,192.0.2.9"});
  MemoryLeaseStore store;
  Dhcp4Engine e(cfg, store);
  auto h = testing::client_header(3, 0x0b);
  h.flags = 0;
  auto r = e.handle(packet(h, {type(d4::MessageType::Discover), text(d4::opt::Hostname, "hn")}), veth0(), kNow);
  ASSERT_TRUE(r.reply);
  std::vector<std::string> want{
      "3 available DHCP range: 192.0.2.100 -- 192.0.2.150",
      "3 client provides name: hn",
      "3 DHCPDISCOVER(veth0) 02:00:00:00:00:0b ",
      "3 tags: ti, hb, known, dm, mm, veth0",
      "3 DHCPOFFER(veth0) 192.0.2.60 02:00:00:00:00:0b ",
      "3 bootfile name: pxelinux.0",
      "3 server name: bootserver",
      "3 next server: 192.0.2.9",
      "3 sent size:  1 option: 53 message-type  2",
      "3 sent size:  4 option: 54 server-identifier  192.0.2.1",
      "3 sent size:  4 option: 51 lease-time  infinite",
      "3 sent size:  4 option:  1 netmask  255.255.255.0",
      "3 sent size:  4 option: 28 broadcast  192.0.2.255",
      "3 sent size:  4 option:  3 router  192.0.2.1",
      "3 sent size:  5 option: 12 hostname  hostb",
  };
  EXPECT_EQ(r.log, want);
}

TEST(Dhcp4LogDhcp, ProxyReplyHasTagsAfterThePxeLineAndNoRequestList) {
  auto cfg = testing::load_config({"--dhcp-range=192.0.2.0,proxy", "--log-dhcp",
                                   "--pxe-service=x86PC,Boot from network,pxelinux"});
  MemoryLeaseStore store;
  Dhcp4Engine e(cfg, store);
  std::vector<uint8_t> uuid{0};
  for (uint8_t i = 1; i <= 16; ++i) uuid.push_back(i);
  auto r = e.handle(packet(testing::client_header(28673),
                           {type(d4::MessageType::Discover), {55, {1, 3, 43, 60}}, {93, {0, 0}}, {94, {1, 2, 1}},
                            {97, uuid}, text(d4::opt::VendorClass, "PXEClient:Arch:00000:UNDI:002001")}),
                    veth0(), kNow);
  ASSERT_TRUE(r.reply);
  ASSERT_GE(r.log.size(), 9u);
  std::vector<std::string> head(r.log.begin(), r.log.begin() + 9);
  std::vector<std::string> want{
      "28673 available DHCP subnet: 192.0.2.0/255.255.255.0",
      "28673 vendor class: PXEClient:Arch:00000:UNDI:002001",
      "28673 PXE(veth0) 02:00:00:00:00:0a proxy",
      "28673 tags: veth0",
      "28673 broadcast response",
      "28673 sent size:  1 option: 53 message-type  2",
      "28673 sent size:  4 option: 54 server-identifier  192.0.2.1",
      "28673 sent size:  9 option: 60 vendor-class  50:58:45:43:6c:69:65:6e:74",
      "28673 sent size: 17 option: 97 client-machine-id  00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d...",
  };
  EXPECT_EQ(head, want);
  EXPECT_EQ(r.log.size(), 9 + static_cast<size_t>(r.reply->options.size() - 4));  // one line per option
}

TEST(Dhcp4LogDhcp, NothingMoreWithoutARange) {
  auto cfg = testing::load_config({"--dhcp-range=198.51.100.10,198.51.100.20", "--log-dhcp"});
  MemoryLeaseStore store;
  Dhcp4Engine e(cfg, store);
  auto r = e.handle(packet(testing::client_header(5), {type(d4::MessageType::Discover), text(60, "MSFT")}), veth0(),
                    kNow);
  EXPECT_FALSE(r.reply);
  EXPECT_EQ(r.log, std::vector<std::string>{"no address range available for DHCP request via veth0"});
}

}  // namespace
}  // namespace masqd::dhcp
