// Unit tests of the DHCP/TFTP/PXE/RA option parsers, called through the option table the
// way the loader calls them. Expected messages are dnsmasq 2.90's (checked with --test).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/option_table.h"

namespace masqd::config {
namespace {

// Parses one option into `config`; `value` nullopt means "given without a value".
Result<void> parse_into(Config& config, std::string_view name, std::optional<std::string> value) {
  const OptionSpec* spec = find_option(name);
  EXPECT_NE(spec, nullptr) << name;
  if (!spec) return make_error("no such option");
  Origin origin{true, "test.conf", 1};
  ParseContext ctx{config, origin, nullptr};
  if (!value) return spec->parse(ctx, nullptr);
  OptArg arg(*value);
  return spec->parse(ctx, &arg);
}

// A value as a config file gives it: characters between double quotes are marked.
OptArg quoted_arg(std::string_view written) {
  std::string text;
  std::vector<bool> marks;
  bool in_quotes = false;
  for (char c : written) {
    if (c == '"') {
      in_quotes = !in_quotes;
      continue;
    }
    text += c;
    marks.push_back(in_quotes);
  }
  return OptArg(text, marks);
}

struct RejectCase {
  const char* option;
  const char* value;
  const char* message;  // dnsmasq's text; "" = its generic "error"
};

class DhcpRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(DhcpRejects, GivesDnsmasqMessage) {
  const auto& c = GetParam();
  Config config;
  auto r = parse_into(config, c.option, std::string(c.value));
  ASSERT_FALSE(r.ok()) << c.option << "=" << c.value;
  EXPECT_EQ(r.error().message, c.message) << c.option << "=" << c.value;
}

INSTANTIATE_TEST_SUITE_P(
    Dnsmasq290, DhcpRejects,
    ::testing::Values(
        // dhcp-range
        RejectCase{"dhcp-range", "", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.300", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,::5", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.9,12x", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.9,1.5h", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.9,-5", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.9,INFINITE", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.9,12h,x", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.3.9,255.255.255.x", "bad dhcp-range"},
        RejectCase{"dhcp-range", "1.2.3.4,1.2.4.4,255.255.255.0", "inconsistent DHCP range"},
        RejectCase{"dhcp-range", "a,1.2.3.4,1.2.3.9", "bad dhcp-range"},  // hex-only word: no tag
        RejectCase{"dhcp-range", "set:a,set:b,1.2.3.4,1.2.3.9", "only one tag allowed"},
        RejectCase{"dhcp-range", "set:a,lan,1.2.3.4,1.2.3.9", "only one tag allowed"},
        RejectCase{"dhcp-range", "::1", "bad dhcp-range"},
        RejectCase{"dhcp-range", "::1,foo", "bad dhcp-range"},
        RejectCase{"dhcp-range", "::1,static,::5", "bad dhcp-range"},
        RejectCase{"dhcp-range", "::1,::400,63", "prefix length must be at least 64"},
        RejectCase{"dhcp-range", "::1,::400,", "prefix length must be at least 64"},
        RejectCase{"dhcp-range", "::1,::400,ra-only,65",
                   "prefix length must be exactly 64 for RA subnets"},
        RejectCase{"dhcp-range", "::1,constructor:eth0,65",
                   "prefix length must be exactly 64 for subnet constructors"},
        RejectCase{"dhcp-range", "::1,::400,128", "inconsistent DHCPv6 range"},
        RejectCase{"dhcp-range", "2001:db8::1,2001:db9::1", "inconsistent DHCPv6 range"},
        RejectCase{"dhcp-range", "::1,::400,12h,64", "bad dhcp-range"},
        // dhcp-host
        RejectCase{"dhcp-host", "00:11:22:33:44:5g", "bad hex constant"},
        RejectCase{"dhcp-host", "00:11:22:33:44:5*", "bad hex constant"},
        RejectCase{"dhcp-host", "foo:bar", "bad hex constant"},
        RejectCase{"dhcp-host", "id:0g:11", "bad hex constant"},
        RejectCase{"dhcp-host", "[zz::1]", "bad IPv6 address"},
        RejectCase{"dhcp-host", "[::1/129]", "bad IPv6 prefix"},
        RejectCase{"dhcp-host", "[2001:db8::/x]", "bad IPv6 prefix"},
        RejectCase{"dhcp-host", "[2001:db8::1/32]", "bad IPv6 prefix"},
        RejectCase{"dhcp-host", "-bad", "bad DHCP host name"},
        RejectCase{"dhcp-host", "_bad", "bad DHCP host name"},
        RejectCase{"dhcp-host", "a b", "bad DHCP host name"},
        RejectCase{"dhcp-host", "abc!", "bad DHCP host name"},
        RejectCase{"dhcp-host", ".", "bad DHCP host name"},
        RejectCase{"dhcp-host", "[1.2.3.4]", "bad DHCP host name"},
        RejectCase{"dhcp-host",
                   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  // 64
                   "bad DHCP host name"},
        // dhcp-option
        RejectCase{"dhcp-option", "tag:x", "bad dhcp-option"},
        RejectCase{"dhcp-option", "option:", "bad dhcp-option"},
        RejectCase{"dhcp-option", "option:nosuch,1", "bad dhcp-option"},
        RejectCase{"dhcp-option", "option:hostname,foo", "bad dhcp-option"},      // internal
        RejectCase{"dhcp-option", "option:lease-time,1h", "bad dhcp-option"},     // internal
        RejectCase{"dhcp-option", "option6:preference,1", "bad dhcp-option"},     // internal
        RejectCase{"dhcp-option", "option6:nosuch,1", "bad dhcp-option"},
        RejectCase{"dhcp-option", "3,", "bad IP address"},
        RejectCase{"dhcp-option", "3,foo", "bad IP address"},
        RejectCase{"dhcp-option", "3,1234", "bad IP address"},
        RejectCase{"dhcp-option", "6,[::1]", "bad IP address"},
        RejectCase{"dhcp-option", "3,1.2.3", "bad IPv4 address"},
        RejectCase{"dhcp-option", "3,1.2.3.400", "bad IPv4 address"},
        RejectCase{"dhcp-option", "option:router,1.2.3.4,", "bad IPv4 address"},
        RejectCase{"dhcp-option", "128,1 2", "bad IPv4 address"},
        RejectCase{"dhcp-option", "option6:dns-server,1.2.3.4", "bad IPv6 address"},
        RejectCase{"dhcp-option", "option6:dns-server,[::1]/64", "bad IPv6 address"},
        RejectCase{"dhcp-option", "option6:23,", "bad IPv6 address"},
        RejectCase{"dhcp-option", "encap:175,vendor:x,190,user", "inappropriate vendor:"},
        RejectCase{"dhcp-option", "vendor:x,option6:23,[::1]",
                   "unsupported encapsulation for IPv6 option"},
        RejectCase{"dhcp-option", "encap:1,option6:23,[::1]",
                   "unsupported encapsulation for IPv6 option"},
        RejectCase{"dhcp-option", "119,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
                   "bad domain in dhcp-option"},
        RejectCase{"dhcp-option-force", "option:hostname,x", "bad dhcp-option"},
        RejectCase{"dhcp-match", "", "illegal dhcp-match"},
        RejectCase{"dhcp-match", "93", "illegal dhcp-match"},
        RejectCase{"dhcp-match", "set:x", "bad dhcp-option"},
        RejectCase{"dhcp-match", "set:x,set:y,93", "illegal dhcp-match"},
        RejectCase{"dhcp-match", "set:x,vendor:y,1", "inappropriate vendor:"},
        RejectCase{"dhcp-match", "set:x,encap:1,1", "inappropriate encap:"},
        // tags
        RejectCase{"tag-if", "tag:b", "bad tag-if"},
        RejectCase{"tag-if", "set:a,", "bad tag-if"},
        RejectCase{"tag-if", "set:a,foo:b", "bad tag-if"},
        RejectCase{"tag-if", "net:a", "bad tag-if"},
        RejectCase{"dhcp-vendorclass", "set:x", ""},
        RejectCase{"dhcp-vendorclass", "set:x,foo,MSFT", ""},
        RejectCase{"dhcp-userclass", "set:x,enterprise:1,foo", ""},
        RejectCase{"dhcp-circuitid", "set:x,a,b", ""},
        RejectCase{"dhcp-mac", "set:x", ""},
        RejectCase{"dhcp-mac", "set:x,zz", ""},
        RejectCase{"dhcp-name-match", "set:x,", ""},
        // leases, scripts, ports
        RejectCase{"dhcp-lease-max", "-1", ""},
        RejectCase{"dhcp-lease-max", "abc", ""},
        RejectCase{"dhcp-luascript", "/x.lua",
                   "recompile with HAVE_LUASCRIPT defined to enable Lua scripts"},
        RejectCase{"dhcp-alternate-port", "70000", "invalid port number"},
        RejectCase{"dhcp-alternate-port", "1067,x", "invalid port number"},
        RejectCase{"dhcp-proxy", "foo", "bad dhcp-proxy address"},
        RejectCase{"dhcp-proxy", "::1", "bad dhcp-proxy address"},
        RejectCase{"dhcp-relay", "1.2.3.4", "Bad dhcp-relay"},
        RejectCase{"dhcp-relay", "1.2.3.4,,eth0", "Bad dhcp-relay"},
        RejectCase{"dhcp-relay", "1.2.3.4,eth*", "Bad dhcp-relay"},
        RejectCase{"bridge-interface", "br0", "bad bridge-interface"},
        RejectCase{"bridge-interface", "abcdefghijklmnop,eth0", "bad bridge-interface"},
        RejectCase{"shared-network", "192.0.2.1", "bad shared-network"},
        RejectCase{"shared-network", "192.0.2.1,2001:db8::1", "bad shared-network"},
        RejectCase{"dhcp-duid", "x,01:02", "bad DUID"},
        RejectCase{"dhcp-duid", "1234", "bad DUID"},
        RejectCase{"ra-param", "eth0,mtu:1279,60", "bad RA-params"},
        RejectCase{"ra-param", "eth0,mtu:1500", "bad RA-params"},
        RejectCase{"ra-param", "eth0,medium,60", "bad RA-params"},
        RejectCase{"ra-param", "eth0,high", "bad RA-params"},
        RejectCase{"ra-param", "eth0,60,1800,5", "bad RA-params"},
        RejectCase{"dhcp-reply-delay", "tag:x", ""},
        RejectCase{"dhcp-reply-delay", "5,6", ""},
        // boot and TFTP
        RejectCase{"dhcp-boot", "tag:x", ""},
        RejectCase{"pxe-prompt", "tag:x", ""},
        RejectCase{"pxe-service", "nosuch,Boot", ""},
        RejectCase{"pxe-service", "x86PC", ""},
        RejectCase{"pxe-service", "-1,Boot", ""},
        RejectCase{"tftp-unique-root", "x", ""},
        RejectCase{"tftp-unique-root", "", ""},
        RejectCase{"tftp-max", "x", ""},
        RejectCase{"tftp-mtu", "x", ""},
        RejectCase{"tftp-port-range", "1000", "bad port range"},
        RejectCase{"tftp-port-range", "1000,70000", "bad port range"},
        RejectCase{"tftp-port-range", "1,2,3", "bad port range"}));

struct AcceptCase {
  const char* option;
  const char* value;  // nullptr: given without a value
};

class DhcpAccepts : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(DhcpAccepts, Parses) {
  const auto& c = GetParam();
  Config config;
  auto r = parse_into(config, c.option, c.value ? std::optional<std::string>(c.value) : std::nullopt);
  EXPECT_TRUE(r.ok()) << c.option << "=" << (c.value ? c.value : "(none)") << ": "
                      << (r.ok() ? "" : r.error().message);
}

INSTANTIATE_TEST_SUITE_P(
    Dnsmasq290, DhcpAccepts,
    ::testing::Values(
        AcceptCase{"dhcp-range", "1.2.3.4,1.2.3.9,"},
        AcceptCase{"dhcp-range", "1.2.3.4,1.2.3.9,h"},
        AcceptCase{"dhcp-range", "1.2.3.4,1.2.3.9,255.0.255.0"},
        AcceptCase{"dhcp-range", "tag:,1.2.3.4,1.2.3.9"},
        AcceptCase{"dhcp-range", "::1,::400,129"},  // 129 is a lease time, not a prefix
        AcceptCase{"dhcp-host", ""},
        AcceptCase{"dhcp-host", "1.2.3"},           // a host name whose first label is "1"
        AcceptCase{"dhcp-host", "good.-weird"},
        AcceptCase{"dhcp-host", "bad_"},
        AcceptCase{"dhcp-host", "[2001:db8::1/64]"},
        AcceptCase{"dhcp-option", ""},
        AcceptCase{"dhcp-option", "option6:"},
        AcceptCase{"dhcp-option", "121,1.2.3.0/x,1.2.3.1"},
        AcceptCase{"dhcp-option", "option:T1,x"},
        AcceptCase{"dhcp-option", "option6:dns-server,[::1"},
        AcceptCase{"dhcp-option", "option:sip-server,,"},
        AcceptCase{"dhcp-option", "vi-encap:1,option6:23,[::1]"},
        AcceptCase{"dhcp-match", "set:x,option:hostname"},
        AcceptCase{"dhcp-match", "set:x,vi-encap:1234"},
        AcceptCase{"dhcp-match", "set:x,93,01:*:03"},
        AcceptCase{"dhcp-mac", "set:x,"},
        AcceptCase{"dhcp-relay", "1.2.3.4,foo"},
        AcceptCase{"dhcp-relay", "foo,1.2.3.4"},
        AcceptCase{"ra-param", "eth0"},
        AcceptCase{"ra-param", "eth0,"},
        AcceptCase{"dhcp-reply-delay", ""},
        AcceptCase{"dhcp-boot", ""},
        AcceptCase{"pxe-prompt", ""},
        AcceptCase{"pxe-service", "x86PC,"},
        AcceptCase{"pxe-service", "99999,Boot"},
        AcceptCase{"dhcp-alternate-port", nullptr},
        AcceptCase{"dhcp-proxy", nullptr},
        AcceptCase{"enable-tftp", ","},
        AcceptCase{"tftp-mtu", "0"},
        AcceptCase{"dhcp-lease-max", ""},
        AcceptCase{"shared-network", "lo,192.0.2.2"}));

// ---- typed results of the P0/P1 parsers ----

IpAddr ip(std::string_view s) { return *IpAddr::parse(s); }

TEST(DhcpRange, Ipv4WithMaskBroadcastLeaseAndTags) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-range",
                         "tag:green,set:lan,192.168.1.100,192.168.1.50,255.255.255.0,"
                         "192.168.1.255,12h").ok());
  ASSERT_EQ(c.dhcp.ranges.size(), 1u);
  const DhcpRange& r = c.dhcp.ranges[0];
  EXPECT_FALSE(r.is_v6);
  EXPECT_EQ(r.start, ip("192.168.1.50"));  // swapped into order
  EXPECT_EQ(r.end, ip("192.168.1.100"));
  EXPECT_EQ(r.netmask, ip("255.255.255.0"));
  EXPECT_EQ(r.broadcast, ip("192.168.1.255"));
  EXPECT_EQ(r.lease, LeaseSeconds(12 * 3600));
  EXPECT_TRUE(r.lease_set);
  EXPECT_EQ(r.tags, TagList{"green"});
  EXPECT_EQ(r.set_tag, "lan");
}

