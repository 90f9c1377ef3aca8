// Checks the DHCP/TFTP/PXE/RA rows of the option table against dnsmasq 2.90's option list
// (names, short letters, argument shapes, once-only flags), and the DHCP option-name tables.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "config/dhcp_option_names.h"
#include "config/loader.h"
#include "config/option_table.h"

namespace masqd::config {
namespace {

constexpr auto R = ArgShape::Required;
constexpr auto O = ArgShape::Optional;
constexpr auto N = ArgShape::None;
constexpr auto Many = Repeat::Many;
constexpr auto Once = Repeat::Once;

struct Row {
  const char* name;
  char short_name;
  ArgShape arg;
  Repeat repeat;
};

// Sections (i), (j), (k) of /tmp/ref/options-2.90.tsv, plus the newer options.
const Row kExpected[] = {
    {"dhcp-range", 'F', R, Many},
    {"dhcp-host", 'G', R, Many},
    {"dhcp-hostsfile", 0, R, Many},
    {"dhcp-optsfile", 0, R, Many},
    {"dhcp-hostsdir", 0, R, Many},
    {"dhcp-optsdir", 0, R, Many},
    {"tag-if", 0, R, Many},
    {"dhcp-userclass", 'j', R, Many},
    {"dhcp-circuitid", 0, R, Many},
    {"dhcp-remoteid", 0, R, Many},
    {"dhcp-subscrid", 0, R, Many},
    {"dhcp-pxe-vendor", 0, R, Many},
    {"dhcp-ignore", 'J', R, Many},
    {"dhcp-broadcast", 0, O, Many},
    {"dhcp-authoritative", 'K', N, Many},
    {"dhcp-leasefile", 'l', O, Once},  // getopt: value optional (checked with dnsmasq)
    {"dhcp-boot", 'M', R, Many},
    {"dhcp-option", 'O', R, Many},
    {"dhcp-option-force", 0, R, Many},
    {"dhcp-vendorclass", 'U', R, Many},
    {"dhcp-lease-max", 'X', R, Once},
    {"read-ethers", 'Z', N, Many},
    {"bootp-dynamic", '3', O, Many},
    {"dhcp-mac", '4', R, Many},
    {"bridge-interface", 0, R, Many},
    {"shared-network", 0, R, Many},
    {"no-ping", '5', N, Many},
    {"dhcp-script", '6', R, Once},
    {"dhcp-luascript", 0, R, Many},
    {"dhcp-scriptuser", 0, R, Once},
    {"script-arp", 0, N, Many},
    {"leasefile-ro", '9', N, Many},
    {"dhcp-ignore-names", 0, O, Many},
    {"dhcp-no-override", 0, N, Many},
    {"enable-tftp", 0, O, Many},
    {"tftp-root", 0, R, Many},
    {"tftp-unique-root", 0, O, Many},
    {"tftp-secure", 0, N, Many},
    {"tftp-no-fail", 0, N, Many},
    {"tftp-max", 0, R, Once},
    {"tftp-mtu", 0, R, Once},
    {"tftp-no-blocksize", 0, N, Many},
    {"tftp-lowercase", 0, N, Many},
    {"tftp-port-range", 0, R, Once},
    {"tftp-single-port", 0, N, Many},
    {"dhcp-match", 0, R, Many},
    {"dhcp-name-match", 0, R, Many},
    {"dhcp-alternate-port", 0, O, Once},
    {"dhcp-fqdn", 0, N, Many},
    {"dhcp-generate-names", 0, O, Many},
    {"dhcp-proxy", 0, O, Many},
    {"dhcp-relay", 0, R, Many},
    {"pxe-prompt", 0, R, Many},
    {"pxe-service", 0, R, Many},
    {"dhcp-sequential-ip", 0, N, Many},
    {"dhcp-ignore-clid", 0, N, Many},
    {"dhcp-client-update", 0, N, Many},
    {"enable-ra", 0, N, Many},
    {"dhcp-duid", 0, R, Once},
    {"ra-param", 0, R, Many},
    {"dhcp-reply-delay", 0, R, Once},
    {"dhcp-rapid-commit", 0, N, Many},
    {"script-on-renewal", 0, N, Many},
    {"dhcp-lease", 0, R, Once},  // hidden old name of dhcp-leasefile
    {"dhcp-option-pxe", 0, R, Many},
    {"dhcp-split-relay", 0, R, Many},
    {"leasequery", 0, O, Many},
};

// The DHCPv4 server (src/dhcp/dhcp4_service) acts on these; the rest still stop start-up.
const std::set<std::string> kBuiltDhcp = {
    "dhcp-range",     "dhcp-host",          "dhcp-option",      "dhcp-option-force",
    "dhcp-leasefile", "dhcp-lease",         "leasefile-ro",     "dhcp-lease-max",
    "dhcp-authoritative", "no-ping",        "dhcp-sequential-ip", "dhcp-ignore-clid",
    "tag-if",         "dhcp-vendorclass",   "dhcp-userclass",   "dhcp-circuitid",
    "dhcp-remoteid",  "dhcp-subscrid",      "dhcp-mac",         "dhcp-match",
    "dhcp-name-match", "dhcp-ignore",       "dhcp-hostsfile",   "dhcp-script",
    // TFTP (issue 6)
    "enable-tftp", "tftp-root", "tftp-unique-root", "tftp-secure", "tftp-no-fail", "tftp-max",
    "tftp-mtu", "tftp-no-blocksize", "tftp-lowercase", "tftp-port-range", "tftp-single-port",
    "dhcp-boot",
    // PXE (issue 6)
    "pxe-service", "pxe-prompt", "dhcp-pxe-vendor", "dhcp-no-override",
    // issue 5, P1 options
    "dhcp-optsfile", "read-ethers", "dhcp-ignore-names", "dhcp-broadcast", "dhcp-fqdn",
    "dhcp-generate-names",
    // issue 5, option 81 (RFC 4702)
    "dhcp-client-update"};

TEST(DhcpOptionTable, EveryDnsmasqOptionHasItsRow) {
  for (const Row& want : kExpected) {
    const OptionSpec* spec = find_option(want.name);
    ASSERT_NE(spec, nullptr) << want.name;
    EXPECT_EQ(spec->short_name, want.short_name) << want.name;
    EXPECT_EQ(spec->arg, want.arg) << want.name;
    EXPECT_EQ(spec->repeat, want.repeat) << want.name;
    EXPECT_EQ(spec->support, kBuiltDhcp.count(want.name) ? Support::Built : Support::NotYet)
        << want.name;
    EXPECT_NE(spec->parse, nullptr) << want.name;
    EXPECT_FALSE(spec->help.empty()) << want.name;
    if (want.short_name) {
      EXPECT_EQ(find_short_option(want.short_name), spec) << want.name;
    }
  }
  EXPECT_EQ(find_option("dhcp-lease")->alias_of, "dhcp-leasefile");
}

TEST(DhcpOptionTable, AreaHoldsNothingElse) {
  std::set<std::string> expected;
  for (const Row& r : kExpected) expected.insert(r.name);
  auto area = dhcp_area();
  EXPECT_EQ(area.options.size(), expected.size());
  for (const auto& spec : area.options) EXPECT_TRUE(expected.count(std::string(spec.name))) << spec.name;
}

TEST(DhcpOptionNames, LookupByNameAndNumber) {
  ASSERT_NE(find_dhcp_option(false, "router"), nullptr);
  EXPECT_EQ(find_dhcp_option(false, "router")->code, 3);
  EXPECT_EQ(find_dhcp_option(false, "ROUTER")->code, 3);  // case does not matter
  EXPECT_TRUE(find_dhcp_option(false, "router")->type & kOptAddrList);
  EXPECT_EQ(find_dhcp_option(false, "classless-static-route")->code, 121);
  EXPECT_TRUE(find_dhcp_option(false, "hostname")->type & kOptInternal);
  EXPECT_EQ(find_dhcp_option(false, "mtu")->type & kOptLengthMask, 2);
  EXPECT_TRUE(find_dhcp_option(false, "T1")->type & kOptTime);
  EXPECT_EQ(find_dhcp_option(false, "nosuch"), nullptr);
  EXPECT_EQ(find_dhcp_option(true, "dns-server")->code, 23);
  EXPECT_TRUE(find_dhcp_option(true, "domain-search")->type & kOptDomainNames);
  EXPECT_EQ(find_dhcp_option(true, 59)->name, "bootfile-url");
  EXPECT_EQ(find_dhcp_option(false, 255)->name, "server-ip-address");
  EXPECT_EQ(find_dhcp_option(false, 128), nullptr);
}

TEST(DhcpOptionNames, PublicNamesMatchDnsmasqHelp) {
  // Numbers listed by `dnsmasq --help dhcp` / `--help dhcp6` (the non-internal names).
  const std::set<int> v4 = {1,  2,  3,  6,  7,  9,  13, 15, 16, 17, 18,  19,  20,  21,  22,
                            23, 26, 27, 31, 32, 33, 34, 35, 36, 37, 38,  40,  41,  42,  44,
                            45, 46, 47, 48, 49, 58, 59, 60, 64, 65, 66,  67,  68,  69,  70,
                            71, 74, 77, 80, 93, 94, 97, 100, 101, 108, 119, 120, 121, 125, 150, 255};
  const std::set<int> v6 = {21, 22, 23, 24, 27, 28, 29, 30, 31, 32, 41, 42, 56, 59, 60};
  std::set<int> got4, got6;
  for (const auto& e : dhcp4_option_names())
    if (!(e.type & kOptInternal)) got4.insert(e.code);
  for (const auto& e : dhcp6_option_names())
    if (!(e.type & kOptInternal)) got6.insert(e.code);
  EXPECT_EQ(got4, v4);
  EXPECT_EQ(got6, v6);
}

}  // namespace
}  // namespace masqd::config

