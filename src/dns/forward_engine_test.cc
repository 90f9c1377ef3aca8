#include "dns/forward_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "dns/query_log.h"
#include "dns/server_table.h"

namespace masqd::dns {
namespace {

namespace pd = proto::dns;

std::vector<uint8_t> make_query(std::string_view name, uint16_t qtype, uint16_t id = 0x1234,
                                uint16_t flags = 0x0100, bool edns = false, uint16_t udp = 1232,
                                bool do_bit = false) {
  std::vector<uint8_t> out(12);
  pd::Header h;
  h.id = id;
  h.flags = flags;
  h.qdcount = 1;
  h.arcount = edns ? 1 : 0;
  pd::write_header(h, std::span<uint8_t, 12>(out.data(), 12));
  auto n = pd::Name::from_text(name);
  auto w = n->wire();
  out.insert(out.end(), w.begin(), w.end());
  out.push_back(static_cast<uint8_t>(qtype >> 8));
  out.push_back(static_cast<uint8_t>(qtype));
  out.push_back(0);
  out.push_back(1);
  if (edns) {
    std::vector<uint8_t> opt(11);
    pd::write_opt(pd::ReplyEdns{udp, do_bit, std::nullopt}, opt);
    out.insert(out.end(), opt.begin(), opt.end());
  }
  return out;
}

// A reply to `query`: same ID and question (optionally another ID or name), one A record.
std::vector<uint8_t> make_reply(const std::vector<uint8_t>& query, std::optional<uint16_t> id = {},
                                std::string_view other_name = {}) {
  std::vector<uint8_t> r = other_name.empty() ? query : make_query(other_name, pd::rr::A);
  auto loc = pd::find_opt(r);
  size_t len = r.size();
  if (loc.ok() && *loc) {
    auto s = pd::strip_opt(r, len);
    len = *s;
  }
  r.resize(len);
  pd::put_u16(r, 0, id.value_or(pd::get_u16(query, 0)));
  pd::put_u16(r, 2, 0x8180);
  pd::put_u16(r, 6, 1);
  const uint8_t rec[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
  r.insert(r.end(), std::begin(rec), std::end(rec));
  return r;
}

config::ServerSpec server(std::string_view ip, uint16_t port, std::vector<std::string> domains = {},
                          config::ServerSpec::Kind kind = config::ServerSpec::Kind::Upstream) {
  config::ServerSpec s;
  s.kind = kind;
  if (kind == config::ServerSpec::Kind::Upstream) s.addr = *IpAddr::parse(ip);
  s.port = port;
  for (auto& d : domains) {
    config::DomainPattern p;
    if (d.empty()) {
      p.kind = config::DomainPattern::Kind::Unqualified;
    } else if (d[0] == '*') {
      p.wildcard = true;
      p.name = d.substr(1);
    } else {
      p.name = d;
    }
    s.domains.push_back(p);
  }
  return s;
}

pd::Name name(std::string_view t) { return *pd::Name::from_text(t); }

TEST(CheckQuery, AcceptsPlainQueryAndReadsEdns) {
  auto q = make_query("www.Example.com", pd::rr::A, 7, 0x0100, true, 4096, true);
  auto c = check_query(q, 1232);
  ASSERT_EQ(c.outcome, CheckedQuery::Outcome::Ok);
  EXPECT_EQ(c.query.question.name.to_text(), "www.Example.com");
  EXPECT_TRUE(c.query.has_edns);
  EXPECT_TRUE(c.query.do_bit);
  EXPECT_EQ(c.query.udp_limit, 1232);  // bounded by edns-packet-max
  auto c2 = check_query(make_query("a.b", pd::rr::A), 1232);
  EXPECT_EQ(c2.query.udp_limit, 512);
}

TEST(CheckQuery, DropsShortAndResponsesRefusesBadQuestions) {
  std::vector<uint8_t> shortp = {1, 2, 3};
  EXPECT_EQ(check_query(shortp, 1232).outcome, CheckedQuery::Outcome::Drop);
  auto resp = make_query("a.b", pd::rr::A, 1, 0x8100);
  EXPECT_EQ(check_query(resp, 1232).outcome, CheckedQuery::Outcome::Drop);
  auto notify = make_query("a.b", pd::rr::A, 1, 0x2100);
  EXPECT_EQ(check_query(notify, 1232).outcome, CheckedQuery::Outcome::NotImp);
  auto q = make_query("a.b", pd::rr::A);
  q.resize(15);  // question cut short
  EXPECT_EQ(check_query(q, 1232).outcome, CheckedQuery::Outcome::Refused);
  auto two = make_query("a.b", pd::rr::A);
  pd::put_u16(two, 4, 2);
  EXPECT_EQ(check_query(two, 1232).outcome, CheckedQuery::Outcome::Refused);
}

TEST(ServerTable, LongestSuffixWinsAndSpecialForms) {
  std::vector<config::ServerSpec> specs = {
      server("10.0.0.1", 53),
      server("10.0.0.2", 5301, {"corp.test"}),
      server("10.0.0.3", 5302, {"eng.corp.test"}),
      server("", 0, {"www.corp.test"}, config::ServerSpec::Kind::UseDefault),
      server("", 0, {"local.test"}, config::ServerSpec::Kind::Local),
      server("10.0.0.4", 53, {"*wild.test"}),
      server("10.0.0.5", 53, {""}),
  };
  auto t = ServerTable::build(specs, {net::SocketAddr(*IpAddr::parse("10.9.9.9"), 53)});
  auto first = [&](std::string_view n) {
    auto r = t.route(name(n));
    return r.kind == Route::Kind::LocalOnly ? std::string("local")
                                            : r.group->servers.at(0).addr.to_string();
  };
  EXPECT_EQ(first("www.example.com"), "10.0.0.1#53");
  EXPECT_EQ(t.default_group().servers.size(), 2u);  // the resolv server comes after
  EXPECT_EQ(t.default_group().servers[1].addr.to_string(), "10.9.9.9#53");
  EXPECT_EQ(first("x.CORP.test"), "10.0.0.2#5301");
  EXPECT_EQ(first("corp.test"), "10.0.0.2#5301");
  EXPECT_EQ(first("notcorp.test"), "10.0.0.1#53");  // whole labels only
  EXPECT_EQ(first("a.eng.corp.test"), "10.0.0.3#5302");
  EXPECT_EQ(first("www.corp.test"), "10.0.0.1#53");  // "#": back to the default servers
  EXPECT_EQ(first("a.local.test"), "local");
  EXPECT_EQ(first("superwild.test"), "10.0.0.4#53");
  EXPECT_EQ(first("plain"), "10.0.0.5#53");
  EXPECT_TRUE(t.route(name("x.corp.test")).domain_specific);
  EXPECT_FALSE(t.route(name("www.corp.test")).domain_specific);
}

TEST(ServerTable, IgnoresOwnAddressAndUnspecified) {
  auto own = net::SocketAddr(*IpAddr::parse("127.0.0.1"), 5353);
  auto t = ServerTable::build({server("127.0.0.1", 5353), server("0.0.0.0", 53), server("127.0.0.1", 53)},
                              {}, {own});
  ASSERT_EQ(t.default_group().servers.size(), 1u);
  EXPECT_EQ(t.default_group().servers[0].addr.to_string(), "127.0.0.1#53");
}

// --dns-loop-detect: a looping default server is left out, and listed as not used in its place.
TEST(ServerTable, LeavesOutLoopedServersAndSaysSo) {
  auto looped = net::SocketAddr(*IpAddr::parse("127.0.0.1"), 5402);
  auto t = ServerTable::build({server("127.0.0.1", 5402), server("127.0.0.1", 5403)},
                              {net::SocketAddr(*IpAddr::parse("192.0.2.53"), 53)}, {}, {looped});
  ASSERT_EQ(t.default_group().servers.size(), 2u);
  EXPECT_EQ(t.default_group().servers[0].addr.to_string(), "127.0.0.1#5403");
  EXPECT_EQ(t.default_group().servers[1].addr.to_string(), "192.0.2.53#53");
  EXPECT_EQ(t.describe(), (std::vector<std::string>{"NOT using nameserver 127.0.0.1#5402 - query loop detected",
                                                    "using nameserver 127.0.0.1#5403",
                                                    "using nameserver 192.0.2.53#53"}));
}

TEST(ResolvConf, ReadsNameserverLines) {
  auto v = parse_resolv_conf(
      "# comment\nsearch example.com\nnameserver 192.0.2.1\n nameserver\t2001:db8::1 # x\n"
      "nameserver bogus\nnameserver fe80::1%nosuchif0\nnameservers 1.1.1.1\n");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].to_string(), "192.0.2.1#53");
  EXPECT_EQ(v[1].to_string(), "2001:db8::1#53");
}

TEST(Decide, FiltersAndRefused) {
  auto t = ServerTable::build({server("10.0.0.1", 53), server("10.0.0.2", 53, {"10.in-addr.arpa"})}, {});
  FilterOptions f{true, true};
  auto dec = [&](std::string_view n, uint16_t type) {
    auto q = make_query(n, type);
    auto c = check_query(q, 1232);
    return decide(c.query, t, f);
  };
  auto d = dec("plainname", pd::rr::A);
  EXPECT_EQ(d.kind, Decision::Kind::Reply);
  EXPECT_EQ(d.rcode, pd::rcode::NxDomain);
  EXPECT_EQ(dec("plainname", pd::rr::TXT).kind, Decision::Kind::Forward);
  d = dec("5.5.168.192.in-addr.arpa", pd::rr::PTR);
  EXPECT_EQ(d.kind, Decision::Kind::Reply);
  EXPECT_TRUE(d.aa);
  EXPECT_EQ(d.log_name, "192.168.5.5");
  EXPECT_EQ(dec("8.8.8.8.in-addr.arpa", pd::rr::PTR).kind, Decision::Kind::Forward);
  // A matching domain server overrides --bogus-priv.
  EXPECT_EQ(dec("1.2.3.10.in-addr.arpa", pd::rr::PTR).kind, Decision::Kind::Forward);
  auto empty = ServerTable::build({}, {});
  auto q = make_query("www.example.com", pd::rr::A);
  d = decide(check_query(q, 1232).query, empty, f);
  EXPECT_EQ(d.rcode, pd::rcode::Refused);
  EXPECT_EQ(d.ede, pd::ede::NotReady);
}

TEST(PrivateRanges, V4V6AndMapped) {
  EXPECT_TRUE(is_private_address(*IpAddr::parse("100.64.1.1")));
  EXPECT_FALSE(is_private_address(*IpAddr::parse("100.128.1.1")));
  EXPECT_TRUE(is_private_address(*IpAddr::parse("fd12::1")));
  EXPECT_TRUE(is_private_address(*IpAddr::parse("::ffff:10.1.1.1")));
  EXPECT_FALSE(is_private_address(*IpAddr::parse("2a00::1")));
  auto v6 = reverse_name_address(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_FALSE(reverse_name_address("1.2.3.in-addr.arpa"));
}

TEST(MergeKey, CaseFlagsAndGroupSeparate) {
  auto k = [](std::string_view n, uint16_t flags, bool edns, bool do_bit, uint32_t g) {
    auto q = make_query(n, pd::rr::A, 1, flags, edns, 1232, do_bit);
    return merge_key(check_query(q, 1232).query, g);
  };
  EXPECT_EQ(k("a.test", 0x100, false, false, 0), k("a.test", 0x100, false, false, 0));
  EXPECT_NE(k("a.test", 0x100, false, false, 0), k("A.test", 0x100, false, false, 0));
  EXPECT_NE(k("a.test", 0x100, false, false, 0), k("a.test", 0x110, false, false, 0));  // CD
  EXPECT_NE(k("a.test", 0x100, true, false, 0), k("a.test", 0x100, true, true, 0));     // DO
  EXPECT_NE(k("a.test", 0x100, false, false, 0), k("a.test", 0x100, false, false, 1));  // group
  MergeKeyHash h;
  EXPECT_EQ(h(k("a.test", 0x100, false, false, 0)), h(k("a.test", 0x100, false, false, 0)));
}

TEST(UpstreamQuery, KeepsClientOptBoundedAddsNone) {
  auto q = make_query("a.test", pd::rr::A, 9);
  auto c = check_query(q, 1232);
  std::vector<uint8_t> out(512);
  bool added = true;
  size_t n = build_upstream_query(c.query, 0xbeef, 1232, out, added);
  ASSERT_GT(n, 0u);
  EXPECT_FALSE(added);
  auto v = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->header().id, 0xbeef);
  EXPECT_FALSE(v->edns());
  auto q2 = make_query("a.test", pd::rr::A, 9, 0x0100, true, 4096, true);
  n = build_upstream_query(check_query(q2, 1232).query, 1, 1232, out, added);
  v = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->edns()->do_bit);
  EXPECT_EQ(v->edns()->udp_size, 1232);
  auto q3 = make_query("a.test", pd::rr::A, 9, 0x0100, true, 300);
  n = build_upstream_query(check_query(q3, 1232).query, 1, 1232, out, added);
  v = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  EXPECT_EQ(v->edns()->udp_size, 512);
}

