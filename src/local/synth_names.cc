#include "local/synth_names.h"

#include <algorithm>
#include <cstdint>

namespace masqd::local {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// The low 64 bits (IPv6) or the 32 bits (IPv4) of an address, as a number.
uint64_t low_bits(const IpAddr& a) {
  const auto& b = a.bytes();
  const size_t from = a.is_v4() ? 0 : 8;
  uint64_t v = 0;
  for (size_t i = from; i < from + (a.is_v4() ? 4 : 8); ++i) v = (v << 8) | b[i];
  return v;
}

// `a` with its low 64 (IPv6) or 32 (IPv4) bits replaced by `v`.
IpAddr with_low_bits(const IpAddr& a, uint64_t v) {
  auto b = a.bytes();
  if (a.is_v4()) {
    for (int i = 3; i >= 0; --i, v >>= 8) b[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
    return IpAddr::v4({b[0], b[1], b[2], b[3]});
  }
  for (int i = 15; i >= 8; --i, v >>= 8) b[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
  return IpAddr::v6(b);
}

// First and last address of a prefix.
std::pair<IpAddr, IpAddr> prefix_range(const IpPrefix& p) {
  auto lo = p.addr.bytes();
  auto hi = lo;
  const size_t bits = p.addr.size() * 8;
  for (size_t i = p.length; i < bits; ++i) {
    const auto bit = static_cast<uint8_t>(0x80u >> (i % 8));
    lo[i / 8] = static_cast<uint8_t>(lo[i / 8] & ~bit);
    hi[i / 8] = static_cast<uint8_t>(hi[i / 8] | bit);
  }
  if (p.addr.is_v4())
    return {IpAddr::v4({lo[0], lo[1], lo[2], lo[3]}), IpAddr::v4({hi[0], hi[1], hi[2], hi[3]})};
  return {IpAddr::v6(lo), IpAddr::v6(hi)};
}

// The address written in a name label: IPv4 with '-' for '.', IPv6 with '-' for ':'
// ("--ffff-a-b-c-d" is an IPv4-mapped address), as inet_pton reads it.
std::optional<IpAddr> parse_dashed(std::string_view token, IpAddr::Family family) {
  const bool v6 = family == IpAddr::Family::V6;
  for (char c : token) {
    const bool ok = (c >= '0' && c <= '9') || c == '-' || (v6 && c >= 'a' && c <= 'f');
    if (!ok) return std::nullopt;
  }
  std::string text(token);
  if (!v6) {
    std::replace(text.begin(), text.end(), '-', '.');
    return IpAddr::parse_v4(text);
  }
  constexpr std::string_view kMapped = "--ffff-";
  if (text.starts_with(kMapped)) {
    std::string rest = text.substr(kMapped.size());
    std::replace(rest.begin(), rest.end(), '-', '.');
    return IpAddr::parse_v6("::ffff:" + rest);
  }
  std::replace(text.begin(), text.end(), '-', ':');
  return IpAddr::parse_v6(text);
}

bool in_range(const IpAddr& a, const IpAddr& start, const IpAddr& end) {
  return a.family() == start.family() && a >= start && a <= end;
}

}  // namespace

SynthNames::SynthNames(const std::vector<config::SynthDomain>& domains) {
  for (auto it = domains.rbegin(); it != domains.rend(); ++it) {
    Domain d;
    d.domain = lowered(it->domain);
    while (!d.domain.empty() && d.domain.back() == '.') d.domain.pop_back();
    d.name_prefix = it->name_prefix;
    d.sequential = it->sequential;
    if (it->is_range) {
      d.start = it->start;
      d.end = it->end;
    } else {
      std::tie(d.start, d.end) = prefix_range(it->prefix);
    }
    domains_.push_back(std::move(d));
  }
}

std::optional<IpAddr> SynthNames::address_of(std::string_view name, IpAddr::Family family) const {
  for (const auto& d : domains_) {
    if (d.start.family() != family) continue;
    if (name.size() <= d.domain.size() + 1 || !name.ends_with(d.domain) ||
        name[name.size() - d.domain.size() - 1] != '.')
      continue;
    std::string_view head = name.substr(0, name.size() - d.domain.size() - 1);
    if (head.size() < d.name_prefix.size()) continue;
    bool prefix_ok = true;
    for (size_t i = 0; i < d.name_prefix.size(); ++i)
      prefix_ok = prefix_ok && lower(d.name_prefix[i]) == head[i];
    if (!prefix_ok) continue;
    const std::string_view token = head.substr(d.name_prefix.size());
    if (d.sequential) {
      // A decimal index from the start of the range (no digits: index 0), kept in 32 bits
      // for IPv4 and 64 for IPv6 as dnsmasq 2.90 does (a longer number wraps around).
      uint64_t index = 0;
      const bool all_digits =
          std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!all_digits) continue;
      for (char c : token) index = index * 10 + static_cast<uint64_t>(c - '0');
      if (d.start.is_v4()) index &= UINT32_MAX;
      const uint64_t sum = low_bits(d.start) + index;
      if (sum < index || (d.start.is_v4() && sum > UINT32_MAX)) continue;
      const IpAddr a = with_low_bits(d.start, sum);
      if (in_range(a, d.start, d.end)) return a;
      continue;
    }
    if (token.empty()) continue;
    if (auto a = parse_dashed(token, family); a && in_range(*a, d.start, d.end)) return a;
  }
  return std::nullopt;
}

std::optional<std::string> SynthNames::name_of(const IpAddr& addr) const {
  for (const auto& d : domains_) {
    if (!in_range(addr, d.start, d.end)) continue;
    std::string token;
    if (d.sequential) {
      token = std::to_string(low_bits(addr) - low_bits(d.start));
    } else {
      token = addr.to_string();
      // A label cannot start with '-': "::1" is written "0--1" when there is no prefix.
      if (d.name_prefix.empty() && token.front() == ':') token.insert(token.begin(), '0');
      std::replace(token.begin(), token.end(), ':', '-');
      std::replace(token.begin(), token.end(), '.', '-');
    }
    return d.name_prefix + token + "." + d.domain;
  }
  return std::nullopt;
}

}  // namespace masqd::local