TEST(DhcpRange, LeaseForms) {
  struct {
    const char* lease;
    LeaseSeconds want;
  } cases[] = {{"", LeaseSeconds(120)},   {"5", LeaseSeconds(120)},   {"45m", LeaseSeconds(2700)},
               {"2d", LeaseSeconds(172800)}, {"1w", LeaseSeconds(604800)}, {"90S", LeaseSeconds(120)},
               {"infinite", kInfiniteLease}};
  for (const auto& tc : cases) {
    Config c;
    ASSERT_TRUE(parse_into(c, "dhcp-range", std::string("10.0.0.1,10.0.0.9,") + tc.lease).ok())
        << tc.lease;
    EXPECT_EQ(c.dhcp.ranges[0].lease, tc.want) << tc.lease;
  }
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-range", "10.0.0.1,10.0.0.9").ok());
  EXPECT_EQ(c.dhcp.ranges[0].lease, kDefaultLease4);
  EXPECT_FALSE(c.dhcp.ranges[0].lease_set);
}

TEST(DhcpRange, StaticProxyAndBareTag) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-range", "10.0.0.0,static").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-range", "office,10.1.0.0,proxy,255.255.0.0").ok());
  EXPECT_TRUE(c.dhcp.ranges[0].static_only);
  EXPECT_EQ(c.dhcp.ranges[0].end, ip("10.0.0.0"));
  EXPECT_TRUE(c.dhcp.ranges[1].proxy);
  EXPECT_EQ(c.dhcp.ranges[1].set_tag, "office");
  EXPECT_EQ(c.dhcp.ranges[1].netmask, ip("255.255.0.0"));
}