// `query` (made with an empty OPT record last) with these encoded options in its OPT.
std::vector<uint8_t> with_options(std::vector<uint8_t> query, std::initializer_list<uint8_t> opts) {
  const size_t rdlen_at = query.size() - 2;
  for (uint8_t b : opts) query.push_back(b);
  pd::put_u16(query, rdlen_at, static_cast<uint16_t>(opts.size()));
  return query;
}

const uint8_t kCpe[] = {0xfe, 0x32, 0, 3, 'c', 'p', 'e'};  // option 65074 "cpe"

TEST(UpstreamQuery, AddedOptionGetsAnOptRecordOfItsOwnWithoutEdns) {
  const auto q = make_query("a.test", pd::rr::A, 9);  // the checked query points into it
  auto c = check_query(q, 1232);
  std::vector<uint8_t> out(upstream_query_size(c.query, UpstreamOptions{Bytes(kCpe, sizeof kCpe), {}}));
  bool added = false;
  size_t n = build_upstream_query(c.query, 7, 1232, out, added, UpstreamOptions{Bytes(kCpe, sizeof kCpe), {}});
  ASSERT_EQ(n, out.size());
  EXPECT_TRUE(added);  // the client's reply must lose it again
  auto v = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(v && v->edns());
  EXPECT_EQ(v->edns()->udp_size, 512);  // the client takes 512 bytes (dnsmasq says the same)
  EXPECT_FALSE(v->edns()->do_bit);
  EXPECT_TRUE(std::equal(std::begin(kCpe), std::end(kCpe), out.end() - sizeof kCpe));
  // Too small a buffer is refused, not overrun.
  std::vector<uint8_t> small(out.size() - 1);
  EXPECT_EQ(build_upstream_query(c.query, 7, 1232, small, added, UpstreamOptions{Bytes(kCpe, sizeof kCpe), {}}), 0u);
}

