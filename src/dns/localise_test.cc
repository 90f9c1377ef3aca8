// --localise-queries in answer_local_data: which IPv4 addresses answer, given the local
// address the query came to. The interface data is injected (local_prefix,
// interface_prefixes); tests/compat/test_local_compat.py compares the same rules with dnsmasq.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "dns/local_answer.h"
#include "dns/test_query.h"

namespace masqd::dns {
namespace {

namespace pd = proto::dns;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

// This host's addresses in the tests: three /24s.
std::optional<IpPrefix> fake_prefix(const IpAddr& a) {
  for (const char* p : {"192.0.2.1/24", "198.51.100.1/24", "203.0.113.1/24"})
    if (IpPrefix::parse(p)->addr == a) return IpPrefix::parse(p);
  return std::nullopt;
}

std::vector<IpPrefix> fake_interface(std::string_view) {
  return {*IpPrefix::parse("192.0.2.1/24"), *IpPrefix::parse("198.51.100.1/24")};
}

class LocaliseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "masqd_localise_hosts_" + std::to_string(::getpid());
    std::ofstream(path_)
        << "192.0.2.50 multi\n198.51.100.50 multi\n2001:db8::50 multi\n192.0.2.60 one\n";
    config::DnsConfig dns;
    dns.no_hosts = true;
    dns.addn_hosts = {path_};
    config::DynamicHost h;
    h.name = "dyn.test";
    h.v4 = ip("0.0.0.9");
    h.interface = "veth0";
    dns.dynamic_hosts = {h};
    data_ = LocalData::load(dns, AddressData::build(dns.addresses)).data;
  }
  void TearDown() override { std::remove(path_.c_str()); }

  // The answer's log lines ("... multi is 192.0.2.50"), one per record.
  std::vector<std::string> ask(const char* name, uint16_t type, std::optional<IpAddr> local) {
    auto bytes = query_bytes(name, type);
    auto cq = check_query(pd::Bytes(bytes), 1232);
    std::vector<std::string> log;
    LogSink sink = [&log](std::string_view l) { log.emplace_back(l); };
    LocalAnswerParams p;
    p.log = &sink;
    p.local_addr = local;
    p.local_prefix = fake_prefix;
    p.interface_prefixes = fake_interface;
    std::array<uint8_t, 1232> out{};
    EXPECT_NE(answer_local_data(*data_, cq.query, p, out), 0u) << name;
    return log;
  }

  std::string path_;
  std::shared_ptr<const LocalData> data_;
};

TEST_F(LocaliseTest, OnlyTheAddressesOnTheSubnetTheQueryCameTo) {
  EXPECT_EQ(ask("multi", pd::rr::A, ip("192.0.2.1")).size(), 1u);
  EXPECT_NE(ask("multi", pd::rr::A, ip("192.0.2.1"))[0].find("192.0.2.50"), std::string::npos);
  EXPECT_NE(ask("multi", pd::rr::A, ip("198.51.100.1"))[0].find("198.51.100.50"),
            std::string::npos);
}

TEST_F(LocaliseTest, AllWhenNoneIsNearOrTheOptionIsOffOrTheQueryCameOverIpv6) {
  EXPECT_EQ(ask("multi", pd::rr::A, ip("203.0.113.1")).size(), 2u);
  EXPECT_EQ(ask("multi", pd::rr::A, std::nullopt).size(), 2u);
  EXPECT_EQ(ask("multi", pd::rr::A, ip("2001:db8::1")).size(), 2u);
  EXPECT_EQ(ask("multi", pd::rr::A, ip("127.0.0.1")).size(), 2u);
}

TEST_F(LocaliseTest, Ipv6RecordsAreNotFiltered) {
  EXPECT_EQ(ask("multi", pd::rr::AAAA, ip("192.0.2.1")).size(), 1u);
  EXPECT_EQ(ask("multi", pd::rr::ANY, ip("192.0.2.1")).size(), 2u);  // one A, the AAAA
  EXPECT_EQ(ask("one", pd::rr::A, ip("198.51.100.1")).size(), 1u);   // a single address stays
}

TEST_F(LocaliseTest, DynamicHostAddressesToo) {
  const auto log = ask("dyn.test", pd::rr::A, ip("198.51.100.1"));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], "config dyn.test is 198.51.100.9");
  EXPECT_EQ(ask("dyn.test", pd::rr::A, std::nullopt).size(), 2u);
}

TEST(Localise, PublicHelperReadsTheRealSubnetOfTheLocalAddress) {
  // 127.0.0.1 is on the loopback interface as 127.0.0.1/8.
  const auto near = localised_subnet(std::vector<IpAddr>{ip("127.0.0.5"), ip("192.0.2.1")},
                                     pd::rr::A, ip("127.0.0.1"));
  ASSERT_TRUE(near);
  EXPECT_EQ(near->length, 8);
  EXPECT_TRUE(near->contains(ip("127.0.0.5")));
}

TEST(Localise, PublicHelperNeedsSeveralIpv4Addresses) {
  EXPECT_FALSE(localised_subnet(std::vector<IpAddr>{ip("127.0.0.5")}, pd::rr::A, ip("127.0.0.1")));
  EXPECT_FALSE(localised_subnet(std::vector<IpAddr>{ip("127.0.0.5"), ip("192.0.2.1")}, pd::rr::AAAA,
                                ip("127.0.0.1")));
}

}  // namespace
}  // namespace masqd::dns

namespace masqd::dns {
namespace {

std::vector<IpPrefix> dual_interface(std::string_view) {
  return {*IpPrefix::parse("192.0.2.1/24"), *IpPrefix::parse("2001:db8::1/64")};
}

// dnsmasq 2.90 (observed): a --dynamic-host without a part of one family stops the PTRs of
// that family for the --dynamic-host options given after it.
size_t dynamic_ptr_answers(const std::vector<config::DynamicHost>& hosts,
                           const char* reverse_name) {
  config::DnsConfig dns;
  dns.no_hosts = true;
  dns.dynamic_hosts = hosts;
  auto data = LocalData::load(dns, AddressData::build(dns.addresses)).data;
  auto bytes = query_bytes(reverse_name, pd::rr::PTR);
  auto cq = check_query(pd::Bytes(bytes), 1232);
  LocalAnswerParams p;
  p.interface_prefixes = dual_interface;
  std::array<uint8_t, 1232> out{};
  return answer_local_data(*data, cq.query, p, out);
}

TEST(DynamicHostPtr, AHostWithoutTheFamilyStopsThePtrsAfterIt) {
  config::DynamicHost v4only{"c.test", ip("0.0.0.4"), std::nullopt, "veth0"};
  config::DynamicHost v6only{"d.test", std::nullopt, ip("::b"), "veth0"};
  const char* c_ptr = "4.2.0.192.in-addr.arpa";
  const char* d_ptr = "b.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
  EXPECT_NE(dynamic_ptr_answers({v4only, v6only}, c_ptr), 0u);
  EXPECT_EQ(dynamic_ptr_answers({v4only, v6only}, d_ptr), 0u);
  EXPECT_EQ(dynamic_ptr_answers({v6only, v4only}, c_ptr), 0u);
  EXPECT_NE(dynamic_ptr_answers({v6only, v4only}, d_ptr), 0u);
  EXPECT_NE(dynamic_ptr_answers({v6only}, d_ptr), 0u);
}

}  // namespace
}  // namespace masqd::dns
