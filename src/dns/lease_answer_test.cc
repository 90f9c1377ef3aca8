// DHCP lease names answered through answer_local_data, with dnsmasq 2.90's clash rules and
// TTLs (each seen with the binary: a lease file loaded at start-up, queries with dig).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "dns/local_answer.h"
#include "local/lease_names.h"
#include "dns/test_query.h"

namespace masqd::dns {
namespace {

namespace pd = proto::dns;
using std::chrono::seconds;
using std::chrono::sys_seconds;

IpAddr v4(uint8_t last) { return IpAddr::v4({192, 0, 2, last}); }

struct Answer {
  size_t len = 0;
  uint16_t ancount = 0;
  uint32_t ttl = 0;                // of the first answer
  std::vector<uint8_t> rdata;      // of the first answer
  std::vector<std::string> log;
};

class LeaseAnswerTest : public ::testing::Test {
 protected:
  const sys_seconds now_{seconds(1'800'000'000)};

  void SetUp() override {
    path_ = ::testing::TempDir() + "masqd_lease_answer_hosts_" + std::to_string(::getpid());
    std::ofstream(path_) << "192.0.2.103 hostsname\n192.0.2.200 clash\n192.0.2.102 other\n";
    config::DnsConfig dns;
    dns.no_hosts = true;
    dns.addn_hosts = {path_};
    data_ = LocalData::load(dns, AddressData::build(dns.addresses)).data;
    std::vector<local::LeaseNameEntry> e = {
        {"alpha", "lan", v4(101), now_ + seconds(100)},
        {"beta", "lan", v4(102), now_ + seconds(3000)},       // .102 has a hosts name
        {"hostsname", "lan", v4(103), now_ + seconds(3000)},  // same name and address in hosts
        {"clash", "lan", v4(104), now_ + seconds(3000)},      // hosts: clash = 192.0.2.200
        {"forever", "", v4(105), sys_seconds{}},
        {"gone", "lan", v4(106), now_ - seconds(1)},
    };
    leases_ = local::LeaseNameTable::build(std::move(e));
  }
  void TearDown() override { std::remove(path_.c_str()); }

  Answer ask(const char* name, uint16_t type, uint32_t ttl = 300) {
    auto bytes = query_bytes(name, type);
    auto cq = check_query(pd::Bytes(bytes), 1232);
    EXPECT_EQ(cq.outcome, CheckedQuery::Outcome::Ok);
    Answer a;
    LogSink sink = [&a](std::string_view l) { a.log.emplace_back(l); };
    LocalAnswerParams p;
    p.log = &sink;
    p.leases = &leases_;
    p.now = now_;
    p.dhcp_ttl = ttl;
    a.len = answer_local_data(*data_, cq.query, p, out_);
    if (a.len) {
      a.ancount = pd::get_u16(pd::Bytes(out_), 6);
      if (a.ancount) {
        size_t at = bytes.size() + 2 + 4;  // question, then a compressed owner name, type, class
        a.ttl = (uint32_t{out_[at]} << 24) | (uint32_t{out_[at + 1]} << 16) | (uint32_t{out_[at + 2]} << 8) | out_[at + 3];
        const size_t rdlen = (size_t{out_[at + 4]} << 8) | out_[at + 5];
        a.rdata.assign(out_.begin() + static_cast<long>(at + 6), out_.begin() + static_cast<long>(at + 6 + rdlen));
      }
    }
    return a;
  }

  std::string path_;
  std::shared_ptr<const LocalData> data_;
  local::LeaseNameTable leases_;
  std::vector<uint8_t> out_ = std::vector<uint8_t>(65536);
};

TEST_F(LeaseAnswerTest, BareNameAndFqdnAnswerA) {
  for (const char* n : {"alpha", "alpha.lan", "ALPHA.Lan"}) {
    auto a = ask(n, pd::rr::A);
    ASSERT_EQ(a.ancount, 1) << n;
    EXPECT_EQ(a.rdata, (std::vector<uint8_t>{192, 0, 2, 101}));
    ASSERT_EQ(a.log.size(), 1u);
    EXPECT_EQ(a.log[0], std::string("DHCP ") + n + " is 192.0.2.101");
  }
  EXPECT_EQ(ask("alpha.other", pd::rr::A).len, 0u);
  EXPECT_EQ(ask("forever.lan", pd::rr::A).len, 0u);  // no --domain for that lease
}

TEST_F(LeaseAnswerTest, AaaaOfALeaseNameGoesUpstream) { EXPECT_EQ(ask("alpha", pd::rr::AAAA).len, 0u); }

TEST_F(LeaseAnswerTest, TtlIsDhcpTtlCappedByTheLease) {
  EXPECT_EQ(ask("alpha", pd::rr::A, 300).ttl, 100u);
  EXPECT_EQ(ask("alpha", pd::rr::A, 60).ttl, 60u);
  EXPECT_EQ(ask("forever", pd::rr::A, 300).ttl, 300u);
  EXPECT_EQ(ask("forever", pd::rr::A, 0).ttl, 0u);
}

TEST_F(LeaseAnswerTest, ExpiredLeaseHasNoName) {
  EXPECT_EQ(ask("gone", pd::rr::A).len, 0u);
  EXPECT_EQ(ask("106.2.0.192.in-addr.arpa", pd::rr::PTR).len, 0u);
}

TEST_F(LeaseAnswerTest, HostsWinClashes) {
  // Same name and address in hosts: the hosts answer.
  auto h = ask("hostsname", pd::rr::A);
  ASSERT_EQ(h.log.size(), 1u);
  EXPECT_NE(h.log[0].find("hostsname is 192.0.2.103"), std::string::npos);
  EXPECT_EQ(h.log[0].rfind("DHCP", 0), std::string::npos);
  // The name has another address in hosts: only that one; the FQDN is still the lease's.
  auto c = ask("clash", pd::rr::A);
  EXPECT_EQ(c.rdata, (std::vector<uint8_t>{192, 0, 2, 200}));
  EXPECT_EQ(c.ancount, 1);
  EXPECT_EQ(ask("clash.lan", pd::rr::A).rdata, (std::vector<uint8_t>{192, 0, 2, 104}));
  // The address has a hosts name: the lease gets no name at all, and the PTR is the hosts'.
  EXPECT_EQ(ask("beta", pd::rr::A).len, 0u);
  EXPECT_EQ(ask("beta.lan", pd::rr::A).len, 0u);
  auto p = ask("102.2.0.192.in-addr.arpa", pd::rr::PTR);
  ASSERT_EQ(p.log.size(), 1u);
  EXPECT_NE(p.log[0].find("192.0.2.102 is other"), std::string::npos);
}

TEST_F(LeaseAnswerTest, PtrIsTheFqdnWhenThereIsOne) {
  auto p = ask("101.2.0.192.in-addr.arpa", pd::rr::PTR);
  ASSERT_EQ(p.ancount, 1);
  EXPECT_EQ(p.log, std::vector<std::string>{"DHCP 192.0.2.101 is alpha.lan"});
  EXPECT_EQ(p.ttl, 100u);
  EXPECT_EQ(ask("104.2.0.192.in-addr.arpa", pd::rr::PTR).log, std::vector<std::string>{"DHCP 192.0.2.104 is clash.lan"});
  EXPECT_EQ(ask("105.2.0.192.in-addr.arpa", pd::rr::PTR).log, std::vector<std::string>{"DHCP 192.0.2.105 is forever"});
  EXPECT_EQ(ask("107.2.0.192.in-addr.arpa", pd::rr::PTR).len, 0u);
}

TEST(LeaseNameTable, FirstLeaseWinsAnAddressAndBadNamesAreLeftOut) {
  auto t = local::LeaseNameTable::build({{"new", "", v4(9), {}}, {"old", "", v4(9), {}}, {"bad\x01", "", v4(8), {}}});
  ASSERT_EQ(t.names_of(v4(9)).size(), 1u);
  EXPECT_EQ(t.names_of(v4(9))[0], "new");
  EXPECT_TRUE(t.names_of(v4(8)).empty());
  EXPECT_TRUE(t.has(*pd::Name::from_text("OLD")));
}

}  // namespace
}  // namespace masqd::dns