namespace masqd::config {
namespace {

std::string load_error(std::vector<std::string> args) {
  std::vector<std::string> argv{"masqd", "-p", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  LoadOptions lo;
  lo.default_conf_file = "";
  auto r = load(ptrs, lo);
  return r ? std::string() : r.error().message;
}

// Built options whose unbuilt forms must still stop start-up, never be ignored.
TEST(DhcpOptionTable, UnbuiltFormsOfBuiltOptionsAreRefused) {
  EXPECT_EQ(load_error({"--dhcp-range=192.0.2.10,192.0.2.20"}), "");
  EXPECT_EQ(load_error({"--dhcp-range=192.0.2.0,proxy"}), "");
  EXPECT_EQ(load_error({"--pxe-service=x86PC,Boot,pxelinux,bootserver"}),
            "option --pxe-service (boot server name) is not supported yet");
  EXPECT_EQ(load_error({"--pxe-service=x86PC,Boot,pxelinux,192.0.2.7"}), "");
  EXPECT_EQ(load_error({"--enable-tftp", "--dhcp-script=/bin/true"}),
            "option --dhcp-script (tftp events without an IPv4 dhcp-range) is not supported yet");
  EXPECT_EQ(load_error({"--enable-tftp", "--dhcp-script=/bin/true", "--dhcp-range=192.0.2.10,192.0.2.20"}), "");
  EXPECT_EQ(load_error({"--dhcp-range=2001:db8::10,2001:db8::20"}),
            "option --dhcp-range (IPv6) is not supported yet");
  EXPECT_EQ(load_error({"--dhcp-host=02:00:00:00:00:01,[2001:db8::5]"}),
            "option --dhcp-host=...,[IPv6] is not supported yet");
  // The encapsulated forms are built (dhcp/encap_options.h).
  EXPECT_EQ(load_error({"--dhcp-option=encap:175,1,5b"}), "");
  EXPECT_EQ(load_error({"--dhcp-option=vendor:MSFT,2,1i"}), "");
  EXPECT_EQ(load_error({"--dhcp-option-force=vi-encap:3561,1,abc"}), "");
  EXPECT_EQ(load_error({"--dhcp-option=option6:23,[::]"}),
            "option --dhcp-option=option6: is not supported yet");
  EXPECT_EQ(load_error({"--dhcp-option=tag:x,3,192.0.2.1", "--dhcp-option-force=42,192.0.2.5"}), "");
  // --log-dhcp is built for DHCPv4, PXE and proxy replies included.
  EXPECT_EQ(load_error({"--dhcp-range=192.0.2.10,192.0.2.20", "--log-dhcp"}), "");
  EXPECT_EQ(load_error({"--dhcp-range=192.0.2.10,192.0.2.20", "--log-dhcp", "--pxe-service=x86PC,Boot,pxelinux"}), "");
  EXPECT_EQ(load_error({"--dhcp-range=192.0.2.0,proxy", "--log-dhcp"}), "");
  EXPECT_EQ(load_error({"--log-dhcp"}), "");  // nothing to log without DHCP
  EXPECT_EQ(load_error({"--dhcp-vendorclass=set:x,enterprise:4491,abc"}),
            "option --dhcp-vendorclass=...,enterprise: is not supported yet");
  EXPECT_EQ(load_error({"--dhcp-match=set:x,vi-encap:13,1"}),
            "option --dhcp-match=vi-encap: is not supported yet");
}

}  // namespace
}  // namespace masqd::config
