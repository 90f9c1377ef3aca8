#include "dns/cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proto/dns_builder.h"

namespace masqd::dns {
namespace {

namespace pd = proto::dns;

constexpr int64_t kNow = 1'800'000'000;

std::vector<uint8_t> wire_name(std::string_view text) {
  auto n = pd::Name::from_text(text);
  auto w = n->wire();
  return {w.begin(), w.end()};
}

void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x & 0xff));
}
void put32(std::vector<uint8_t>& v, uint32_t x) {
  put16(v, static_cast<uint16_t>(x >> 16));
  put16(v, static_cast<uint16_t>(x & 0xffff));
}

// A DNS message written record by record (names uncompressed unless given as raw bytes).
struct Msg {
  std::vector<uint8_t> b = std::vector<uint8_t>(12);
  uint16_t an = 0, ns = 0, ar = 0;

  Msg(std::string_view qname, uint16_t qtype, uint16_t flags = 0x8180, uint16_t qclass = 1) {
    pd::put_u16(b, 0, 0x4242);
    pd::put_u16(b, 2, flags);
    pd::put_u16(b, 4, 1);
    auto n = wire_name(qname);
    b.insert(b.end(), n.begin(), n.end());
    put16(b, qtype);
    put16(b, qclass);
  }
  Msg& rr(uint16_t* count, std::vector<uint8_t> owner, uint16_t type, uint32_t ttl,
          std::vector<uint8_t> rdata) {
    b.insert(b.end(), owner.begin(), owner.end());
    put16(b, type);
    put16(b, pd::cls::IN);
    put32(b, ttl);
    put16(b, static_cast<uint16_t>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
    ++*count;
    pd::put_u16(b, 6, an);
    pd::put_u16(b, 8, ns);
    pd::put_u16(b, 10, ar);
    return *this;
  }
  Msg& a(std::string_view owner, uint32_t ttl, std::vector<uint8_t> addr) {
    return rr(&an, wire_name(owner), addr.size() == 4 ? pd::rr::A : pd::rr::AAAA, ttl, addr);
  }
  Msg& cname(std::string_view owner, uint32_t ttl, std::string_view target) {
    return rr(&an, wire_name(owner), pd::rr::CNAME, ttl, wire_name(target));
  }
  Msg& soa(std::string_view owner, uint32_t ttl, uint32_t minimum) {
    std::vector<uint8_t> rd = wire_name("ns.test");
    auto m = wire_name("host.test");
    rd.insert(rd.end(), m.begin(), m.end());
    for (uint32_t v : {1u, 2u, 3u, 4u, minimum}) put32(rd, v);
    return rr(&ns, wire_name(owner), pd::rr::SOA, ttl, rd);
  }
  pd::Bytes bytes() const { return b; }
};

pd::Question question(std::string_view name, uint16_t qtype) {
  return pd::Question{*pd::Name::from_text(name), qtype, pd::cls::IN};
}

// A checked client query (the packet must outlive the result: spans point into it).
struct Query {
  std::vector<uint8_t> packet;
  ClientQuery q;
  Query(std::string_view name, uint16_t qtype, uint16_t flags = 0x0100, bool edns = false,
        bool do_bit = false, uint16_t qclass = 1) {
    Msg m(name, qtype, flags, qclass);
    packet = m.b;
    if (edns) {
      std::vector<uint8_t> opt(pd::kOptRecordSize);
      pd::write_opt(pd::ReplyEdns{1232, do_bit, std::nullopt}, opt);
      packet.insert(packet.end(), opt.begin(), opt.end());
      pd::put_u16(packet, 10, 1);
    }
    auto c = check_query(packet, 1232);
    EXPECT_EQ(c.outcome, CheckedQuery::Outcome::Ok);
    q = c.query;
  }
};

struct Record {
  std::string owner;
  uint16_t type;
  uint32_t ttl;
  std::vector<uint8_t> rdata;  // names expanded
};
struct Reply {
  pd::Header h;
  std::vector<Record> answer, authority;
  bool has_opt = false;
};

Reply parse(pd::Bytes msg) {
  Reply out;
  auto v = pd::MessageView::parse(msg);
  EXPECT_TRUE(v.ok());
  if (!v) return out;
  out.h = v->header();
  out.has_opt = v->edns().has_value();
  size_t p = v->answer_offset();
  for (unsigned i = 0; i < out.h.ancount + out.h.nscount; ++i) {
    pd::RecordView r;
    auto n = pd::read_record(msg, p, r);
    EXPECT_TRUE(n.ok());
    if (!n) break;
    p = *n;
    Record rec{r.owner.to_text(), r.type, r.ttl, {}};
    if (r.type == pd::rr::CNAME || r.type == pd::rr::PTR) {
      pd::Name t;
      EXPECT_TRUE(pd::read_name(msg, r.rdata_offset, t).ok());
      auto w = t.wire();
      rec.rdata.assign(w.begin(), w.end());
    } else {
      rec.rdata.assign(msg.begin() + static_cast<std::ptrdiff_t>(r.rdata_offset),
                       msg.begin() + static_cast<std::ptrdiff_t>(r.rdata_offset + r.rdlength));
    }
    (i < out.h.ancount ? out.answer : out.authority).push_back(rec);
  }
  return out;
}

struct DnsCacheTest : ::testing::Test {
  CacheOptions opts;
  std::unique_ptr<DnsCache> cache;
  std::vector<uint8_t> buf = std::vector<uint8_t>(65536);
  std::vector<std::string> log;
  LogSink sink = [this](std::string_view l) { log.emplace_back(l); };

