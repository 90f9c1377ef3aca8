// Names and value types of the DHCPv4 and DHCPv6 options that --dhcp-option, --dhcp-match
// and --help dhcp/dhcp6 know by name ("router", "option6:dns-server" ...).
// Pure lookup tables; no encoding here (see dhcp_parsers_option.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace masqd::config {

// How an option's value is written when given on the command line.
enum DhcpOptionType : uint16_t {
  kOptAddrList = 0x8000,     // list of addresses
  kOptDomainNames = 0x4000,  // RFC 1035 encoded names
  kOptInternal = 0x2000,     // set by the server itself: not configurable by name
  kOptName = 0x1000,         // a single text name
  kOptCountedStrings = 0x0800,  // DHCPv6 list of 2-byte-length strings
  kOptDecimal = 0x0400,      // shown as a number in logs
  kOptTime = 0x0200,         // seconds, accepts s/m/h/d/w suffixes
  kOptLengthMask = 0x00ff,   // fixed size in bytes of a numeric value (0 = by magnitude)
};

struct DhcpOptionName {
  std::string_view name;
  uint16_t code;
  uint16_t type;  // DhcpOptionType bits plus a byte length
};

std::span<const DhcpOptionName> dhcp4_option_names();
std::span<const DhcpOptionName> dhcp6_option_names();

// Case-insensitive name lookup; nullptr when unknown.
const DhcpOptionName* find_dhcp_option(bool v6, std::string_view name);
// By number; nullptr when the number has no entry.
const DhcpOptionName* find_dhcp_option(bool v6, int code);

}  // namespace masqd::config