TEST(UpstreamQuery, AddedOptionReplacesTheClientsOwnAndKeepsTheOthers) {
  // A cookie (10) and a client 65074 "xy": the cookie stays, ours replaces theirs, last.
  auto q = with_options(make_query("a.test", pd::rr::A, 9, 0x0100, true, 4096, true),
                        {0, 10, 0, 2, 0xaa, 0xbb, 0xfe, 0x32, 0, 2, 'x', 'y'});
  auto c = check_query(q, 1232);
  ASSERT_EQ(c.outcome, CheckedQuery::Outcome::Ok);
  std::vector<uint8_t> out(upstream_query_size(c.query, UpstreamOptions{Bytes(kCpe, sizeof kCpe), {}}));
  bool added = true;
  size_t n = build_upstream_query(c.query, 7, 1232, out, added, UpstreamOptions{Bytes(kCpe, sizeof kCpe), {}});
  ASSERT_GT(n, 0u);
  EXPECT_FALSE(added);
  auto v = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(v && v->edns());
  EXPECT_TRUE(v->edns()->do_bit);
  EXPECT_EQ(v->edns()->udp_size, 1232);
  const std::vector<uint8_t> want = {0, 10, 0, 2, 0xaa, 0xbb, 0xfe, 0x32, 0, 3, 'c', 'p', 'e'};
  ASSERT_GE(n, want.size());
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + static_cast<std::ptrdiff_t>(n - want.size()),
                                 out.begin() + static_cast<std::ptrdiff_t>(n)),
            want);
  EXPECT_EQ(pd::get_u16(pd::Bytes(out.data(), n), n - want.size() - 2), want.size());  // RDLENGTH
}