  DnsCache& c() {
    if (!cache) cache = std::make_unique<DnsCache>(opts);
    return *cache;
  }
  // Answers q from the cache; nullopt on a miss.
  bool stale = false;  // set by the last ask()
  std::optional<Reply> ask(const Query& q, int64_t now = kNow, bool tcp = false,
                           std::optional<uint32_t> max_ttl = {}) {
    CacheReplyParams p;
    stale = false;
    p.stale = &stale;
    p.now = now;
    p.tcp = tcp;
    p.client_max_ttl = max_ttl;
    p.log = &sink;
    size_t n = c().answer(q.q, p, buf);
    if (n == 0) return std::nullopt;
    return parse(pd::Bytes(buf.data(), n));
  }
};

TEST_F(DnsCacheTest, PositiveAnswerCountsDownAndExpires) {
  c().insert_reply(Msg("www.example.com", pd::rr::A).a("www.example.com", 300, {192, 0, 2, 1}).bytes(),
                   question("www.example.com", pd::rr::A), kNow);
  Query q("www.example.com", pd::rr::A);
  auto r = ask(q);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->h.id, 0x4242);
  EXPECT_EQ(r->h.rcode(), 0);
  EXPECT_TRUE(r->h.qr() && r->h.ra() && r->h.rd());
  EXPECT_FALSE(r->h.aa());
  ASSERT_EQ(r->answer.size(), 1u);
  EXPECT_EQ(r->answer[0].ttl, 300u);
  EXPECT_EQ(r->answer[0].rdata, (std::vector<uint8_t>{192, 0, 2, 1}));
  EXPECT_EQ(log, (std::vector<std::string>{"cached www.example.com is 192.0.2.1"}));
  EXPECT_EQ(ask(q, kNow + 1)->answer[0].ttl, 299u);
  EXPECT_EQ(ask(q, kNow + 299)->answer[0].ttl, 1u);
  EXPECT_FALSE(ask(q, kNow + 300));
  EXPECT_FALSE(ask(Query("www.example.com", pd::rr::AAAA)));
}

TEST_F(DnsCacheTest, UseStaleCacheAnswersExpiredEntriesWithTtlZero) {
  opts.stale_max = 10;
  c().insert_reply(Msg("www.example.com", pd::rr::A).a("www.example.com", 300, {192, 0, 2, 1}).bytes(),
                   question("www.example.com", pd::rr::A), kNow);
  Query q("www.example.com", pd::rr::A);
  auto fresh = ask(q, kNow + 299);
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(stale);
  EXPECT_EQ(fresh->answer.at(0).ttl, 1u);
  log.clear();
  // Expired at kNow + 300; served with TTL 0 while it expired less than 10 s ago.
  auto old = ask(q, kNow + 309);
  ASSERT_TRUE(old);
  EXPECT_TRUE(stale);
  EXPECT_EQ(old->answer.at(0).ttl, 0u);
  EXPECT_EQ(log, std::vector<std::string>{"cached-stale www.example.com is 192.0.2.1"});
  EXPECT_FALSE(ask(q, kNow + 310));  // 10 s past expiry: gone (and dropped)
  EXPECT_FALSE(ask(q, kNow + 309));
}