TEST(DhcpRange, Ipv6Modes) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-range", "::1,::400,constructor:eth0,ra-names,64,12h").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-range", "2001:db8::,ra-stateless,off-link").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-range", "::,static").ok());
  const DhcpRange& a = c.dhcp.ranges[0];
  EXPECT_TRUE(a.is_v6);
  EXPECT_TRUE(a.constructor);
  EXPECT_EQ(a.constructor_iface, "eth0");
  EXPECT_TRUE(a.ra_names && a.ra_only && a.dhcp6);
  EXPECT_EQ(a.prefix_len, 64);
  EXPECT_EQ(a.lease, LeaseSeconds(43200));
  const DhcpRange& b = c.dhcp.ranges[1];
  EXPECT_TRUE(b.ra_stateless && b.off_link && b.dhcp6);
  EXPECT_EQ(b.lease, kDefaultLease6);
  const DhcpRange& any = c.dhcp.ranges[2];
  EXPECT_TRUE(any.static_only);
  EXPECT_EQ(any.prefix_len, 0);  // "::": every subnet
}

TEST(DhcpHost, AllItemKinds) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-host",
                         "00:11:22:33:44:*,01-aa:bb:cc:dd:ee:ff,id:01:02:03,set:fixed,tag:lan,"
                         "192.168.1.7,[2001:db8::7],[::100/120],laptop.home,2h,ignore").ok());
  ASSERT_EQ(c.dhcp.hosts.size(), 1u);
  const DhcpHost& h = c.dhcp.hosts[0];
  ASSERT_EQ(h.macs.size(), 2u);
  EXPECT_EQ(h.macs[0].bytes, (std::vector<uint8_t>{0x00, 0x11, 0x22, 0x33, 0x44, 0x00}));
  EXPECT_EQ(h.macs[0].wildcard, (std::vector<bool>{false, false, false, false, false, true}));
  EXPECT_EQ(h.macs[1].hw_type, 1);
  EXPECT_EQ(h.macs[1].bytes.size(), 6u);
  EXPECT_EQ(h.client_id, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(h.set_tags, std::vector<std::string>{"fixed"});
  EXPECT_EQ(h.tags, TagList{"lan"});
  EXPECT_EQ(h.addr4, ip("192.168.1.7"));
  ASSERT_EQ(h.addrs6.size(), 2u);
  EXPECT_EQ(h.addrs6[0].addr, ip("2001:db8::7"));
  EXPECT_FALSE(h.addrs6[0].wildcard);
  EXPECT_EQ(h.addrs6[1].prefix_len, 120);
  EXPECT_TRUE(h.addrs6[1].wildcard);
  EXPECT_EQ(h.hostname, "laptop");
  EXPECT_EQ(h.domain, "home");
  EXPECT_EQ(h.lease, LeaseSeconds(7200));
  EXPECT_TRUE(h.ignore);
}