TEST(UpstreamQuery, StrippedOptionsAreLeftOutInOrder) {
  // ECS (8), a cookie (10), a MAC (65001) and a text MAC (65073); strip 8, 65001 and 65073.
  auto q = with_options(make_query("a.test", pd::rr::A, 9, 0x0100, true, 1232),
                        {0, 8, 0, 4, 0, 1, 8, 10, 0, 10, 0, 2, 0xaa, 0xbb, 0xfd, 0xe9, 0, 1, 2,
                         0xfe, 0x31, 0, 1, 'x'});
  auto c = check_query(q, 1232);
  ASSERT_EQ(c.outcome, CheckedQuery::Outcome::Ok);
  const uint16_t strip[] = {8, 65001, 65073};
  std::vector<uint8_t> out(upstream_query_size(c.query, UpstreamOptions{{}, strip}));
  bool added = true;
  size_t n = build_upstream_query(c.query, 7, 1232, out, added, UpstreamOptions{{}, strip});
  ASSERT_GT(n, 0u);
  EXPECT_FALSE(added);
  const std::vector<uint8_t> want = {0, 10, 0, 2, 0xaa, 0xbb};  // only the cookie is left
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + static_cast<std::ptrdiff_t>(n - want.size()),
                                 out.begin() + static_cast<std::ptrdiff_t>(n)),
            want);
  EXPECT_EQ(pd::get_u16(pd::Bytes(out.data(), n), n - want.size() - 2), want.size());  // RDLENGTH
  // Nothing left at all: the OPT record stays, empty (dnsmasq does the same).
  auto q2 = with_options(make_query("a.test", pd::rr::A, 9, 0x0100, true, 1232), {0xfd, 0xe9, 0, 0});
  auto c2 = check_query(q2, 1232);
  n = build_upstream_query(c2.query, 7, 1232, out, added, UpstreamOptions{{}, strip});
  auto v = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(v && v->edns());
  EXPECT_EQ(pd::get_u16(pd::Bytes(out.data(), n), n - 2), 0);  // RDLENGTH 0
}

