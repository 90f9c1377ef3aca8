#include "base/ip.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "base/text.h"

namespace masqd {

IpAddr IpAddr::v4(std::array<uint8_t, 4> b) {
  IpAddr a;
  a.family_ = Family::V4;
  std::memcpy(a.bytes_.data(), b.data(), 4);
  return a;
}

IpAddr IpAddr::v6(std::array<uint8_t, 16> b) {
  IpAddr a;
  a.family_ = Family::V6;
  a.bytes_ = b;
  return a;
}

std::optional<IpAddr> IpAddr::parse_v4(std::string_view s) {
  // inet_pton is strict (exactly four decimal parts), which is what we want.
  if (s.empty() || s.size() > 15) return std::nullopt;
  char buf[16];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  std::array<uint8_t, 4> b{};
  if (inet_pton(AF_INET, buf, b.data()) != 1) return std::nullopt;
  return v4(b);
}

std::optional<IpAddr> IpAddr::parse_v6(std::string_view s) {
  if (s.empty() || s.size() > 45) return std::nullopt;
  char buf[46];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  std::array<uint8_t, 16> b{};
  if (inet_pton(AF_INET6, buf, b.data()) != 1) return std::nullopt;
  return v6(b);
}

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
  if (s.find(':') != std::string_view::npos) return parse_v6(s);
  return parse_v4(s);
}

bool IpAddr::is_unspecified() const {
  for (size_t i = 0; i < size(); ++i)
    if (bytes_[i] != 0) return false;
  return true;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view s) {
  auto slash = s.find('/');
  auto addr = IpAddr::parse(s.substr(0, slash));
  if (!addr) return std::nullopt;
  IpPrefix p{*addr, static_cast<uint8_t>(addr->size() * 8)};
  if (slash != std::string_view::npos) {
    auto len = text::parse_uint<unsigned>(s.substr(slash + 1));
    if (!len || *len > addr->size() * 8) return std::nullopt;
    p.length = static_cast<uint8_t>(*len);
  }
  return p;
}

bool IpPrefix::contains(const IpAddr& a) const {
  if (a.family() != addr.family()) return false;
  unsigned full = length / 8, rest = length % 8;
  if (std::memcmp(a.bytes().data(), addr.bytes().data(), full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes()[full] & mask) == (addr.bytes()[full] & mask);
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = text::ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<MacAddr> MacAddr::parse(std::string_view s) {
  if (s.size() != 17) return std::nullopt;
  MacAddr m;
  for (size_t i = 0; i < 6; ++i) {
    int hi = hex_value(s[i * 3]), lo = hex_value(s[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-') return std::nullopt;
    m.bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return m;
}

std::string MacAddr::to_string() const {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 6; ++i) {
    if (i) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace masqd