TEST(DhcpHost, LeaseTextClientIdAndNumbers) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-host", "id:myclient,infinite").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-host", "id:*,1").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-host", "12x").ok());
  EXPECT_EQ(c.dhcp.hosts[0].client_id, (std::vector<uint8_t>{'m', 'y', 'c', 'l', 'i', 'e', 'n', 't'}));
  EXPECT_EQ(c.dhcp.hosts[0].lease, kInfiniteLease);
  EXPECT_TRUE(c.dhcp.hosts[1].ignore_client_id);
  EXPECT_EQ(c.dhcp.hosts[1].lease, kMinLease);  // 1 s is raised to 120 s
  EXPECT_EQ(c.dhcp.hosts[2].hostname, "12x");   // not a lease time: a name
}

TEST(DhcpHost, DuplicateAddressAcrossHosts) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-host", "00:11:22:33:44:55,10.0.0.5").ok());
  auto r = parse_into(c, "dhcp-host", "00:11:22:33:44:56,10.0.0.5");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "duplicate dhcp-host IP address 10.0.0.5");
  // Twice inside one entry is not a duplicate.
  EXPECT_TRUE(parse_into(c, "dhcp-host", "10.0.0.6,10.0.0.6").ok());
}

TEST(DhcpOption, NumbersNamesAndValueTypes) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-option", "3,192.168.1.1,10.0.0.1").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:dns-server,0.0.0.0").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:mtu,1500").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "128,300").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "129,1i").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "130,01:02:0a").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:T1,2m").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "252,http://wpad/wpad.dat").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:router").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:ip-forward-enable,1").ok());
  const auto& o = c.dhcp.options4;
  ASSERT_EQ(o.size(), 10u);
  EXPECT_EQ(o[0].code, 3);
  EXPECT_EQ(o[0].kind, DhcpOptionValueKind::Addr4);
  EXPECT_EQ(o[0].value, (std::vector<uint8_t>{192, 168, 1, 1, 10, 0, 0, 1}));
  EXPECT_EQ(o[1].code, 6);
  EXPECT_EQ(o[1].value, (std::vector<uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(o[2].kind, DhcpOptionValueKind::Number);
  EXPECT_EQ(o[2].value, (std::vector<uint8_t>{0x05, 0xdc}));  // 2 bytes from the table
  EXPECT_EQ(o[3].value, (std::vector<uint8_t>{0x01, 0x2c}));  // width from magnitude
  EXPECT_EQ(o[4].value, (std::vector<uint8_t>{0, 0, 0, 1}));  // 'i' suffix: 4 bytes
  EXPECT_EQ(o[5].kind, DhcpOptionValueKind::Hex);
  EXPECT_EQ(o[5].value, (std::vector<uint8_t>{1, 2, 10}));
  EXPECT_EQ(o[6].kind, DhcpOptionValueKind::Time);
  EXPECT_EQ(o[6].value, (std::vector<uint8_t>{0, 0, 0, 120}));
  EXPECT_EQ(o[7].kind, DhcpOptionValueKind::String);
  EXPECT_EQ(std::string(o[7].value.begin(), o[7].value.end()), "http://wpad/wpad.dat");
  EXPECT_EQ(o[8].kind, DhcpOptionValueKind::None);
  EXPECT_TRUE(o[8].value.empty());
  EXPECT_EQ(o[9].value, (std::vector<uint8_t>{1}));
}

TEST(DhcpOption, TagsEncapsulationAndForce) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-option", "tag:a,net:b,set:c,d,42,1.2.3.4").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "vendor:MSFT,2,1i").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "encap:175,190,user").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option-force", "vi-encap:3561,1,abc").ok());
  const auto& o = c.dhcp.options4;
  EXPECT_EQ(o[0].tags, (TagList{"a", "b", "c", "d"}));
  EXPECT_EQ(o[1].vendor_class, "MSFT");
  EXPECT_EQ(o[1].code, 2);
  EXPECT_EQ(o[2].encap, 175);
  EXPECT_EQ(o[2].code, 190);
  EXPECT_TRUE(o[3].force);
  EXPECT_EQ(o[3].vi_encap, 3561);
  EXPECT_FALSE(o[0].force);
}

