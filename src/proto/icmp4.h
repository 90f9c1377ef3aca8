// ICMPv4 echo messages for the DHCP server's address check (ping before offering): building
// an echo request and reading an echo reply as a raw socket delivers it (IPv4 header
// first). Pure: bytes in, values out.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "base/ip.h"

namespace masqd::proto::icmp4 {

inline constexpr size_t kEchoSize = 8;  // type, code, checksum, identifier, sequence

// An echo request (type 8) with this identifier and sequence number, checksum filled in.
std::array<uint8_t, kEchoSize> build_echo_request(uint16_t ident, uint16_t seq);

struct EchoReply {
  IpAddr from;  // the IPv4 header's source
  uint16_t ident = 0;
  uint16_t seq = 0;
};

// An echo reply (type 0, code 0) in an IPv4 datagram; nullopt for anything else or for
// bytes too short for what their headers claim.
std::optional<EchoReply> parse_echo_reply(std::span<const uint8_t> datagram);

// The Internet checksum (RFC 1071) of `bytes`.
uint16_t checksum(std::span<const uint8_t> bytes);

}  // namespace masqd::proto::icmp4
