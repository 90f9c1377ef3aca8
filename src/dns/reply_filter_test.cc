#include "dns/reply_filter.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

#include "dns/forward_engine.h"

namespace masqd::dns {
namespace {

namespace pd = proto::dns;

pd::Question question(const char* name, uint16_t type) {
  pd::Question q;
  q.name = *pd::Name::from_text(name);
  q.qtype = type;
  q.qclass = pd::cls::IN;
  return q;
}

void put(std::vector<uint8_t>& m, std::initializer_list<int> bytes) {
  for (int b : bytes) m.push_back(static_cast<uint8_t>(b));
}

// A reply to `q` (ID 0x0101) with the given A/AAAA answers and, optionally, an OPT record.
std::vector<uint8_t> reply(const pd::Question& q, const std::vector<const char*>& addrs, bool opt = false) {
  std::vector<uint8_t> m;
  put(m, {0x01, 0x01, 0x81, 0x80, 0, 1, 0, static_cast<int>(addrs.size()), 0, 0, 0, opt ? 1 : 0});
  auto w = q.name.wire();
  m.insert(m.end(), w.begin(), w.end());
  put(m, {q.qtype >> 8, q.qtype & 0xff, 0, 1});
  for (const char* a : addrs) {
    const IpAddr ip = *IpAddr::parse(a);
    const uint16_t t = ip.is_v4() ? pd::rr::A : pd::rr::AAAA;
    put(m, {0xc0, 0x0c, t >> 8, t & 0xff, 0, 1, 0, 0, 1, 0x2c, 0, static_cast<int>(ip.size())});
    for (size_t i = 0; i < ip.size(); ++i) m.push_back(ip.bytes()[i]);
  }
  if (opt) put(m, {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0});
  return m;
}

struct Run {
  FilterOutcome outcome;
  std::vector<uint8_t> out = std::vector<uint8_t>(4096);
};

Run run(const std::vector<uint8_t>& r, const pd::Question& q, const ReplyFilters& f) {
  Run x;
  EXPECT_EQ(check_reply(pd::Bytes(r), 0x0101, q), ReplyCheck::Ok);
  x.outcome = filter_reply(pd::Bytes(r), q, f, x.out);
  return x;
}

TEST(ReplyFilter, NothingConfiguredPassesEverything) {
  auto q = question("www.example.com", pd::rr::A);
  ReplyFilters f;
  EXPECT_FALSE(f.active());
  EXPECT_EQ(run(reply(q, {"192.168.1.1"}), q, f).outcome.verdict, FilterOutcome::Verdict::Pass);
}

TEST(ReplyFilter, FilteredTypeBecomesNodataWithFilteredEde) {
  auto q = question("www.example.com", pd::rr::AAAA);
  ReplyFilters f;
  f.strip_types = {pd::rr::AAAA};
  auto x = run(reply(q, {"2001:db8::1"}, true), q, f);
  ASSERT_EQ(x.outcome.verdict, FilterOutcome::Verdict::Replaced);
  pd::Bytes m(x.out.data(), x.outcome.len);
  auto h = pd::parse_header(m);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->ancount, 0);
  EXPECT_EQ(h->arcount, 1);  // the OPT, with EDE 17
  EXPECT_EQ(m[3] & 0x0f, pd::rcode::NoError);
  EXPECT_EQ(m[m.size() - 1], 17);
  EXPECT_FALSE(x.outcome.log_reply);
  EXPECT_EQ(x.outcome.log_lines, std::vector<std::string>{"config www.example.com is NODATA-IPv6"});
  // Other types pass.
  auto qa = question("www.example.com", pd::rr::A);
  EXPECT_EQ(run(reply(qa, {"192.0.2.1"}), qa, f).outcome.verdict, FilterOutcome::Verdict::Pass);
}

TEST(ReplyFilter, BogusNxdomainAndIgnoreAddress) {
  auto q = question("x.example.com", pd::rr::A);
  ReplyFilters f;
  f.bogus_nxdomain = {*IpPrefix::parse("198.51.100.0/24")};
  f.ignore = {*IpPrefix::parse("192.0.2.5")};
  auto x = run(reply(q, {"192.0.2.9", "198.51.100.66"}), q, f);
  ASSERT_EQ(x.outcome.verdict, FilterOutcome::Verdict::Replaced);
  EXPECT_EQ(x.out[3] & 0x0f, pd::rcode::NxDomain);
  EXPECT_EQ(x.outcome.log_lines, std::vector<std::string>{"config x.example.com is NXDOMAIN"});
  EXPECT_EQ(run(reply(q, {"198.51.100.66", "192.0.2.5"}), q, f).outcome.verdict, FilterOutcome::Verdict::Ignore);
  EXPECT_EQ(run(reply(q, {"192.0.2.6"}), q, f).outcome.verdict, FilterOutcome::Verdict::Pass);
}

TEST(ReplyFilter, AliasRewritesInPlaceKeepingHostBits) {
  auto q = question("a.example.com", pd::rr::A);
  ReplyFilters f;
  config::AddressAlias al;
  al.start = *IpAddr::parse("10.1.2.10");
  al.end = *IpAddr::parse("10.1.2.40");
  al.target = *IpAddr::parse("172.16.9.0");
  al.mask = *IpAddr::parse("255.255.255.0");
  f.aliases = {al};
  auto r = reply(q, {"10.1.2.20", "10.1.2.50"});
  auto x = run(r, q, f);
  ASSERT_EQ(x.outcome.verdict, FilterOutcome::Verdict::Replaced);
  EXPECT_EQ(x.outcome.len, r.size());
  EXPECT_TRUE(x.outcome.log_reply);
  EXPECT_EQ(x.outcome.log_lines, std::vector<std::string>{"config a.example.com is 172.16.9.20"});
  const size_t first = 12 + q.name.wire_size() + 4 + 12;
  EXPECT_EQ(std::vector<uint8_t>(x.out.begin() + first, x.out.begin() + first + 4),
            (std::vector<uint8_t>{172, 16, 9, 20}));
  EXPECT_EQ(std::vector<uint8_t>(x.out.begin() + first + 16, x.out.begin() + first + 20),
            (std::vector<uint8_t>{10, 1, 2, 50}));  // outside the range: unchanged
}

TEST(ReplyFilter, RebindBlocksPrivateAnswersWithExceptions) {
  ReplyFilters f;
  f.stop_rebind = true;
  f.rebind_ok = {config::DomainPattern{config::DomainPattern::Kind::Suffix, "ok.test", false}};
  auto q = question("x.example.com", pd::rr::A);
  auto x = run(reply(q, {"8.8.8.8", "192.168.1.1"}, true), q, f);
  ASSERT_EQ(x.outcome.verdict, FilterOutcome::Verdict::Replaced);
  EXPECT_EQ(x.outcome.warning, "possible DNS-rebind attack detected: x.example.com");
  EXPECT_EQ(x.out[x.outcome.len - 1], 15);  // EDE blocked
  EXPECT_EQ(run(reply(q, {"8.8.8.8"}), q, f).outcome.verdict, FilterOutcome::Verdict::Pass);
  auto ok = question("a.ok.test", pd::rr::A);
  EXPECT_EQ(run(reply(ok, {"10.0.0.1"}), ok, f).outcome.verdict, FilterOutcome::Verdict::Pass);
  // Loopback and 0/8 only with --rebind-localhost-ok; ULA never.
  EXPECT_EQ(run(reply(q, {"127.0.0.1"}), q, f).outcome.verdict, FilterOutcome::Verdict::Replaced);
  f.rebind_localhost_ok = true;
  EXPECT_EQ(run(reply(q, {"127.0.0.1"}), q, f).outcome.verdict, FilterOutcome::Verdict::Pass);
  EXPECT_EQ(run(reply(q, {"0.0.0.0"}), q, f).outcome.verdict, FilterOutcome::Verdict::Pass);
  auto q6 = question("x.example.com", pd::rr::AAAA);
  EXPECT_EQ(run(reply(q6, {"fd00::1"}), q6, f).outcome.verdict, FilterOutcome::Verdict::Replaced);
}

}  // namespace
}  // namespace masqd::dns