TEST_F(DnsCacheTest, UseStaleCacheZeroServesAnyAgeNegativeToo) {
  opts.stale_max = 0;
  c().insert_reply(Msg("a.nx.test", pd::rr::A, 0x8183).soa("test", 60, 60).bytes(),
                   question("a.nx.test", pd::rr::A), kNow);
  Query q("a.nx.test", pd::rr::MX);
  auto r = ask(q, kNow + 1'000'000);
  ASSERT_TRUE(r);
  EXPECT_TRUE(stale);
  EXPECT_EQ(r->h.rcode(), pd::rcode::NxDomain);
  EXPECT_EQ(r->authority.at(0).ttl, 0u);
  EXPECT_EQ(log.back(), "cached-stale a.nx.test is NXDOMAIN");
}

TEST_F(DnsCacheTest, WithoutUseStaleCacheExpiredIsAMiss) {
  c().insert_reply(Msg("www.example.com", pd::rr::A).a("www.example.com", 300, {192, 0, 2, 1}).bytes(),
                   question("www.example.com", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("www.example.com", pd::rr::A), kNow + 300));
}

TEST_F(DnsCacheTest, LookupIgnoresCaseAndAnswersInTheClientsCase) {
  c().insert_reply(Msg("www.example.com", pd::rr::A).a("www.example.com", 60, {192, 0, 2, 1}).bytes(),
                   question("www.example.com", pd::rr::A), kNow);
  auto r = ask(Query("WwW.ExAmple.COM", pd::rr::A));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer[0].owner, "WwW.ExAmple.COM");
}

TEST_F(DnsCacheTest, ZeroTtlIsNotCachedUnlessMinCacheTtlRaisesIt) {
  Msg m("z.example", pd::rr::A);
  m.a("z.example", 0, {192, 0, 2, 5});
  c().insert_reply(m.bytes(), question("z.example", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("z.example", pd::rr::A)));
  cache.reset();
  opts.min_ttl = 30;
  c().insert_reply(m.bytes(), question("z.example", pd::rr::A), kNow);
  auto r = ask(Query("z.example", pd::rr::A), kNow + 1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer[0].ttl, 29u);
}

TEST_F(DnsCacheTest, MaxCacheTtlAndClientMaxTtl) {
  opts.max_ttl = 100;
  c().insert_reply(Msg("m.example", pd::rr::A).a("m.example", 300, {192, 0, 2, 1}).bytes(),
                   question("m.example", pd::rr::A), kNow);
  EXPECT_EQ(ask(Query("m.example", pd::rr::A))->answer[0].ttl, 100u);
  EXPECT_EQ(ask(Query("m.example", pd::rr::A), kNow, false, 50)->answer[0].ttl, 50u);
  EXPECT_FALSE(ask(Query("m.example", pd::rr::A), kNow + 100));
}

