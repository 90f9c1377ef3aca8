// SynthNames: --synth-domain names both ways. Expected spellings are the ones dnsmasq 2.90
// gave for the same options (tests/compat/test_local_compat.py compares the wire answers).
#include "local/synth_names.h"

#include <gtest/gtest.h>

namespace masqd::local {
namespace {

using Family = IpAddr::Family;

config::SynthDomain prefix_domain(const char* domain, const char* prefix, const char* name_prefix,
                                  bool sequential = false) {
  config::SynthDomain d;
  d.domain = domain;
  d.prefix = *IpPrefix::parse(prefix);
  d.name_prefix = name_prefix;
  d.sequential = sequential;
  return d;
}

config::SynthDomain range_domain(const char* domain, const char* start, const char* end,
                                 const char* name_prefix, bool sequential = false) {
  config::SynthDomain d;
  d.domain = domain;
  d.is_range = true;
  d.start = *IpAddr::parse(start);
  d.end = *IpAddr::parse(end);
  d.name_prefix = name_prefix;
  d.sequential = sequential;
  return d;
}

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

TEST(SynthNames, Ipv4NameAndAddressBothWays) {
  SynthNames s({prefix_domain("syn.test", "192.0.2.0/24", "h-")});
  EXPECT_EQ(s.name_of(ip("192.0.2.5")), "h-192-0-2-5.syn.test");
  EXPECT_EQ(s.address_of("h-192-0-2-5.syn.test", Family::V4), ip("192.0.2.5"));
  // Outside the prefix, the wrong family, a leading zero, a short address, a sub-name.
  EXPECT_FALSE(s.name_of(ip("192.0.3.5")));
  EXPECT_FALSE(s.address_of("h-192-0-3-5.syn.test", Family::V4));
  EXPECT_FALSE(s.address_of("h-192-0-2-5.syn.test", Family::V6));
  EXPECT_FALSE(s.address_of("h-192-0-2-05.syn.test", Family::V4));
  EXPECT_FALSE(s.address_of("h-192-0-2.syn.test", Family::V4));
  EXPECT_FALSE(s.address_of("x.h-192-0-2-5.syn.test", Family::V4));
  EXPECT_FALSE(s.address_of("192-0-2-5.syn.test", Family::V4));  // no prefix
  EXPECT_FALSE(s.address_of("syn.test", Family::V4));
}

TEST(SynthNames, PrefixMatchesWithoutRegardToCase) {
  SynthNames s({prefix_domain("Syn.Test", "192.0.2.0/24", "H-")});
  EXPECT_EQ(s.address_of("h-192-0-2-5.syn.test", Family::V4), ip("192.0.2.5"));
  EXPECT_EQ(s.name_of(ip("192.0.2.5")), "H-192-0-2-5.syn.test");
}

TEST(SynthNames, Ipv6IsWrittenCompressedAndReadInAnyForm) {
  SynthNames s({prefix_domain("six.test", "2001:db8::/64", "")});
  EXPECT_EQ(s.name_of(ip("2001:db8::1")), "2001-db8--1.six.test");
  EXPECT_EQ(s.name_of(ip("2001:db8::")), "2001-db8--.six.test");
  EXPECT_EQ(s.address_of("2001-db8--1.six.test", Family::V6), ip("2001:db8::1"));
  EXPECT_EQ(s.address_of("2001-db8-0-0-0-0-0-1.six.test", Family::V6), ip("2001:db8::1"));
  EXPECT_EQ(s.address_of("2001-0db8-0000-0000-0000-0000-0000-0001.six.test", Family::V6),
            ip("2001:db8::1"));
  EXPECT_EQ(s.address_of("2001-db8--0-1.six.test", Family::V6), ip("2001:db8::1"));
  EXPECT_FALSE(s.address_of("2001-db8-1--1.six.test", Family::V6));
  EXPECT_FALSE(s.address_of("2001-db8--g.six.test", Family::V6));
}

TEST(SynthNames, LeadingColonGetsAZeroOnlyWithoutPrefix) {
  SynthNames bare({prefix_domain("z.test", "::/64", "")});
  EXPECT_EQ(bare.name_of(ip("::1")), "0--1.z.test");
  EXPECT_EQ(bare.address_of("0--1.z.test", Family::V6), ip("::1"));
  SynthNames pre({prefix_domain("z.test", "::/64", "p")});
  EXPECT_EQ(pre.name_of(ip("::1")), "p--1.z.test");
  EXPECT_EQ(pre.address_of("p--1.z.test", Family::V6), ip("::1"));
}

TEST(SynthNames, SequentialIndexFromTheRangeStart) {
  SynthNames s({range_domain("idx.test", "198.51.100.10", "198.51.100.20", "n", true)});
  EXPECT_EQ(s.name_of(ip("198.51.100.12")), "n2.idx.test");
  EXPECT_EQ(s.name_of(ip("198.51.100.10")), "n0.idx.test");
  EXPECT_FALSE(s.name_of(ip("198.51.100.21")));
  EXPECT_EQ(s.address_of("n2.idx.test", Family::V4), ip("198.51.100.12"));
  EXPECT_EQ(s.address_of("n10.idx.test", Family::V4), ip("198.51.100.20"));
  EXPECT_EQ(s.address_of("n010.idx.test", Family::V4), ip("198.51.100.20"));
  EXPECT_EQ(s.address_of("n.idx.test", Family::V4), ip("198.51.100.10"));
  EXPECT_FALSE(s.address_of("n11.idx.test", Family::V4));
  EXPECT_FALSE(s.address_of("n2x.idx.test", Family::V4));
  // The index is 32 bits wide for IPv4: it wraps around.
  EXPECT_EQ(s.address_of("n4294967298.idx.test", Family::V4), ip("198.51.100.12"));
}

TEST(SynthNames, SequentialIpv6) {
  SynthNames s({prefix_domain("idx6.test", "2001:db8:1::/64", "q", true)});
  EXPECT_EQ(s.name_of(ip("2001:db8:1::5")), "q5.idx6.test");
  EXPECT_EQ(s.address_of("q5.idx6.test", Family::V6), ip("2001:db8:1::5"));
  EXPECT_EQ(s.address_of("q4294967301.idx6.test", Family::V6), ip("2001:db8:1::1:0:5"));
  EXPECT_FALSE(s.address_of("q5.idx6.test", Family::V4));
}

TEST(SynthNames, LastDomainGivenWinsTheReverseName) {
  SynthNames s({prefix_domain("syn.test", "192.0.2.0/24", "h-"),
                prefix_domain("both.test", "192.0.2.0/24", "")});
  EXPECT_EQ(s.name_of(ip("192.0.2.20")), "192-0-2-20.both.test");
  EXPECT_EQ(s.address_of("h-192-0-2-20.syn.test", Family::V4), ip("192.0.2.20"));
}

TEST(SynthNames, Ipv4MappedIpv6) {
  SynthNames s({prefix_domain("m.test", "::ffff:0:0/96", "")});
  EXPECT_EQ(s.name_of(ip("::ffff:192.0.2.1")), "0--ffff-192-0-2-1.m.test");
  EXPECT_EQ(s.address_of("--ffff-192-0-2-1.m.test", Family::V6), ip("::ffff:192.0.2.1"));
  // The reverse name does not read back: "0--ffff-..." is taken as colon-separated groups.
  EXPECT_FALSE(s.address_of("0--ffff-192-0-2-1.m.test", Family::V6));
}

}  // namespace
}  // namespace masqd::local
