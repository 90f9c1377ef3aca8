#include "config/dns_parse_util.h"

#include <fmt/core.h>

#include <array>
#include <limits>
#include <utility>

#include "base/text.h"

namespace masqd::config::dnsopt {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = text::ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// glibc strtol on a 64-bit long: saturates, then the caller cuts to int.
int32_t cut_to_int(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

struct RrName {
  std::string_view name;
  uint16_t type;
};

constexpr RrName kRrNames[] = {
    {"A", 1},          {"NS", 2},         {"MD", 3},          {"MF", 4},        {"CNAME", 5},
    {"SOA", 6},        {"MB", 7},         {"MG", 8},          {"MR", 9},        {"NULL", 10},
    {"WKS", 11},       {"PTR", 12},       {"HINFO", 13},      {"MINFO", 14},    {"MX", 15},
    {"TXT", 16},       {"RP", 17},        {"AFSDB", 18},      {"X25", 19},      {"ISDN", 20},
    {"RT", 21},        {"NSAP", 22},      {"NSAP_PTR", 23},   {"SIG", 24},      {"KEY", 25},
    {"PX", 26},        {"GPOS", 27},      {"AAAA", 28},       {"LOC", 29},      {"NXT", 30},
    {"EID", 31},       {"NIMLOC", 32},    {"SRV", 33},        {"ATMA", 34},     {"NAPTR", 35},
    {"KX", 36},        {"CERT", 37},      {"A6", 38},         {"DNAME", 39},    {"SINK", 40},
    {"OPT", 41},       {"APL", 42},       {"DS", 43},         {"SSHFP", 44},    {"IPSECKEY", 45},
    {"RRSIG", 46},     {"NSEC", 47},      {"DNSKEY", 48},     {"DHCID", 49},    {"NSEC3", 50},
    {"NSEC3PARAM", 51}, {"TLSA", 52},     {"SMIMEA", 53},     {"HIP", 55},      {"NINFO", 56},
    {"RKEY", 57},      {"TALINK", 58},    {"CDS", 59},        {"CDNSKEY", 60},  {"OPENPGPKEY", 61},
    {"CSYNC", 62},     {"ZONEMD", 63},    {"SVCB", 64},       {"HTTPS", 65},    {"SPF", 99},
    {"UINFO", 100},    {"UID", 101},      {"GID", 102},       {"UNSPEC", 103},  {"NID", 104},
    {"L32", 105},      {"L64", 106},      {"LP", 107},        {"EUI48", 108},   {"EUI64", 109},
    {"TKEY", 249},     {"TSIG", 250},     {"IXFR", 251},      {"AXFR", 252},    {"MAILB", 253},
    {"MAILA", 254},    {"ANY", 255},      {"URI", 256},       {"CAA", 257},     {"AVC", 258},
    {"DOA", 259},      {"AMTRELAY", 260}, {"RESINFO", 261},   {"TA", 32768},    {"DLV", 32769},
};

bool is_unquoted_space(const OptArg& a, size_t i) { return a.text()[i] == ' ' && !a.quoted(i); }

}  // namespace

std::optional<int32_t> c_atoi(std::string_view s) {
  uint64_t v = 0;
  bool saturated = false;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    if (!saturated) {
      v = v * 10 + static_cast<uint64_t>(c - '0');
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) saturated = true;
    }
  }
  if (saturated) v = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return cut_to_int(static_cast<int64_t>(v));
}

std::optional<uint16_t> c_atoi16(std::string_view s) {
  auto v = c_atoi(s);
  if (!v || *v < 0 || *v > 0xffff) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

std::optional<uint8_t> c_atoi8(std::string_view s) {
  auto v = c_atoi(s);
  if (!v || *v < 0 || *v > 0xff) return std::nullopt;
  return static_cast<uint8_t>(*v);
}

int32_t c_strtol(std::string_view s, int base) {
  size_t i = 0;
  while (i < s.size() && text::is_space(s[i])) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if ((base == 0 || base == 16) && i + 1 < s.size() && s[i] == '0' &&
      text::ascii_lower(s[i + 1]) == 'x' && i + 2 < s.size() && hex_digit(s[i + 2]) >= 0) {
    i += 2;
    base = 16;
  } else if (base == 0) {
    base = (i < s.size() && s[i] == '0') ? 8 : 10;
  }
  uint64_t v = 0;
  bool saturated = false;
  for (; i < s.size(); ++i) {
    int d = hex_digit(s[i]);
    if (d < 0 || d >= base) break;
    if (!saturated) {
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) saturated = true;
    }
  }
  int64_t r;
  if (saturated) r = neg ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  else r = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return cut_to_int(r);
}

std::optional<uint32_t> c_strtoul32(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && text::is_space(s[i])) ++i;
  if (i < s.size() && s[i] == '+') ++i;
  s.remove_prefix(i);
  return text::parse_uint<uint32_t>(s);
}

std::optional<std::string> Fields::next() {
  if (done_) return std::nullopt;
  const std::string& t = arg_.text();
  size_t comma = arg_.find_unquoted(',', pos_);
  if (comma == std::string::npos) {
    done_ = true;
    return t.substr(pos_);
  }
  size_t end = comma;
  while (end > pos_ && is_unquoted_space(arg_, end - 1)) --end;
  std::string piece = t.substr(pos_, end - pos_);
  pos_ = comma + 1;
  while (pos_ < t.size() && is_unquoted_space(arg_, pos_)) ++pos_;
  return piece;
}

std::optional<std::string> Fields::rest() {
  if (done_) return std::nullopt;
  done_ = true;
  return arg_.text().substr(pos_);
}