TEST_F(DnsCacheTest, RoundRobinRotatesByOnePerLookup) {
  Msg m("many.example", pd::rr::A);
  for (uint8_t i = 1; i <= 4; ++i) m.a("many.example", 300, {192, 0, 2, i});
  c().insert_reply(m.bytes(), question("many.example", pd::rr::A), kNow);
  auto order = [&] {
    std::vector<int> o;
    auto r = ask(Query("many.example", pd::rr::A));
    for (const auto& rec : r->answer) o.push_back(rec.rdata[3]);
    return o;
  };
  // dnsmasq 2.90: the stored order first, then rotated right by one each lookup.
  EXPECT_EQ(order(), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(order(), (std::vector<int>{4, 1, 2, 3}));
  EXPECT_EQ(order(), (std::vector<int>{3, 4, 1, 2}));
}

TEST_F(DnsCacheTest, NoRoundRobinKeepsOrder) {
  opts.round_robin = false;
  Msg m("many.example", pd::rr::A);
  for (uint8_t i = 1; i <= 3; ++i) m.a("many.example", 300, {192, 0, 2, i});
  c().insert_reply(m.bytes(), question("many.example", pd::rr::A), kNow);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(ask(Query("many.example", pd::rr::A))->answer[0].rdata[3], 1);
}

TEST_F(DnsCacheTest, CnameChainIsCachedLinkByLink) {
  Msg m("cname.example.com", pd::rr::A);
  m.cname("cname.example.com", 100, "target.example").a("target.example", 200, {192, 0, 2, 7})
      .a("target.example", 200, {192, 0, 2, 8});
  c().insert_reply(m.bytes(), question("cname.example.com", pd::rr::A), kNow);

  auto r = ask(Query("cname.example.com", pd::rr::A));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->answer.size(), 3u);
  EXPECT_EQ(r->answer[0].type, pd::rr::CNAME);
  EXPECT_EQ(r->answer[0].ttl, 100u);
  EXPECT_EQ(r->answer[1].owner, "target.example");
  EXPECT_EQ(r->answer[1].ttl, 200u);
  EXPECT_EQ(log, (std::vector<std::string>{"cached cname.example.com is <CNAME>",
                                           "cached target.example is 192.0.2.7",
                                           "cached target.example is 192.0.2.8"}));
  // The target alone, and the link alone (a CNAME query answered from the cache has AA,
  // as dnsmasq 2.90's does).
  EXPECT_EQ(ask(Query("target.example", pd::rr::A))->answer.size(), 2u);
  auto c2 = ask(Query("cname.example.com", pd::rr::CNAME));
  ASSERT_TRUE(c2);
  EXPECT_TRUE(c2->h.aa());
  EXPECT_EQ(c2->answer.size(), 1u);
  // AAAA of the target is unknown: forwarded, after logging the link (as dnsmasq).
  log.clear();
  EXPECT_FALSE(ask(Query("cname.example.com", pd::rr::AAAA)));
  EXPECT_EQ(log, (std::vector<std::string>{"cached cname.example.com is <CNAME>"}));
}

TEST_F(DnsCacheTest, OverlongChainsStopBeingCached) {
  Msg m("c0.example", pd::rr::A);
  for (int i = 0; i < 12; ++i)
    m.cname("c" + std::to_string(i) + ".example", 60, "c" + std::to_string(i + 1) + ".example");
  m.a("c12.example", 60, {192, 0, 2, 1});
  c().insert_reply(m.bytes(), question("c0.example", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("c0.example", pd::rr::A)));
  EXPECT_FALSE(ask(Query("c12.example", pd::rr::A)));
}

TEST_F(DnsCacheTest, NxdomainIsCachedForEveryTypeWithItsSoa) {
  Msg m("a.nx.test", pd::rr::MX, 0x8183);
  m.soa("test", 300, 60);
  c().insert_reply(m.bytes(), question("a.nx.test", pd::rr::MX), kNow);
  for (uint16_t t : {pd::rr::A, pd::rr::MX, pd::rr::TXT}) {
    auto r = ask(Query("a.nx.test", t), kNow + 10);
    ASSERT_TRUE(r) << t;
    EXPECT_EQ(r->h.rcode(), pd::rcode::NxDomain);
    EXPECT_TRUE(r->answer.empty());
    ASSERT_EQ(r->authority.size(), 1u);
    EXPECT_EQ(r->authority[0].type, pd::rr::SOA);
    EXPECT_EQ(r->authority[0].ttl, 290u);  // the SOA's own TTL, counting down
  }
  EXPECT_EQ(log.back(), "cached a.nx.test is NXDOMAIN");
  // Negative TTL = min(SOA TTL, SOA minimum) = 60.
  EXPECT_TRUE(ask(Query("a.nx.test", pd::rr::A), kNow + 59));
  EXPECT_FALSE(ask(Query("a.nx.test", pd::rr::A), kNow + 60));
}