TEST(DhcpOption, ClasslessRoutesSipAndSearch) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-option", "121,10.0.0.0/8,192.168.1.1").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:sip-server,1.2.3.4").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option:domain-search,a.com,b.a.com").ok());
  const auto& o = c.dhcp.options4;
  EXPECT_EQ(o[0].kind, DhcpOptionValueKind::Addr4Fixed);
  EXPECT_EQ(o[0].value, (std::vector<uint8_t>{8, 10, 192, 168, 1, 1}));
  EXPECT_EQ(o[1].value, (std::vector<uint8_t>{1, 1, 2, 3, 4}));  // RFC 3361 enc byte
  // RFC 3397: "b.a.com" points back at "a.com" at offset 0.
  EXPECT_EQ(o[2].value, (std::vector<uint8_t>{1, 'a', 3, 'c', 'o', 'm', 0, 1, 'b', 0xc0, 0}));
}

TEST(DhcpOption, TooLong) {
  Config c;
  EXPECT_TRUE(parse_into(c, "dhcp-option", "128," + std::string(255, 'a')).ok());
  auto r = parse_into(c, "dhcp-option", "128," + std::string(256, 'a'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "dhcp-option too long");
  EXPECT_FALSE(parse_into(c, "dhcp-option", "vendor:x,1," + std::string(254, 'a')).ok());
  EXPECT_FALSE(parse_into(c, "dhcp-option", "vi-encap:1,1," + std::string(251, 'a')).ok());
  EXPECT_TRUE(parse_into(c, "dhcp-option", "option6:128," + std::string(600, 'a')).ok());
}

TEST(DhcpOption, Ipv6Values) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option6:dns-server,[2001:db8::1],[::]").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option6:domain-search,lan").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option6:information-refresh-time,1h").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-option", "option6:bootfile-param,ab,c").ok());
  const auto& o = c.dhcp.options6;
  ASSERT_EQ(o.size(), 4u);
  EXPECT_TRUE(c.dhcp.options4.empty());
  EXPECT_EQ(o[0].code, 23);
  EXPECT_EQ(o[0].kind, DhcpOptionValueKind::Addr6);
  EXPECT_EQ(o[0].value.size(), 32u);
  EXPECT_EQ(o[1].value, (std::vector<uint8_t>{3, 'l', 'a', 'n', 0}));
  EXPECT_EQ(o[2].value, (std::vector<uint8_t>{0, 0, 0x0e, 0x10}));
  EXPECT_EQ(o[3].value, (std::vector<uint8_t>{0, 2, 'a', 'b', 0, 1, 'c'}));
}

