// ScriptEvent: one --dhcp-script call (action, arguments, DNSMASQ_* environment) and its
// frame on the pipe to the root helper. The helper trusts nothing it reads: decode() accepts
// only the fixed format (SEC-18). Pure: bytes in, values out.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dhcp/lease.h"

namespace masqd::dhcp {

struct ScriptEvent {
  std::string action;              // "add", "old", "del", "tftp"
  std::vector<std::string> args;   // MAC, address[, hostname]; tftp: size, address, path
  std::vector<std::string> env;    // "DNSMASQ_X=value"
  bool operator==(const ScriptEvent&) const = default;
};

inline constexpr size_t kMaxScriptFrame = 16384;

// Frame: 4-byte big-endian length, then NUL-terminated strings: action, argument count
// (decimal), the arguments, then the environment entries.
std::string encode_script_event(const ScriptEvent& e);
// Reads one frame from the front of `bytes`: the event and the bytes used; nullopt when
// the frame is not complete yet; an error for anything malformed (the helper then stops).
Result<std::optional<std::pair<ScriptEvent, size_t>>> decode_script_event(std::span<const uint8_t> bytes);

// dnsmasq's arguments and lease environment for `l`: MAC (HH- prefixed when not Ethernet),
// address, hostname when it has one; DNSMASQ_CLIENT_ID, DNSMASQ_DOMAIN,
// DNSMASQ_LEASE_EXPIRES and DNSMASQ_TIME_REMAINING (not for infinite leases).
ScriptEvent lease_script_event(std::string action, const Lease& l, std::optional<std::string_view> domain,
                               std::chrono::sys_seconds now);

}  // namespace masqd::dhcp