TEST_F(DnsCacheTest, NegativeAnswersNeedAnAncestorSoaOrNegTtl) {
  Msg nosoa("b.nx.test", pd::rr::A, 0x8183);
  c().insert_reply(nosoa.bytes(), question("b.nx.test", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("b.nx.test", pd::rr::A)));
  Msg other("c.nx.test", pd::rr::A, 0x8183);
  other.soa("elsewhere.example", 300, 300);
  c().insert_reply(other.bytes(), question("c.nx.test", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("c.nx.test", pd::rr::A)));

  cache.reset();
  opts.neg_ttl = 20;
  c().insert_reply(nosoa.bytes(), question("b.nx.test", pd::rr::A), kNow);
  auto r = ask(Query("b.nx.test", pd::rr::A), kNow + 19);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->authority.empty());
  EXPECT_FALSE(ask(Query("b.nx.test", pd::rr::A), kNow + 20));
}

TEST_F(DnsCacheTest, NoNegcache) {
  opts.negative = false;
  Msg m("a.nx.test", pd::rr::A, 0x8183);
  m.soa("test", 60, 60);
  c().insert_reply(m.bytes(), question("a.nx.test", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("a.nx.test", pd::rr::A)));
}

TEST_F(DnsCacheTest, NodataIsCachedOnlyForCacheableTypes) {
  for (uint16_t t : {pd::rr::A, pd::rr::SRV, pd::rr::MX}) {
    Msg m("a.nodata.test", t);
    m.soa("test", 60, 60);
    c().insert_reply(m.bytes(), question("a.nodata.test", t), kNow);
  }
  auto r = ask(Query("a.nodata.test", pd::rr::A));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->h.rcode(), 0);
  EXPECT_TRUE(r->answer.empty());
  EXPECT_EQ(r->authority.size(), 1u);
  EXPECT_EQ(log.back(), "cached a.nodata.test is NODATA-IPv4");
  EXPECT_TRUE(ask(Query("a.nodata.test", pd::rr::SRV)));
  EXPECT_EQ(log.back(), "cached a.nodata.test is NODATA");
  EXPECT_FALSE(ask(Query("a.nodata.test", pd::rr::MX)));
  EXPECT_FALSE(ask(Query("a.nodata.test", pd::rr::AAAA)));
}

TEST_F(DnsCacheTest, CacheRrAddsTypes) {
  Msg m("t.example", pd::rr::TXT);
  m.rr(&m.an, wire_name("t.example"), pd::rr::TXT, 60, {3, 'a', 'b', 'c'});
  c().insert_reply(m.bytes(), question("t.example", pd::rr::TXT), kNow);
  EXPECT_FALSE(ask(Query("t.example", pd::rr::TXT)));
  cache.reset();
  opts.extra_types = {pd::rr::TXT};
  c().insert_reply(m.bytes(), question("t.example", pd::rr::TXT), kNow);
  auto r = ask(Query("t.example", pd::rr::TXT));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer[0].rdata, (std::vector<uint8_t>{3, 'a', 'b', 'c'}));
}

TEST_F(DnsCacheTest, CompressedNamesInRdataAreExpanded) {
  // SRV whose target points back at the question name.
  Msg m("_sip._udp.example.com", pd::rr::SRV);
  m.rr(&m.an, {0xc0, 0x0c}, pd::rr::SRV, 60, {0, 1, 0, 2, 0, 3, 3, 's', 'r', 'v', 0xc0, 0x0c});
  c().insert_reply(m.bytes(), question("_sip._udp.example.com", pd::rr::SRV), kNow);
  auto r = ask(Query("_sip._udp.example.com", pd::rr::SRV));
  ASSERT_TRUE(r);
  auto want = std::vector<uint8_t>{0, 1, 0, 2, 0, 3};
  auto target = wire_name("srv._sip._udp.example.com");
  want.insert(want.end(), target.begin(), target.end());
  EXPECT_EQ(r->answer[0].rdata, want);
  EXPECT_EQ(log.back(), "cached _sip._udp.example.com is <SRV>");
}

