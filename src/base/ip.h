// IP addresses, prefixes and MAC addresses as small value types, with text parsing.
// No sockets here; net/ converts these to sockaddr.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace masqd {

class IpAddr {
 public:
  enum class Family : uint8_t { V4, V6 };

  IpAddr() = default;
  static IpAddr v4(std::array<uint8_t, 4> b);
  static IpAddr v6(std::array<uint8_t, 16> b);
  // Parses dotted-quad IPv4 or RFC 4291 text IPv6 (no zone, no brackets, no spaces).
  static std::optional<IpAddr> parse(std::string_view s);
  static std::optional<IpAddr> parse_v4(std::string_view s);
  static std::optional<IpAddr> parse_v6(std::string_view s);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::V4; }
  bool is_v6() const { return family_ == Family::V6; }
  // 4 or 16 meaningful bytes, network order.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  size_t size() const { return is_v4() ? 4 : 16; }
  bool is_unspecified() const;
  std::string to_string() const;

  auto operator<=>(const IpAddr&) const = default;

 private:
  Family family_ = Family::V4;
  std::array<uint8_t, 16> bytes_{};
};

struct IpPrefix {
  IpAddr addr;
  uint8_t length = 0;
  // "addr/len"; a bare address gets the full length.
  static std::optional<IpPrefix> parse(std::string_view s);
  bool contains(const IpAddr& a) const;
  auto operator<=>(const IpPrefix&) const = default;
};

struct MacAddr {
  std::array<uint8_t, 6> bytes{};
  // "aa:bb:cc:dd:ee:ff" (also '-' separators), hex digits either case.
  static std::optional<MacAddr> parse(std::string_view s);
  std::string to_string() const;
  auto operator<=>(const MacAddr&) const = default;
};

}  // namespace masqd