TEST(DhcpOption, QuotedValueIsText) {
  Config c;
  Origin origin{true, "f", 1};
  ParseContext ctx{c, origin, nullptr};
  OptArg arg = quoted_arg("66,\"1.2.3.4\"");
  ASSERT_TRUE(find_option("dhcp-option")->parse(ctx, &arg).ok());
  EXPECT_EQ(c.dhcp.options4[0].kind, DhcpOptionValueKind::String);
  EXPECT_EQ(std::string(c.dhcp.options4[0].value.begin(), c.dhcp.options4[0].value.end()), "1.2.3.4");
  // A quoted router value is text, which option 3 refuses.
  OptArg router = quoted_arg("3,\"1.2.3.4\"");
  auto r = find_option("dhcp-option")->parse(ctx, &router);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "bad IP address");
}

TEST(DhcpMatch, StoresTagAndWildcards) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-match", "set:efi,option:client-arch,7").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-match", "set:pxe,60,50:*:45").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-match", "set:v6,option6:vendor-class").ok());
  ASSERT_EQ(c.dhcp.matches4.size(), 2u);
  EXPECT_EQ(c.dhcp.matches4[0].tag, "efi");
  EXPECT_EQ(c.dhcp.matches4[0].option.code, 93);
  EXPECT_EQ(c.dhcp.matches4[0].option.value, (std::vector<uint8_t>{0, 7}));
  EXPECT_EQ(c.dhcp.matches4[1].option.wildcard, (std::vector<bool>{false, true, false}));
  ASSERT_EQ(c.dhcp.matches6.size(), 1u);
  EXPECT_EQ(c.dhcp.matches6[0].option.code, 16);
}