TEST_F(DnsCacheTest, PtrOnlyForReverseNames) {
  Msg rev("4.3.2.1.in-addr.arpa", pd::rr::PTR);
  rev.rr(&rev.an, wire_name("4.3.2.1.in-addr.arpa"), pd::rr::PTR, 60, wire_name("host.example"));
  c().insert_reply(rev.bytes(), question("4.3.2.1.in-addr.arpa", pd::rr::PTR), kNow);
  ASSERT_TRUE(ask(Query("4.3.2.1.in-addr.arpa", pd::rr::PTR)));
  EXPECT_EQ(log.back(), "cached 1.2.3.4 is host.example");
  Msg fwd("e.example", pd::rr::PTR);
  fwd.rr(&fwd.an, wire_name("e.example"), pd::rr::PTR, 60, wire_name("host.example"));
  c().insert_reply(fwd.bytes(), question("e.example", pd::rr::PTR), kNow);
  EXPECT_FALSE(ask(Query("e.example", pd::rr::PTR)));
}

TEST_F(DnsCacheTest, QueriesTheCacheNeverAnswers) {
  c().insert_reply(Msg("w.example", pd::rr::A).a("w.example", 60, {192, 0, 2, 1}).bytes(),
                   question("w.example", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("w.example", pd::rr::A, 0x0000)));                   // RD clear
  EXPECT_FALSE(ask(Query("w.example", pd::rr::A, 0x0100, true, true)));       // DO set
  EXPECT_FALSE(ask(Query("w.example", pd::rr::ANY)));                         // ANY
  EXPECT_FALSE(ask(Query("w.example", pd::rr::A, 0x0100, false, false, 3)));  // CHAOS
  auto cd = ask(Query("w.example", pd::rr::A, 0x0110));  // CD: answered, CD echoed
  ASSERT_TRUE(cd);
  EXPECT_TRUE(cd->h.cd());
}

TEST_F(DnsCacheTest, EdnsClientsGetAnOpt) {
  c().insert_reply(Msg("w.example", pd::rr::A).a("w.example", 60, {192, 0, 2, 1}).bytes(),
                   question("w.example", pd::rr::A), kNow);
  EXPECT_TRUE(ask(Query("w.example", pd::rr::A, 0x0100, true))->has_opt);
  EXPECT_FALSE(ask(Query("w.example", pd::rr::A))->has_opt);
}

TEST_F(DnsCacheTest, TooBigForUdpIsTruncated) {
  Msg m("big.example", pd::rr::AAAA);
  for (uint8_t i = 0; i < 40; ++i)
    m.a("big.example", 60, {0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i});
  c().insert_reply(m.bytes(), question("big.example", pd::rr::AAAA), kNow);
  auto r = ask(Query("big.example", pd::rr::AAAA));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->h.tc());
  EXPECT_TRUE(r->answer.empty());
  auto t = ask(Query("big.example", pd::rr::AAAA), kNow, true);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->h.tc());
  EXPECT_EQ(t->answer.size(), 40u);
}

TEST_F(DnsCacheTest, LeastRecentlyUsedIsEvictedAndCounted) {
  opts.capacity = 3;
  auto put = [&](std::string name) {
    c().insert_reply(Msg(name, pd::rr::A).a(name, 60, {192, 0, 2, 1}).bytes(),
                     question(name, pd::rr::A), kNow);
  };
  put("a.example");
  put("b.example");
  put("c.example");
  ASSERT_TRUE(ask(Query("a.example", pd::rr::A)));  // a is now the most recent
  put("d.example");                                  // evicts b
  EXPECT_TRUE(ask(Query("a.example", pd::rr::A)));
  EXPECT_FALSE(ask(Query("b.example", pd::rr::A)));
  EXPECT_TRUE(ask(Query("c.example", pd::rr::A)));
  EXPECT_TRUE(ask(Query("d.example", pd::rr::A)));
  EXPECT_EQ(c().counters().insertions, 4u);
  EXPECT_EQ(c().counters().evictions, 1u);
  c().clear();
  EXPECT_FALSE(ask(Query("a.example", pd::rr::A)));
}

