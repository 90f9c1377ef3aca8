// dnsmasq 2.90's lease file, text only: parsing a possibly damaged file into leases and
// formatting leases back, byte for byte as dnsmasq writes them. No file I/O here (see
// atomic_file.h and file_lease_store.h).
//
//   <expiry> <hwaddr> <ipv4> <hostname|*> <client-id|*>      one line per IPv4 lease
//   duid <server-duid>                                       when DHCPv6 is on
//   <expiry> <[T]iaid> <ipv6> <hostname|*> <client-duid|*>   one line per IPv6 lease
//
// expiry: decimal seconds since the epoch, 0 = never. hwaddr: lower-case colon hex,
// prefixed with the ARP type in two hex digits and '-' ("06-...") when the type is not
// Ethernet or the address is empty ("01-"). Ids: lower-case colon hex.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dhcp/lease.h"

namespace masqd::dhcp {

// Lines longer than this are damage: dnsmasq's longest (a 255-byte client id) is ~1100.
inline constexpr size_t kMaxLeaseLine = 2048;

struct LeaseFileProblem {
  size_t line = 0;  // 1-based
  std::string reason;
};

struct LeaseFileContents {
  std::vector<Lease> leases;  // IPv4, in file order
  // The DUID line and IPv6 lease lines, exactly as read (without the newline), in file
  // order. masqd has no DHCPv6 yet; these are written back unchanged so nothing is lost.
  std::vector<std::string> kept_lines;
  std::vector<LeaseFileProblem> problems;  // lines skipped, with why
};

// Never fails as a whole: every readable line is kept, every other one is reported.
// Unlike dnsmasq 2.90 (which reads tokens, not lines, and stops at the first bad one,
// dropping the rest of the file) one bad line costs only itself. Empty lines are skipped
// silently; a last line without a newline is read like any other. Expired leases are
// returned too: pruning them is the engine's job (it has the clock).
LeaseFileContents parse_lease_file(std::string_view text);

// One IPv4 line without the newline.
Result<Lease> parse_lease_line(std::string_view line);

// One IPv4 line with its newline, as dnsmasq writes it. A hostname the file cannot hold
// (empty, "*", whitespace, control or non-ASCII bytes, over 255 bytes) is written as "*";
// hardware addresses over 16 bytes and client ids over 255 bytes are cut to those sizes.
std::string format_lease_line(const Lease& lease);

}  // namespace masqd::dhcp
