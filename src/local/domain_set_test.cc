#include "local/domain_set.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "local/address_rules.h"

namespace masqd::local {
namespace {

namespace rr = proto::dns::rr;

proto::dns::Name wire(const char* text) { return *proto::dns::Name::from_text(text); }

DomainSet make(std::initializer_list<std::pair<const char*, DomainSet::Value>> entries, uint64_t seed = 1) {
  DomainSet::Builder b(seed);
  for (const auto& [n, v] : entries) EXPECT_TRUE(b.add(n, v)) << n;
  return b.build();
}

std::optional<DomainSet::Value> longest(const DomainSet& s, const char* name) {
  auto m = s.longest_match(wire(name));
  auto t = s.longest_match(std::string_view(name));
  EXPECT_EQ(m.has_value(), t.has_value()) << name;
  if (m && t) {
    EXPECT_EQ(m->value, t->value) << name;
  }
  if (!m) return std::nullopt;
  return m->value;
}

TEST(DomainSet, MatchesTheNameAndItsSubdomainsAtLabelBoundaries) {
  auto s = make({{"example.com", 1}, {"ads.example.com", 2}, {"com.au", 3}});
  EXPECT_EQ(longest(s, "example.com"), 1u);
  EXPECT_EQ(longest(s, "www.example.com"), 1u);
  EXPECT_EQ(longest(s, "a.b.c.example.com"), 1u);
  EXPECT_EQ(longest(s, "ads.example.com"), 2u);
  EXPECT_EQ(longest(s, "x.ads.example.com"), 2u);
  EXPECT_EQ(longest(s, "badexample.com"), std::nullopt);  // not at a label boundary
  EXPECT_EQ(longest(s, "example.co"), std::nullopt);
  EXPECT_EQ(longest(s, "com"), std::nullopt);
  EXPECT_EQ(longest(s, "example.com.au"), 3u);
  EXPECT_EQ(longest(s, "au"), std::nullopt);
  EXPECT_EQ(s.size(), 3u);
}

TEST(DomainSet, CaseInsensitiveAndTrailingDot) {
  auto s = make({{"Example.COM.", 5}});
  EXPECT_EQ(longest(s, "WWW.EXAMPLE.com"), 5u);
  EXPECT_EQ(longest(s, "www.example.com."), 5u);
  EXPECT_EQ(s.find_exact("EXAMPLE.com"), 5u);
  EXPECT_EQ(s.find_exact(wire("eXample.com")), 5u);
  EXPECT_EQ(s.find_exact("www.example.com"), std::nullopt);
}

TEST(DomainSet, RootEntryMatchesEverything) {
  auto s = make({{"", 9}, {"a.b", 1}});
  EXPECT_EQ(longest(s, "x.y.z"), 9u);
  EXPECT_EQ(longest(s, "q.a.b"), 1u);
  EXPECT_EQ(s.longest_match(proto::dns::Name())->value, 9u);
  EXPECT_EQ(s.longest_match(proto::dns::Name())->labels, 0u);
  std::array<DomainSet::Match, 4> out;
  ASSERT_EQ(s.matches(wire("q.a.b"), out), 2u);
  EXPECT_EQ(out[0].value, 1u);
  EXPECT_EQ(out[0].labels, 2u);
  EXPECT_EQ(out[1].value, 9u);
  EXPECT_EQ(out[1].labels, 0u);
}

TEST(DomainSet, AllMatchesLongestFirst) {
  auto s = make({{"c", 1}, {"b.c", 2}, {"a.b.c", 3}, {"x.a.b.c", 4}});
  std::array<DomainSet::Match, 128> out;
  ASSERT_EQ(s.matches(wire("y.a.b.c"), out), 3u);
  EXPECT_EQ(out[0].value, 3u);
  EXPECT_EQ(out[0].labels, 3u);
  EXPECT_EQ(out[1].value, 2u);
  EXPECT_EQ(out[2].value, 1u);
  std::array<DomainSet::Match, 2> small;
  EXPECT_EQ(s.matches(wire("x.a.b.c"), small), 2u);
  EXPECT_EQ(small[0].value, 4u);
}

TEST(DomainSet, DuplicatesKeepTheFirstOrMerge) {
  {
    auto s = make({{"dup.test", 1}, {"DUP.test", 2}});
    EXPECT_EQ(s.size(), 1u);
    EXPECT_EQ(s.find_exact("dup.test"), 1u);
  }
  DomainSet::Builder b(3);
  b.set_merge([](DomainSet::Value a, DomainSet::Value c) { return a + c; });
  EXPECT_TRUE(b.add("dup.test", 1));
  EXPECT_TRUE(b.add("dup.test", 2));
  EXPECT_TRUE(b.add("", 10));
  EXPECT_TRUE(b.add(".", 20));
  auto s = b.build();
  EXPECT_EQ(s.find_exact("dup.test"), 3u);
  EXPECT_EQ(s.find_exact(""), 30u);
}

TEST(DomainSet, RejectsBadNames) {
  DomainSet::Builder b(1);
  EXPECT_FALSE(b.add("a..b", 1));
  EXPECT_FALSE(b.add(".lead", 1));
  EXPECT_FALSE(b.add(std::string(64, 'x'), 1));
  EXPECT_TRUE(b.add(std::string(63, 'x'), 1));
  std::string long_name;
  for (int i = 0; i < 127; ++i) long_name += "a.";
  long_name.pop_back();  // 253 bytes
  EXPECT_TRUE(b.add(long_name, 2));
  EXPECT_FALSE(b.add(long_name + "a", 1));
  const uint8_t bad_wire[] = {3, 'a', 'b'};
  EXPECT_FALSE(b.add_wire(bad_wire, 1));
  const uint8_t good_wire[] = {3, 'W', 'w', 'w', 0};
  EXPECT_TRUE(b.add_wire(good_wire, 4));
  auto s = b.build();
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.find_exact("www"), 4u);
  // The deepest possible name: 127 labels.
  EXPECT_EQ(longest(s, long_name.c_str()), 2u);
  EXPECT_EQ(s.longest_match("bad..name"), std::nullopt);
}

TEST(DomainSet, EmptySet) {
  DomainSet s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.longest_match(wire("a.b")), std::nullopt);
  EXPECT_EQ(s.find_exact("a.b"), std::nullopt);
  DomainSet::Builder b(1);
  b.reserve(1000, 10000);
  auto t = b.build();
  EXPECT_EQ(t.longest_match(wire("a.b")), std::nullopt);
}