TEST_F(DnsCacheTest, CapacityZeroCachesNothing) {
  opts.capacity = 0;
  c().insert_reply(Msg("w.example", pd::rr::A).a("w.example", 60, {192, 0, 2, 1}).bytes(),
                   question("w.example", pd::rr::A), kNow);
  EXPECT_FALSE(ask(Query("w.example", pd::rr::A)));
}

TEST_F(DnsCacheTest, ShardedCacheHoldsManyNames) {
  opts.capacity = 100000;
  for (int i = 0; i < 50000; ++i) {
    std::string n = "h" + std::to_string(i) + ".example";
    c().insert_reply(Msg(n, pd::rr::A).a(n, 600, {10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}).bytes(),
                     question(n, pd::rr::A), kNow);
  }
  log.clear();
  int found = 0;
  for (int i = 0; i < 50000; i += 97) found += ask(Query("h" + std::to_string(i) + ".example", pd::rr::A)).has_value();
  EXPECT_EQ(found, (50000 + 96) / 97);
  EXPECT_EQ(c().counters().evictions, 0u);
}

TEST_F(DnsCacheTest, NothingHalfParsedIsCached) {
  // The chain's first link is fine, but the SRV at its end has a forward pointer in its
  // target: the whole reply is refused, the good link included.
  Msg m("svc.example", pd::rr::SRV);
  m.cname("svc.example", 60, "real.example");
  m.rr(&m.an, wire_name("real.example"), pd::rr::SRV, 60, {0, 1, 0, 2, 0, 3, 0xc0, 0xff});
  c().insert_reply(m.bytes(), question("svc.example", pd::rr::SRV), kNow);
  EXPECT_FALSE(ask(Query("svc.example", pd::rr::SRV)));
  EXPECT_FALSE(ask(Query("svc.example", pd::rr::CNAME)));
  EXPECT_EQ(c().counters().insertions, 0u);
}

TEST_F(DnsCacheTest, Sec17NamesCollidingUnderAnUnkeyedHashSpreadOut) {
  // 100,000 permutations of one set of letters: every one has the same byte sum, so any
  // additive unkeyed hash puts them in one bucket. SipHash with a secret key does not.
  opts.capacity = 200000;
  std::string letters = "abcdefghi";
  int n = 0;
  do {
    const std::string name = letters + ".flood.example";
    c().insert_reply(Msg(name, pd::rr::A).a(name, 600, {192, 0, 2, 1}).bytes(),
                     question(name, pd::rr::A), kNow);
  } while (++n < 100000 && std::next_permutation(letters.begin(), letters.end()));
  EXPECT_EQ(c().counters().insertions, 100000u);
  EXPECT_LE(c().longest_chain(), 16u);
}

TEST_F(DnsCacheTest, DumpUsesDnsmasqLayout) {
  c().insert_reply(Msg("www.example.com", pd::rr::A).a("www.example.com", 300, {192, 0, 2, 1}).bytes(),
                   question("www.example.com", pd::rr::A), kNow);
  Msg nx("a.nx.test", pd::rr::A, 0x8183);
  nx.soa("test", 60, 60);
  c().insert_reply(nx.bytes(), question("a.nx.test", pd::rr::A), kNow);
  std::vector<std::string> lines;
  c().dump(kNow, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].substr(0, 42), "Host                           Address    ");
  EXPECT_EQ(lines[1].substr(0, 31), std::string(30, '-') + " ");
  // Most recent first: the NXDOMAIN entry (after its SOA), then the address.
  EXPECT_EQ(lines[2].substr(0, 83), std::string("test") + std::string(27, ' ') + "<SOA>" +
                                        std::string(36, ' ') + "TF         ");
  EXPECT_EQ(lines[3].substr(0, 83), std::string("a.nx.test") + std::string(22, ' ') +
                                        std::string(41, ' ') + " F   NX    ");
  EXPECT_EQ(lines[4].substr(0, 83), std::string("www.example.com") + std::string(16, ' ') +
                                        "192.0.2.1" + std::string(32, ' ') + "4F         ");
  EXPECT_EQ(lines[4].size(), 83u + 24u);  // then the expiry, "Tue Jan 15 08:00:00 2027"
}

}  // namespace
}  // namespace masqd::dns
