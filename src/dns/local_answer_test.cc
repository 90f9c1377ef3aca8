#include "dns/local_answer.h"
#include "dns/test_query.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace masqd::dns {
namespace {

namespace pd = proto::dns;

struct Answer {
  size_t len = 0;
  uint16_t flags = 0, ancount = 0;
  std::vector<std::string> log;
};

class LocalAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "masqd_local_answer_hosts_" + std::to_string(::getpid());
    std::ofstream(path_) << "192.0.2.10 alpha alpha.lan.test\n2001:db8::10 alpha\n";
    for (int i = 1; i <= 40; ++i) std::ofstream(path_, std::ios::app) << "203.0.113." << i << " many\n";
  }
  void TearDown() override { std::remove(path_.c_str()); }

  void load(config::DnsConfig dns) {
    dns.no_hosts = true;
    dns.addn_hosts = {path_};
    auto loaded = LocalData::load(dns, AddressData::build(dns.addresses));
    data_ = loaded.data;
  }

  Answer ask(const char* name, uint16_t type, bool tcp = false) {
    auto bytes = query_bytes(name, type);
    auto cq = check_query(pd::Bytes(bytes), 1232);
    EXPECT_EQ(cq.outcome, CheckedQuery::Outcome::Ok);
    Answer a;
    LogSink sink = [&a](std::string_view l) { a.log.emplace_back(l); };
    LocalAnswerParams p;
    p.tcp = tcp;
    p.log = &sink;
    a.len = answer_local_data(*data_, cq.query, p, out_);
    if (a.len == 0) {
      auto m = match_address(*data_, cq.query.question.name, type);
      if (m.answer) a.len = answer_address(*data_, *m.answer, cq.query, p, out_);
    }
    if (a.len) {
      a.flags = pd::get_u16(pd::Bytes(out_), 2);
      a.ancount = pd::get_u16(pd::Bytes(out_), 6);
    }
    return a;
  }

  std::string path_;
  std::shared_ptr<const LocalData> data_;
  std::vector<uint8_t> out_ = std::vector<uint8_t>(65536);
};

TEST_F(LocalAnswerTest, HostsNamesAnswerTheirTypesOnly) {
  load({});
  auto a = ask("alpha", pd::rr::A);
  EXPECT_EQ(a.ancount, 1);
  EXPECT_TRUE(a.flags & pd::flag::AA);
  EXPECT_EQ(a.log, std::vector<std::string>{path_ + " alpha is 192.0.2.10"});
  EXPECT_EQ(ask("alpha", pd::rr::ANY).ancount, 2);
  EXPECT_EQ(ask("alpha.lan.test", pd::rr::AAAA).len, 0u);  // only the IPv4 line names it
  EXPECT_EQ(ask("alpha", pd::rr::MX).len, 0u);             // other types go upstream
  auto ptr = ask("10.2.0.192.in-addr.arpa", pd::rr::PTR);
  EXPECT_EQ(ptr.ancount, 1);
  EXPECT_EQ(ptr.log, std::vector<std::string>{path_ + " 192.0.2.10 is alpha"});
}

TEST_F(LocalAnswerTest, CnameChainsEndAtLocalData) {
  config::DnsConfig dns;
  dns.cnames = {{"one.test", "two.test", std::nullopt}, {"two.test", "alpha", 60}};
  load(dns);
  EXPECT_EQ(ask("one.test", pd::rr::A).ancount, 3);      // two CNAMEs and the address
  EXPECT_EQ(ask("one.test", pd::rr::CNAME).ancount, 1);  // only the first link
  EXPECT_EQ(ask("one.test", pd::rr::TXT).ancount, 2);    // the chain, nothing at its end
}

TEST_F(LocalAnswerTest, UdpAnswersKeepWhatFitsWithTc) {
  load({});
  auto udp = ask("many", pd::rr::A);
  EXPECT_TRUE(udp.flags & pd::flag::TC);
  EXPECT_EQ(udp.ancount, 30);  // (512 - 22 bytes of header and question) / 16, as dnsmasq
  EXPECT_LE(udp.len, 512u);
  auto tcp = ask("many", pd::rr::A, true);
  EXPECT_FALSE(tcp.flags & pd::flag::TC);
  EXPECT_EQ(tcp.ancount, 40);
}

TEST_F(LocalAnswerTest, AddressRulesFollowDnsmasqsTypeRules) {
  config::DnsConfig dns;
  auto rule = [](const char* dom, config::AddressRule::Kind kind, const char* ip) {
    config::AddressRule r;
    r.domains = {config::DomainPattern{config::DomainPattern::Kind::Suffix, dom, false}};
    r.kind = kind;
    if (ip) r.addr = *IpAddr::parse(ip);
    return r;
  };
  using K = config::AddressRule::Kind;
  dns.addresses = {rule("block.test", K::NoAnswer, nullptr), rule("lit.test", K::Literal, "192.0.2.30"),
                   rule("lit.test", K::Literal, "2001:db8::30"), rule("zero.test", K::AllZeros, nullptr)};
  load(dns);
  auto nx = ask("ads.block.test", pd::rr::A);
  EXPECT_EQ(nx.flags & 0x0f, pd::rcode::NxDomain);
  EXPECT_FALSE(nx.flags & pd::flag::AA);
  EXPECT_EQ(ask("lit.test", pd::rr::A).ancount, 1);
  auto any = ask("lit.test", pd::rr::ANY);
  EXPECT_EQ(any.ancount, 1);  // the IPv6 literal only, as dnsmasq
  EXPECT_EQ(any.log, std::vector<std::string>{"config lit.test is 2001:db8::30"});
  EXPECT_EQ(ask("lit.test", pd::rr::MX).len, 0u);  // forwarded
  EXPECT_EQ(ask("zero.test", pd::rr::ANY).ancount, 2);
}

}  // namespace
}  // namespace masqd::dns