TEST(CheckReply, MatchesIdAndQuestion) {
  auto q = make_query("www.example.com", pd::rr::A, 0x4242);
  auto c = check_query(q, 1232);
  const auto& question = c.query.question;
  EXPECT_EQ(check_reply(make_reply(q), 0x4242, question), ReplyCheck::Ok);
  EXPECT_EQ(check_reply(make_reply(q, 0x4243), 0x4242, question), ReplyCheck::WrongId);
  EXPECT_EQ(check_reply(make_reply(q, {}, "www.example.org"), 0x4242, question),
            ReplyCheck::WrongQuestion);
  auto upper = make_query("WWW.EXAMPLE.COM", pd::rr::A, 0x4242);
  EXPECT_EQ(check_reply(make_reply(upper), 0x4242, question), ReplyCheck::Ok);
  auto aaaa = make_query("www.example.com", pd::rr::AAAA, 0x4242);
  EXPECT_EQ(check_reply(make_reply(aaaa), 0x4242, question), ReplyCheck::WrongQuestion);
  EXPECT_EQ(check_reply(q, 0x4242, question), ReplyCheck::NotReply);
  auto cut = make_reply(q);
  cut.pop_back();
  EXPECT_EQ(check_reply(cut, 0x4242, question), ReplyCheck::Malformed);
}

