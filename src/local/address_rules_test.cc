#include "local/address_rules.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace masqd::local {
namespace {

namespace rr = proto::dns::rr;

proto::dns::Name wire(const char* text) { return *proto::dns::Name::from_text(text); }

// ---- --address entries on top of DomainSet ----

config::AddressRule rule(std::vector<const char*> domains, const char* value) {
  config::AddressRule r;
  for (const char* d : domains) {
    config::DomainPattern p;
    std::string_view s(d);
    if (s == "#") {
      p.kind = config::DomainPattern::Kind::Any;
    } else if (s.empty()) {
      p.kind = config::DomainPattern::Kind::Unqualified;
    } else {
      if (s.front() == '*') {
        p.wildcard = true;
        s.remove_prefix(1);
      }
      p.name = std::string(s);
    }
    r.domains.push_back(p);
  }
  std::string_view v(value);
  if (v.empty()) {
    r.kind = config::AddressRule::Kind::NoAnswer;
  } else if (v == "#") {
    r.kind = config::AddressRule::Kind::AllZeros;
  } else {
    r.kind = config::AddressRule::Kind::Literal;
    r.addr = *IpAddr::parse(v);
  }
  return r;
}

std::string describe(const AddressRules::Hit& h) {
  if (!h.answer) return "forward";
  std::string s;
  for (const auto& a : h.answer->v4) s += a.to_string() + " ";
  for (const auto& a : h.answer->v6) s += a.to_string() + " ";
  if (h.answer->zeros) s += "zeros ";
  if (h.answer->no_address) s += "nx ";
  return s + "@" + std::to_string(h.labels);
}

TEST(DomainSetAddress, PriorityAndFallThroughByType) {
  auto rules = AddressRules::build({rule({"addr4.test"}, "10.10.10.10"), rule({"v6only.test"}, "fd00::1"),
                                    rule({"#"}, "9.9.9.9"), rule({"block.test", "ads.test"}, ""),
                                    rule({"zero.test"}, "#"), rule({"addr4.test"}, "10.10.10.11"),
                                    rule({"both.test"}, "1.1.1.1"), rule({"both.test"}, "")});
  auto q = [&rules](const char* n, uint16_t t) { return describe(rules.lookup(wire(n), t)); };
  EXPECT_EQ(q("x.addr4.test", rr::A), "10.10.10.10 10.10.10.11 @2");
  EXPECT_EQ(q("x.addr4.test", rr::AAAA), "forward");  // only an A literal: forwarded
  EXPECT_EQ(q("v6only.test", rr::A), "9.9.9.9 @0");    // falls through to /#/
  EXPECT_EQ(q("v6only.test", rr::AAAA), "fd00::1 @2");
  EXPECT_EQ(q("v6only.test", rr::ANY), "fd00::1 @2");
  EXPECT_EQ(q("a.block.test", rr::MX), "nx @2");
  EXPECT_EQ(q("ads.test", rr::A), "nx @2");
  EXPECT_EQ(q("zero.test", rr::A), "zeros @2");
  EXPECT_EQ(q("zero.test", rr::AAAA), "zeros @2");
  EXPECT_EQ(q("zero.test", rr::TXT), "forward");
  EXPECT_EQ(q("both.test", rr::A), "1.1.1.1 nx @2");
  EXPECT_EQ(q("both.test", rr::AAAA), "1.1.1.1 nx @2");  // caller answers NODATA
  EXPECT_EQ(q("other.example", rr::A), "9.9.9.9 @0");
  EXPECT_TRUE(rules.leftovers().empty());
}

TEST(DomainSetAddress, AnswersAreSharedAndWildcardsLeftOver) {
  std::vector<config::AddressRule> list;
  for (int i = 0; i < 1000; ++i) {
    list.push_back(rule({("ad" + std::to_string(i) + ".test").c_str()}, ""));
    list.push_back(rule({("z" + std::to_string(i) + ".test").c_str()}, "0.0.0.0"));
  }
  list.push_back(rule({"*wild.test", ""}, ""));
  list.push_back(rule({}, "5.6.7.8"));  // no /dom/ part: every name
  auto rules = AddressRules::build(list);
  EXPECT_EQ(rules.answer_count(), 3u);
  EXPECT_EQ(rules.set().size(), 2001u);
  ASSERT_EQ(rules.leftovers().size(), 2u);
  EXPECT_EQ(rules.leftovers()[0].rule, 2000u);
  EXPECT_TRUE(rules.leftovers()[0].pattern.wildcard);
  EXPECT_EQ(rules.leftovers()[1].pattern.kind, config::DomainPattern::Kind::Unqualified);
  EXPECT_EQ(describe(rules.lookup(wire("x.z5.test"), rr::A)), "0.0.0.0 @2");
  EXPECT_EQ(describe(rules.lookup(wire("nothing"), rr::A)), "5.6.7.8 @0");
}

}  // namespace
}  // namespace masqd::local