TEST(DhcpTags, RulesAreStored) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-vendorclass", "set:win,enterprise:311,MSFT").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-userclass", "set:u,accounts").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-circuitid", "set:c,01:02:03").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-remoteid", "set:r,port7").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-mac", "set:vm,52:54:00:*:*:*").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-name-match", "set:evil,wpad*").ok());
  ASSERT_TRUE(parse_into(c, "tag-if", "set:a,set:b,tag:c,tag:!d").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-ignore", "tag:!known").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-broadcast", std::nullopt).ok());
  ASSERT_TRUE(parse_into(c, "dhcp-ignore-names", "tag:x").ok());
  const auto& d = c.dhcp;
  ASSERT_EQ(d.class_matches.size(), 4u);
  EXPECT_EQ(d.class_matches[0].enterprise, 311);
  EXPECT_EQ(d.class_matches[0].tag, "win");
  EXPECT_EQ(d.class_matches[1].kind, DhcpClassKind::UserClass);
  EXPECT_EQ(d.class_matches[2].data, (std::vector<uint8_t>{1, 2, 3}));  // hex id as bytes
  EXPECT_EQ(std::string(d.class_matches[3].data.begin(), d.class_matches[3].data.end()), "port7");
  EXPECT_EQ(d.mac_matches[0].pattern.wildcard, (std::vector<bool>{false, false, false, true, true, true}));
  EXPECT_TRUE(d.name_matches[0].prefix);
  EXPECT_EQ(d.name_matches[0].name, "wpad");
  EXPECT_EQ(d.tag_ifs[0].set, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.tag_ifs[0].conditions, (TagList{"c", "!d"}));
  EXPECT_EQ(d.ignore[0], TagList{"!known"});
  ASSERT_EQ(d.broadcast.size(), 1u);
  EXPECT_TRUE(d.broadcast[0].empty());  // every client
  EXPECT_EQ(d.ignore_names[0], TagList{"x"});
}

