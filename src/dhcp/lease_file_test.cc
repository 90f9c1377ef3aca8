#include "dhcp/lease_file.h"

#include <gtest/gtest.h>

#include <string>

namespace masqd::dhcp {
namespace {

using V = std::vector<uint8_t>;

// Written by /usr/sbin/dnsmasq 2.90 for udhcpc 1.35 and dhclient 4.4 clients (see
// src/dhcp/README.md for how): newest lease first, DUID and IPv6 lines last.
constexpr const char* kDnsmasqFile =
    "1795482908 02:00:00:00:00:06 192.0.2.150 bad_name 41:42\n"
    "1795482905 02:00:00:00:00:05 192.0.2.149 * 00\n"
    "1795482902 02:00:00:00:00:04 192.0.2.148 Delta ff:00:01:02:03:aa:bb\n"
    "0 02:00:00:00:00:03 192.0.2.50 fixed 01:02:00:00:00:00:03\n"
    "1795482898 02:00:00:00:00:02 192.0.2.146 * *\n"
    "1795482892 02:00:00:00:00:01 192.0.2.145 alpha 01:02:00:00:00:00:01\n"
    "duid 00:01:00:01:32:97:93:ef:7a:84:e5:f5:9d:ec\n"
    "1795483009 1 2001:db8::104 * 00:01:00:01:32:97:93:f0:02:00:00:00:00:01\n";

ExpiryTime at(int64_t s) {
  return ExpiryTime(std::chrono::seconds(s));
}

std::string render(const LeaseFileContents& c) {
  std::string out;
  for (const Lease& l : c.leases) out += format_lease_line(l);
  for (const std::string& k : c.kept_lines) out += k + "\n";
  return out;
}

TEST(LeaseFile, ReadsWhatDnsmasqWrote) {
  auto c = parse_lease_file(kDnsmasqFile);
  EXPECT_TRUE(c.problems.empty());
  ASSERT_EQ(c.leases.size(), 6u);
  const Lease& a = c.leases[5];
  EXPECT_EQ(a.expires, at(1795482892));
  EXPECT_EQ(a.htype, kHtypeEthernet);
  EXPECT_EQ(a.hwaddr, (V{2, 0, 0, 0, 0, 1}));
  EXPECT_EQ(a.address, IpAddr::parse("192.0.2.145"));
  EXPECT_EQ(a.hostname, "alpha");
  EXPECT_EQ(a.client_id, (V{1, 2, 0, 0, 0, 0, 1}));
  EXPECT_TRUE(c.leases[3].never_expires());
  EXPECT_TRUE(c.leases[4].hostname.empty());
  EXPECT_TRUE(c.leases[4].client_id.empty());
  EXPECT_EQ(c.leases[1].client_id, V{0});
  ASSERT_EQ(c.kept_lines.size(), 2u);
  EXPECT_EQ(c.kept_lines[0], "duid 00:01:00:01:32:97:93:ef:7a:84:e5:f5:9d:ec");
}

TEST(LeaseFile, WritesByteForByteAsDnsmasq) {
  EXPECT_EQ(render(parse_lease_file(kDnsmasqFile)), kDnsmasqFile);
}

TEST(LeaseFile, HardwareTypePrefix) {
  // dnsmasq 2.90 writes the ARP type when it is not Ethernet or the address is empty.
  Lease l;
  l.address = IpAddr::v4({192, 0, 2, 121});
  l.htype = 6;
  l.hwaddr = {2, 0, 0, 0, 0, 8};
  l.hostname = "tokenring";
  EXPECT_EQ(format_lease_line(l), "0 06-02:00:00:00:00:08 192.0.2.121 tokenring *\n");
  l.htype = 1;
  l.hwaddr.clear();
  EXPECT_EQ(format_lease_line(l), "0 01- 192.0.2.121 tokenring *\n");
  l.htype = 0;
  EXPECT_EQ(format_lease_line(l), "0 00- 192.0.2.121 tokenring *\n");
  l.htype = 0x20;
  l.hwaddr = V(16, 0xab);
  auto back =
      parse_lease_line("0 20-" + std::string("ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab:ab") +
                       " 192.0.2.121 tokenring *");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, l);
  for (const char* line : {"0 06-02:00:00:00:00:08 192.0.2.121 x *", "0 01- 192.0.2.1 x *",
                           "0 00 192.0.2.123 * 01:02:03"}) {
    auto p = parse_lease_line(line);
    ASSERT_TRUE(p) << line;
    EXPECT_EQ(format_lease_line(*p), std::string(line) + "\n");
  }
}

TEST(LeaseFile, HexFormsDnsmasqAccepts) {
  // Each written back the way dnsmasq 2.90 wrote it after reading it.
  const std::pair<const char*, const char*> cases[] = {
      {"0 02:00:00:00:00:0b 192.0.2.124 UPPER 01:AA:BB",
       "0 02:00:00:00:00:0b 192.0.2.124 UPPER 01:aa:bb\n"},
      {"0 2:0:0:0:0:d 192.0.2.125 short 1:2", "0 02:00:00:00:00:0d 192.0.2.125 short 01:02\n"},
      {"0 02:00:00:00:00:0f 192.0.2.126 host.name.x 0102",
       "0 02:00:00:00:00:0f 192.0.2.126 host.name.x 01:02\n"},
      {"4294967296 02:00:00:00:00:22 192.0.2.134 big *",
       "4294967296 02:00:00:00:00:22 192.0.2.134 big *\n"},
  };
  for (const auto& [in, out] : cases) {
    auto l = parse_lease_line(in);
    ASSERT_TRUE(l) << in;
    EXPECT_EQ(format_lease_line(*l), out);
  }
}

TEST(LeaseFile, BadLinesReportedWithLineNumbersGoodOnesKept) {
  std::string text =
      "1795482908 02:00:00:00:00:06 192.0.2.150 bad_name 41:42\n"  // 1 ok
      "garbage line here\n"                                        // 2 bad
      "\n"                                                         // 3 skipped
      "-5 02:00:00:00:00:23 192.0.2.135 neg *\n"                   // 4 bad expiry
      "0 02:00:00:00:00:10 192.0.2.127 tabs * extra fields\n"      // 5 too many fields
      "0 zz:00 192.0.2.1 x *\n"                                    // 6 bad MAC
      "0 02:00:00:00:00:01 192.0.2.300 x *\n"                      // 7 bad address
      "0 02:00:00:00:00:01 192.0.2.7 x 1:2:\n"                     // 8 bad client id
      "0 20-" +
      std::string(17 * 3 - 1, 'a') + " 192.0.2.8 x *\n" +  // 9 MAC over 16 bytes
      "0 02:00:00:00:00:01 192.0.2.9 x\x01y *\n"           // 10 control byte
      "0 02:00:00:00:00:01 192.0.2.10 " +
      std::string(10000, 'h') + " *\n" +                           // 11 10 kB
      "duid\n"                                                     // 12 bad duid
      "1 2 2001:db8::zz * *\n"                                     // 13 bad IPv6
      "1795482905   02:00:00:00:00:05\t192.0.2.149   *   *  \r\n"  // 14 ok, odd spacing
      "1795482892 02:00:00:00:00:01 192.0.2.145 alpha";            // 15 ok, no newline
  auto c = parse_lease_file(text);
  ASSERT_EQ(c.leases.size(), 3u);
  EXPECT_EQ(c.leases[0].address, IpAddr::parse("192.0.2.150"));
  EXPECT_EQ(c.leases[1].address, IpAddr::parse("192.0.2.149"));
  EXPECT_EQ(c.leases[2].hostname, "alpha");  // four fields: no client id
  std::vector<size_t> bad;
  for (const auto& p : c.problems) bad.push_back(p.line);
  EXPECT_EQ(bad, (std::vector<size_t>{2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}));
  EXPECT_EQ(c.problems[0].reason, "expected 5 fields");
  EXPECT_EQ(c.problems[8].reason, "line longer than 2048 bytes");
}

TEST(LeaseFile, BinaryAndEmptyInputs) {
  EXPECT_TRUE(parse_lease_file("").leases.empty());
  EXPECT_TRUE(parse_lease_file("\n\n\n").problems.empty());
  std::string bin("\0\xff\x80\n0 02:00:00:00:00:01 192.0.2.1 x *\n\0", 40);
  auto c = parse_lease_file(bin);
  EXPECT_EQ(c.leases.size(), 1u);
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_EQ(c.problems[0].line, 1u);
  EXPECT_EQ(c.problems[1].line, 3u);
  // inet_pton stops at NUL; the line check must see it first.
  EXPECT_FALSE(parse_lease_line(std::string("0 02:00:00:00:00:01 192.0.2.1\0junk x *", 38)));
}

TEST(LeaseFile, Ipv6LinesKeptVerbatim) {
  std::string text =
      "duid 00:01:00:01:32:97:93:ef:7a:84:e5:f5:9d:ec\n"
      "1795483009 1 2001:db8::104 * 00:01:00:01:32:97:93:f0:02:00:00:00:00:01\n"
      "0  T305419896  2001:db8::105   host6 *\n"  // temporary address, odd spacing
      "0 02:00:00:00:00:01 192.0.2.1 x *\n";
  auto c = parse_lease_file(text);
  EXPECT_TRUE(c.problems.empty());
  ASSERT_EQ(c.kept_lines.size(), 3u);
  EXPECT_EQ(c.kept_lines[2], "0  T305419896  2001:db8::105   host6 *");
  EXPECT_EQ(render(c),
            "0 02:00:00:00:00:01 192.0.2.1 x *\n"
            "duid 00:01:00:01:32:97:93:ef:7a:84:e5:f5:9d:ec\n"
            "1795483009 1 2001:db8::104 * 00:01:00:01:32:97:93:f0:02:00:00:00:00:01\n"
            "0  T305419896  2001:db8::105   host6 *\n");
}

TEST(LeaseFile, UnwritableHostnamesBecomeStar) {
  Lease l;
  l.address = IpAddr::v4({192, 0, 2, 1});
  l.hwaddr = {2, 0, 0, 0, 0, 1};
  for (std::string name : {std::string("two words"), std::string("nl\n"), std::string("*"),
                           std::string("caf\xc3\xa9"), std::string(300, 'a')}) {
    l.hostname = name;
    EXPECT_EQ(format_lease_line(l), "0 02:00:00:00:00:01 192.0.2.1 * *\n");
  }
}

}  // namespace
}  // namespace masqd::dhcp
