// Micro-benchmark for DomainSet: builds a set of N synthetic blocklist names (default
// 1,000,000) and prints the build time, the bytes the set holds, the process's RSS growth,
// and nanoseconds per lookup for names that match and names that do not. Numbers go in
// bench/RESULTS.md by hand; nothing here is a test.
//
//   build/release/domain_set_bench [N] [lookups] [reserve]
// "reserve" sizes the builder up front (as AddressRules does, knowing the rule count).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/domain_set.h"
#include "proto/dns_wire.h"

using masqd::DomainSet;
using Clock = std::chrono::steady_clock;

namespace {

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long v = 0;
      in >> v;
      return v;
    }
    in.ignore(4096, '\n');
  }
  return 0;
}

std::string random_label(std::mt19937_64& rng, size_t min, size_t max) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string l(min + rng() % (max - min + 1), 'a');
  for (auto& c : l) c = kChars[rng() % 36];
  return l;
}

double ns_since(Clock::time_point t0, size_t n) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  const size_t lookups = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2000000;
  const bool reserve = argc > 3 && std::string(argv[3]) == "reserve";
  std::mt19937_64 rng(12345);

  // Blocklist-like names: "<host>.<site>.<tld>" over 20,000 sites, some one label deeper.
  static const char* kTlds[] = {"com", "net", "org", "io", "co.uk", "de", "info", "xyz"};
  std::vector<std::string> sites;
  for (int i = 0; i < 20000; ++i) sites.push_back(random_label(rng, 4, 14) + "." + kTlds[rng() % 8]);
  std::vector<std::string> names;
  names.reserve(n);
  size_t text_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string name = random_label(rng, 3, 12);
    if (i % 4 == 0) name += "." + random_label(rng, 2, 8);
    name += "." + sites[rng() % sites.size()];
    text_bytes += name.size();
    names.push_back(std::move(name));
  }

  const long rss_before = rss_kib();
  const auto t0 = Clock::now();
  DomainSet::Builder builder;
  if (reserve) builder.reserve(n);
  for (size_t i = 0; i < n; ++i) builder.add_batched(names[i], static_cast<DomainSet::Value>(i % 3));
  DomainSet set = builder.build();
  const double build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const long rss_after = rss_kib();

  // Queries: hits are a subdomain of a listed name; misses share the site but not the host.
  std::vector<masqd::proto::dns::Name> hits, misses;
  constexpr size_t kQueries = 16384;
  for (size_t i = 0; i < kQueries; ++i) {
    hits.push_back(*masqd::proto::dns::Name::from_text("www." + names[rng() % n]));
    misses.push_back(*masqd::proto::dns::Name::from_text(
        "www." + random_label(rng, 3, 12) + "x." + sites[rng() % sites.size()]));
  }
  size_t found = 0;
  auto t1 = Clock::now();
  for (size_t i = 0, q = 0; i < lookups; ++i, q = (q + 1 == kQueries) ? 0 : q + 1)
    found += set.longest_match(hits[q].wire()).has_value();
  const double hit_ns = ns_since(t1, lookups);
  size_t false_hits = 0;
  auto t2 = Clock::now();
  for (size_t i = 0, q = 0; i < lookups; ++i, q = (q + 1 == kQueries) ? 0 : q + 1)
    false_hits += set.longest_match(misses[q].wire()).has_value();
  const double miss_ns = ns_since(t2, lookups);

  std::printf("names            %zu (%zu distinct), %.1f bytes of text on average\n", n, set.size(),
              static_cast<double>(text_bytes) / static_cast<double>(n));
  std::printf("build%s %.0f ms (%.0f ns per name)\n", reserve ? " (reserve)" : "           ", build_ms, build_ms * 1e6 / static_cast<double>(n));
  std::printf("bytes_used       %zu (%.1f per name)\n", set.bytes_used(),
              static_cast<double>(set.bytes_used()) / static_cast<double>(set.size()));
  std::printf("rss growth       %ld KiB\n", rss_after - rss_before);
  std::printf("lookup, match    %.0f ns (%zu/%zu found)\n", hit_ns, found, lookups);
  std::printf("lookup, no match %.0f ns (%zu false matches)\n", miss_ns, false_hits);
  return found == lookups && false_hits == 0 ? 0 : 1;
}