TEST(DhcpBoot, BootPxeAndTftp) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-boot", "tag:efi,grubx64.efi,bootsrv,10.0.0.2").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-boot", "pxelinux.0,,tftp.lan").ok());
  ASSERT_TRUE(parse_into(c, "pxe-service", "tag:x,x86-64_efi,Network boot,bootx64,10.0.0.3").ok());
  ASSERT_TRUE(parse_into(c, "pxe-service", "x86PC,Local disk,0").ok());
  ASSERT_TRUE(parse_into(c, "pxe-service", "x86PC,Install,pxelinux,boot.lan").ok());
  ASSERT_TRUE(parse_into(c, "pxe-prompt", "tag:x,Press F8,10").ok());
  ASSERT_TRUE(parse_into(c, "pxe-prompt", "Choose,soon").ok());
  ASSERT_TRUE(parse_into(c, "enable-tftp", "eth0,eth1").ok());
  ASSERT_TRUE(parse_into(c, "tftp-root", "/srv/tftp").ok());
  ASSERT_TRUE(parse_into(c, "tftp-root", "/srv/lab,eth1").ok());
  ASSERT_TRUE(parse_into(c, "tftp-secure", std::nullopt).ok());
  ASSERT_TRUE(parse_into(c, "tftp-no-blocksize", std::nullopt).ok());
  ASSERT_TRUE(parse_into(c, "tftp-port-range", "2000,1000").ok());
  const auto& d = c.dhcp;
  EXPECT_EQ(d.boots[0].tags, TagList{"efi"});
  EXPECT_EQ(d.boots[0].file, "grubx64.efi");
  EXPECT_EQ(d.boots[0].server_name, "bootsrv");
  EXPECT_EQ(d.boots[0].next_server, ip("10.0.0.2"));
  EXPECT_EQ(d.boots[1].tftp_server_name, "tftp.lan");
  EXPECT_FALSE(d.boots[1].next_server);
  EXPECT_EQ(d.pxe_services[0].csa, 7);
  EXPECT_EQ(d.pxe_services[0].basename, "bootx64");
  EXPECT_EQ(d.pxe_services[0].type, 32768);
  EXPECT_EQ(d.pxe_services[0].server, ip("10.0.0.3"));
  EXPECT_EQ(d.pxe_services[1].type, 0);
  EXPECT_EQ(d.pxe_services[2].type, 32769);
  EXPECT_EQ(d.pxe_services[2].server_name, "boot.lan");
  EXPECT_EQ(d.pxe_prompts[0].timeout, 10);
  EXPECT_EQ(d.pxe_prompts[1].timeout, 255);  // not a number: wait
  EXPECT_TRUE(d.tftp_enabled);
  EXPECT_EQ(d.tftp_interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(d.tftp_roots[0].path, "/srv/tftp");
  EXPECT_TRUE(d.tftp_roots[0].interface.empty());
  EXPECT_EQ(d.tftp_roots[1].interface, "eth1");
  EXPECT_TRUE(d.tftp_secure);
  EXPECT_TRUE(d.tftp_no_blocksize);
  EXPECT_EQ(d.tftp_port_range, std::make_pair(uint16_t{1000}, uint16_t{2000}));
}

TEST(DhcpServer, LeasesScriptsFlagsAndRa) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-leasefile", "/var/lib/masqd.leases").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-lease-max", "250").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-script", "/usr/local/bin/lease-hook").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-authoritative", std::nullopt).ok());
  ASSERT_TRUE(parse_into(c, "enable-ra", std::nullopt).ok());
  ASSERT_TRUE(parse_into(c, "ra-param", "eth*,mtu:1400,high,60,1800").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-alternate-port", "1067").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-relay", "10.0.0.1,10.9.9.9#1067,eth2").ok());
  ASSERT_TRUE(parse_into(c, "dhcp-duid", "1234,00:01:02").ok());
  const auto& d = c.dhcp;
  EXPECT_EQ(d.lease_file, "/var/lib/masqd.leases");
  EXPECT_EQ(d.lease_max, 250);
  EXPECT_EQ(d.script, "/usr/local/bin/lease-hook");
  EXPECT_TRUE(d.authoritative);
  EXPECT_TRUE(d.enable_ra);
  ASSERT_EQ(d.ra_params.size(), 1u);
  EXPECT_EQ(d.ra_params[0].interface, "eth*");
  EXPECT_EQ(d.ra_params[0].mtu, 1400);
  EXPECT_EQ(d.ra_params[0].priority, 0x08);
  EXPECT_EQ(d.ra_params[0].interval, 60);
  EXPECT_EQ(d.ra_params[0].lifetime, 1800);
  EXPECT_EQ(d.alternate_ports, std::make_pair(uint16_t{1067}, uint16_t{1068}));
  EXPECT_EQ(d.relays[0].server, ip("10.9.9.9"));
  EXPECT_EQ(d.relays[0].port, 1067);
  EXPECT_EQ(d.relays[0].interface, "eth2");
  EXPECT_EQ(d.duid_enterprise, 1234);
  EXPECT_EQ(d.duid, (std::vector<uint8_t>{0, 1, 2}));
}

TEST(DhcpFinalize, FqdnNeedsDefaultDomain) {
  Config c;
  ASSERT_TRUE(parse_into(c, "dhcp-fqdn", std::nullopt).ok());
  auto area = dhcp_area();
  ASSERT_NE(area.finalize, nullptr);
  auto r = area.finalize(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "there must be a default domain when --dhcp-fqdn is set");
  c.dns.domains.push_back(DomainRule{});
  c.dns.domains.back().domain = "lan";
  EXPECT_TRUE(area.finalize(c).ok());
}

}  // namespace
}  // namespace masqd::config
