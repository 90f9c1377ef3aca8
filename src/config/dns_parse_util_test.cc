// dnsmasq-compatible number, list, hex and reverse-zone helpers used by the DNS parsers.
#include "config/dns_parse_util.h"

#include <gtest/gtest.h>

namespace masqd::config::dnsopt {
namespace {

TEST(DnsParseUtil, CAtoiWrapsLikeGlibc) {
  EXPECT_EQ(c_atoi(""), 0);
  EXPECT_EQ(c_atoi("007"), 7);
  EXPECT_EQ(c_atoi("2147483648"), INT32_MIN);
  EXPECT_EQ(c_atoi("4294967296"), 0);
  EXPECT_EQ(c_atoi("99999999999"), 1215752191);
  EXPECT_EQ(c_atoi("99999999999999999999999"), -1);  // saturates at INT64_MAX first
  EXPECT_FALSE(c_atoi("-1"));
  EXPECT_FALSE(c_atoi("+1"));
  EXPECT_FALSE(c_atoi(" 1"));
  EXPECT_EQ(c_atoi16("65535"), 65535);
  EXPECT_FALSE(c_atoi16("65536"));
  EXPECT_FALSE(c_atoi8("256"));
}

TEST(DnsParseUtil, CStrtol) {
  EXPECT_EQ(c_strtol("0x10", 0), 16);
  EXPECT_EQ(c_strtol("010", 0), 8);
  EXPECT_EQ(c_strtol("xyz", 0), 0);
  EXPECT_EQ(c_strtol("-1", 0), -1);
  EXPECT_EQ(c_strtol("12abc", 10), 12);
  EXPECT_EQ(c_strtoul32(" +5"), 5u);
  EXPECT_FALSE(c_strtoul32("4294967296"));
}

TEST(DnsParseUtil, FieldsDropSpacesAroundCommasOnly) {
  OptArg arg(" a , b,  c ,");
  Fields f(arg);
  EXPECT_EQ(f.next(), " a");
  EXPECT_EQ(f.next(), "b");
  EXPECT_EQ(f.rest(), "c ,");
  EXPECT_FALSE(f.next());
  EXPECT_EQ(split_all(OptArg("x,")), (std::vector<std::string>{"x", ""}));
  EXPECT_EQ(split_all(OptArg("a\t,b")), (std::vector<std::string>{"a\t", "b"}));
}

TEST(DnsParseUtil, NamesAndSlashes) {
  EXPECT_EQ(check_name("a.test."), "a.test");
  EXPECT_FALSE(check_name(std::string(64, 'a')));
  EXPECT_TRUE(check_name(std::string(63, 'a')));
  auto s = split_slash_domains("/a/ b /rest");
  EXPECT_EQ(s.domains, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.rest, "rest");
  EXPECT_EQ(split_slash_domains("/x").rest, "x");
  EXPECT_TRUE(split_slash_domains("/x").domains.empty());
  auto star = parse_domain_pattern("*Wild.Test");
  ASSERT_TRUE(star);
  EXPECT_TRUE(star->wildcard);
  EXPECT_EQ(star->name, "wild.test");
  EXPECT_EQ(parse_domain_pattern(".a.b")->name, "a.b");
}

TEST(DnsParseUtil, HexAndRrTypes) {
  EXPECT_EQ(parse_hex("01:23"), (std::vector<uint8_t>{0x01, 0x23}));
  EXPECT_EQ(parse_hex("0123"), (std::vector<uint8_t>{0x01, 0x23}));
  EXPECT_EQ(parse_hex("1:2-3 4"), (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_FALSE(parse_hex("0x01"));
  EXPECT_FALSE(parse_hex("01,02"));
  EXPECT_EQ(parse_rr_type("aaaa"), 28);
  EXPECT_EQ(parse_rr_type("NSAP_PTR"), 23);
  EXPECT_EQ(parse_rr_type("65536"), 0);
  EXPECT_FALSE(parse_rr_type("TYPE1"));
}

TEST(DnsParseUtil, ReverseZones) {
  EXPECT_EQ(reverse_zones({*IpAddr::parse("10.0.0.0"), 8}), std::vector<std::string>{"10.in-addr.arpa"});
  EXPECT_EQ(reverse_zones({*IpAddr::parse("10.0.0.0"), 7}),
            (std::vector<std::string>{"10.in-addr.arpa", "11.in-addr.arpa"}));
  EXPECT_EQ(reverse_zones({*IpAddr::parse("2001:db8::"), 32}),
            std::vector<std::string>{"8.b.d.0.1.0.0.2.ip6.arpa"});
}

}  // namespace
}  // namespace masqd::config::dnsopt
