#include "base/domain_set.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace masqd {
namespace {

// A name in wire form with its root label, case kept (no escapes).
std::vector<uint8_t> wire(std::string_view text) {
  std::vector<uint8_t> out;
  while (!text.empty()) {
    const size_t dot = std::min(text.find('.'), text.size());
    out.push_back(static_cast<uint8_t>(dot));
    out.insert(out.end(), text.begin(), text.begin() + static_cast<long>(dot));
    text.remove_prefix(std::min(dot + 1, text.size()));
  }
  out.push_back(0);
  return out;
}

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
  EXPECT_EQ(s.longest_match(wire(""))->value, 9u);
  EXPECT_EQ(s.longest_match(wire(""))->labels, 0u);
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
  b.reserve(1000);
  auto t = b.build();
  EXPECT_EQ(t.longest_match(wire("a.b")), std::nullopt);
}

// No names are stored: the memory is one 16-byte slot per entry at a load of at most 0.8,
// the same for short and long names.
// 16 bytes a slot at load <= 0.8, plus one byte a name of filter.
TEST(DomainSet, MemoryIsSixteenBytesPerSlotWhateverTheNameLength) {
  static_assert(sizeof(DomainSet::Slot) == 16);
  const std::string long_suffix = std::string(60, 'x') + "." + std::string(60, 'y') + "." + std::string(60, 'z');
  auto build = [](const std::string& suffix) {
    DomainSet::Builder b(7);
    b.reserve(10000);
    for (int i = 0; i < 10000; ++i) EXPECT_TRUE(b.add(std::to_string(i) + "." + suffix + ".test", 1));
    return b.build();
  };
  auto short_names = build("x"), long_names = build(long_suffix);
  EXPECT_EQ(short_names.size(), 10000u);
  EXPECT_EQ(long_names.size(), 10000u);
  EXPECT_EQ(short_names.bytes_used(), long_names.bytes_used());
  EXPECT_GE(short_names.bytes_used(), 10000u * 16 * 5 / 4 + 10000);
  EXPECT_LE(short_names.bytes_used(), 10000u * 16 * 5 / 4 + 16 + 10000);
  EXPECT_EQ(long_names.find_exact("9999." + std::string(60, 'X') + long_suffix.substr(60) + ".test"), 1u);
  EXPECT_EQ(long_names.find_exact("9999." + std::string(59, 'x') + long_suffix.substr(60) + ".test"), std::nullopt);
  EXPECT_EQ(short_names.find_exact("9999.x.test"), 1u);
  EXPECT_EQ(short_names.find_exact("10000.x.test"), std::nullopt);
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

// Batched adds place entries later, but end in the same set as plain adds, with merges in
// the order the names were given.
TEST(DomainSet, BatchedAddsEqualPlainAdds) {
  std::vector<std::vector<DomainSet::Value>> merged_a, merged_b;
  auto merging = [](std::vector<std::vector<DomainSet::Value>>& log) {
    return [&log](DomainSet::Value existing, DomainSet::Value incoming) {
      log.push_back({existing, incoming});
      return incoming;  // the last one wins, so order shows in the result
    };
  };
  DomainSet::Builder a(3), b(3);
  a.set_merge(merging(merged_a));
  b.set_merge(merging(merged_b));
  for (DomainSet::Value i = 0; i < 5000; ++i) {
    const std::string name = "n" + std::to_string(i % 1500) + ".test";  // every name 3-4 times
    EXPECT_TRUE(a.add(name, i));
    EXPECT_TRUE(b.add_batched(name, i));
  }
  EXPECT_FALSE(b.add_batched("bad..name", 1));
  auto sa = a.build(), sb = b.build();
  EXPECT_EQ(sa.size(), 1500u);
  EXPECT_EQ(sb.size(), 1500u);
  EXPECT_EQ(merged_a, merged_b);
  for (DomainSet::Value i = 0; i < 1500; ++i) {
    const std::string name = "n" + std::to_string(i) + ".test";
    EXPECT_EQ(sa.find_exact(name), sb.find_exact(name));
    EXPECT_GE(*sb.find_exact(name), 3500u);  // the last of its adds
  }
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

}  // namespace
}  // namespace masqd