std::vector<std::string> split_all(const OptArg& arg) {
  Fields f(arg);
  std::vector<std::string> out;
  while (auto p = f.next()) out.push_back(std::move(*p));
  return out;
}

std::pair<std::string, std::optional<std::string>> split_at(std::string_view s, char c) {
  size_t pos = s.find(c);
  if (pos == std::string_view::npos) return {std::string(s), std::nullopt};
  size_t end = pos;
  while (end > 0 && s[end - 1] == ' ') --end;
  size_t start = pos + 1;
  while (start < s.size() && s[start] == ' ') ++start;
  return {std::string(s.substr(0, end)), std::string(s.substr(start))};
}

std::optional<std::string> check_name(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.size() > 1025) return std::nullopt;
  size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      label = 0;
    } else if (++label > 63) {
      return std::nullopt;
    }
  }
  return std::string(s);
}

std::optional<DomainPattern> parse_domain_pattern(std::string_view s) {
  DomainPattern p;
  if (s == "#") {
    p.kind = DomainPattern::Kind::Any;
    return p;
  }
  if (s.empty()) {
    p.kind = DomainPattern::Kind::Unqualified;
    return p;
  }
  if (s.front() == '*') {
    p.wildcard = true;
    s.remove_prefix(1);
  } else {
    while (!s.empty() && s.front() == '.') s.remove_prefix(1);
  }
  auto name = check_name(s);
  if (!name) return std::nullopt;
  for (char& c : *name) c = text::ascii_lower(c);
  p.name = std::move(*name);
  return p;
}

SlashSplit split_slash_domains(std::string_view s) {
  SlashSplit out;
  if (s.empty() || s.front() != '/') {
    out.rest = std::string(s);
    return out;
  }
  size_t last = s.rfind('/');
  if (last == 0) {
    std::string_view rest = s.substr(1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    out.rest = std::string(rest);
    return out;
  }
  // As with commas, spaces next to a '/' are dropped.
  auto strip = [](std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  };
  for (auto d : text::split(s.substr(1, last - 1), '/')) out.domains.emplace_back(strip(d));
  std::string_view rest = s.substr(last + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  out.rest = std::string(rest);
  return out;
}

std::optional<IpAddr> parse_ip(std::string_view s) { return IpAddr::parse(s); }

std::optional<LaxPrefix> parse_lax_prefix(std::string_view s) {
  auto [addr_text, len_text] = split_at(s, '/');
  auto addr = parse_ip(addr_text);
  if (!addr) return std::nullopt;
  LaxPrefix p{*addr, static_cast<int32_t>(addr->size() * 8), false};
  if (len_text) {
    auto len = c_atoi(*len_text);
    if (!len) return std::nullopt;
    p.len = *len;
    p.has_len = true;
  }
  return p;
}

std::optional<std::vector<uint8_t>> parse_hex(std::string_view s) {
  std::vector<uint8_t> out;
  int pending = -1;  // a first digit waiting for its pair
  for (char c : s) {
    if (c == ':' || c == '-' || c == ' ') {
      if (pending >= 0) out.push_back(static_cast<uint8_t>(pending));
      pending = -1;
      continue;
    }
    int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    if (pending < 0) {
      pending = d;
    } else {
      out.push_back(static_cast<uint8_t>(pending * 16 + d));
      pending = -1;
    }
  }
  if (pending >= 0) out.push_back(static_cast<uint8_t>(pending));
  return out;
}

std::optional<uint16_t> parse_rr_type(std::string_view s) {
  for (const auto& rr : kRrNames)
    if (text::iequals(rr.name, s)) return rr.type;
  auto v = c_atoi(s);
  if (!v) return std::nullopt;
  return static_cast<uint16_t>(static_cast<uint32_t>(*v));
}

std::vector<std::string> reverse_zones(const IpPrefix& prefix) {
  std::vector<std::string> out;
  const auto& b = prefix.addr.bytes();
  if (prefix.addr.is_v4()) {
    unsigned aligned = (prefix.length + 7u) / 8u * 8u;
    unsigned count = 1u << (aligned - prefix.length);
    unsigned octets = aligned / 8;
    for (unsigned i = 0; i < count; ++i) {
      std::array<uint8_t, 4> v{b[0], b[1], b[2], b[3]};
      if (aligned != prefix.length) {
        unsigned free_bits = aligned - prefix.length;
        uint8_t mask = static_cast<uint8_t>((1u << free_bits) - 1);
        v[octets - 1] = static_cast<uint8_t>((v[octets - 1] & ~mask) | i);
      }
      std::string zone;
      for (unsigned o = octets; o > 0; --o) zone += fmt::format("{}.", v[o - 1]);
      out.push_back(zone + "in-addr.arpa");
    }
  } else {
    unsigned aligned = (prefix.length + 3u) / 4u * 4u;
    unsigned count = 1u << (aligned - prefix.length);
    unsigned nibbles = aligned / 4;
    auto nibble = [&](unsigned n) { return (n % 2 == 0) ? (b[n / 2] >> 4) : (b[n / 2] & 15); };
    for (unsigned i = 0; i < count; ++i) {
      std::string zone;
      for (unsigned n = nibbles; n > 0; --n) {
        unsigned v = static_cast<unsigned>(nibble(n - 1));
        if (n == nibbles && aligned != prefix.length) {
          unsigned mask = (1u << (aligned - prefix.length)) - 1;
          v = (v & ~mask) | i;
        }
        zone += fmt::format("{:x}.", v);
      }
      out.push_back(zone + "ip6.arpa");
    }
  }
  return out;
}

}  // namespace masqd::config::dnsopt