// The wire name of `text` ("a.b" -> 1 'a' 1 'b' 0); not for the root name.
std::vector<uint8_t> wire_name(std::string_view text) {
  std::vector<uint8_t> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t dot = text.find('.', start);
    if (dot == std::string_view::npos) dot = text.size();
    out.push_back(static_cast<uint8_t>(dot - start));
    out.insert(out.end(), text.begin() + static_cast<std::ptrdiff_t>(start),
               text.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

TEST(Encode0x20, FlipsTheLettersItsBitsSelect) {
  // Bytes before the name stay as they are.
  auto after_prefix = [](std::string_view text) {
    std::vector<uint8_t> v = {0xee, 0xee, 0xee};
    for (uint8_t b : wire_name(text)) v.push_back(b);
    return v;
  };
  auto packet = after_prefix("ab1.Cd");
  // Letters in order: a b C d. Bits 0 and 2: a -> A, C -> c; b and d kept; '1' is no letter.
  encode_0x20(packet, 3, 0b0101);
  EXPECT_EQ(packet, after_prefix("Ab1.cd"));
  encode_0x20(packet, 3, 0b0101);  // the same bits again: back to the start
  EXPECT_EQ(packet, after_prefix("ab1.Cd"));
}

TEST(Encode0x20, OnlyTheFirst32LettersAndNothingElse) {
  const std::string text = std::string(40, 'a') + ".test-1_2";
  auto packet = wire_name(text);
  encode_0x20(packet, 0, 0xffffffffu);
  const auto want = wire_name(std::string(32, 'A') + std::string(8, 'a') + ".test-1_2");
  EXPECT_EQ(packet, want);
  std::vector<uint8_t> root = {0};  // the root name: nothing to flip
  encode_0x20(root, 0, 0xffffffffu);
  EXPECT_EQ(root, std::vector<uint8_t>{0});
}

TEST(CheckReply, ExactNameDemandsTheSentCase) {
  auto q = make_query("www.example.com", pd::rr::A, 0x4242);
  auto c = check_query(q, 1232);
  const auto& question = c.query.question;
  auto sent = wire_name("wWw.ExamPle.cOm");
  auto echoed = make_query("wWw.ExamPle.cOm", pd::rr::A, 0x4242);
  EXPECT_EQ(check_reply(make_reply(echoed), 0x4242, question, Bytes(sent.data(), sent.size())),
            ReplyCheck::Ok);
  // An upstream that does not keep the case: the same name, other letter case.
  EXPECT_EQ(check_reply(make_reply(q), 0x4242, question, Bytes(sent.data(), sent.size())),
            ReplyCheck::WrongCase);
  // Other faults are reported as before.
  EXPECT_EQ(check_reply(make_reply(echoed, 0x4243), 0x4242, question, Bytes(sent.data(), sent.size())),
            ReplyCheck::WrongId);
}

TEST(ClientReply, OwnIdCaseFlagsAndTruncation) {
  auto q = make_query("Www.Example.com", pd::rr::A, 0x1111, 0x0110);
  auto c = check_query(q, 1232);
  auto up_q = make_query("www.example.com", pd::rr::A, 0x9999, 0x0100, true);
  auto reply = make_reply(up_q);
  pd::put_u16(reply, 2, 0x81a0);  // with AD set upstream
  ClientView v{0x1111, c.query.header.flags, c.query.question_bytes, false, 512};
  std::vector<uint8_t> out(4096);
  size_t n = make_client_reply(reply, v, true, false, 1232, out);
  ASSERT_GT(n, 0u);
  auto m = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header().id, 0x1111);
  EXPECT_EQ(m->question()->name.to_text(), "Www.Example.com");
  EXPECT_TRUE(m->header().cd());
  EXPECT_FALSE(m->header().ad());
  EXPECT_TRUE(m->header().ra());
  EXPECT_FALSE(m->edns());  // our OPT is stripped
  v.udp_limit = 40;         // smaller than the reply: header + question with TC
  n = make_client_reply(reply, v, true, false, 1232, out);
  m = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->header().tc());
  EXPECT_EQ(m->header().ancount, 0);
  n = make_client_reply(reply, v, true, true, 1232, out);  // TCP: never truncated
  EXPECT_FALSE(pd::parse_header(pd::Bytes(out.data(), n))->tc());
}

TEST(QueryLog, DnsmasqWording) {
  auto q = make_query("www.example.com", pd::rr::A);
  auto c = check_query(q, 1232);
  EXPECT_EQ(format_query(c.query.question, *IpAddr::parse("127.0.0.1")),
            "query[A] www.example.com from 127.0.0.1");
  EXPECT_EQ(format_forwarded(c.query.question.name, net::SocketAddr(*IpAddr::parse("10.0.0.1"), 53)),
            "forwarded www.example.com to 10.0.0.1");
  EXPECT_EQ(format_forwarded(c.query.question.name, net::SocketAddr(*IpAddr::parse("10.0.0.1"), 5300)),
            "forwarded www.example.com to 10.0.0.1#5300");
  EXPECT_EQ(format_config("error", pd::rcode::Refused, pd::ede::NotReady),
            "config error is REFUSED (EDE: not ready)");
  EXPECT_EQ(query_type_text(65), "HTTPS");
  EXPECT_EQ(query_type_text(999), "type=999");
  std::vector<std::string> lines;
  log_reply(make_reply(q), c.query.question, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "reply www.example.com is 192.0.2.1");
  auto tc = make_reply(q);
  tc[2] |= 0x02;
  lines.clear();
  log_reply(tc, c.query.question, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(lines, std::vector<std::string>{"reply is truncated"});
}

}  // namespace
}  // namespace masqd::dns