TEST(DomainSet, ForEachGivesEveryEntry) {
  auto s = make({{"a.b", 1}, {"c", 2}, {"", 3}});
  std::map<std::string, DomainSet::Value> seen;
  s.for_each([&seen](std::string_view n, DomainSet::Value v) { seen[std::string(n)] = v; });
  EXPECT_EQ(seen, (std::map<std::string, DomainSet::Value>{{"", 3}, {"a.b", 1}, {"c", 2}}));
}

// Many names, grown from an empty table: every name is found with its value, and names
// that are not in the set (or only share a suffix) are not.
TEST(DomainSet, ManyNamesAgainstAReferenceMap) {
  std::mt19937 rng(42);
  auto label = [&rng] {
    std::string l(3 + rng() % 10, 'a');
    for (auto& c : l) c = static_cast<char>('a' + rng() % 26);
    return l;
  };
  std::map<std::string, DomainSet::Value> ref;
  DomainSet::Builder b;  // random seed
  for (DomainSet::Value i = 0; i < 50000; ++i) {
    std::string n = label() + "." + label() + (i % 3 ? ".com" : ".net");
    if (ref.emplace(n, i).second) {
      ASSERT_TRUE(b.add(n, i));
    }
  }
  auto s = b.build();
  EXPECT_EQ(s.size(), ref.size());
  for (const auto& [n, v] : ref) {
    ASSERT_EQ(s.find_exact(n), v) << n;
    ASSERT_EQ(longest(s, ("www." + n).c_str()), v);
  }
  for (int i = 0; i < 2000; ++i) {
    std::string n = label() + ".org";
    EXPECT_EQ(s.longest_match(n), std::nullopt);
  }
  EXPECT_GT(s.bytes_used(), 0u);
}

TEST(DomainSet, SharedAndSwappable) {
  auto first = std::make_shared<const DomainSet>(make({{"old.test", 1}}));
  std::atomic<std::shared_ptr<const DomainSet>> current{first};
  auto next = std::make_shared<const DomainSet>(make({{"new.test", 2}}));
  current.store(next);
  EXPECT_EQ(current.load()->find_exact("new.test"), 2u);
  EXPECT_EQ(first->find_exact("old.test"), 1u);  // readers of the old set are unaffected
}

TEST(DomainSet, TextToWireLabels) {
  std::array<uint8_t, 256> out{};
  EXPECT_EQ(text_to_wire_labels("Ab.c", out), 5u);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], 'a');
  EXPECT_EQ(out[3], 1);
  EXPECT_EQ(text_to_wire_labels(".", out), 0u);
  EXPECT_EQ(text_to_wire_labels("a.", out), 2u);
  EXPECT_EQ(text_to_wire_labels("a..", out), std::nullopt);
}

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
