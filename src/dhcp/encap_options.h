// The encapsulated forms of --dhcp-option / --dhcp-option-force for DHCPv4, pure: which
// `encap:<n>`, `vi-encap:<enterprise>` and `vendor:<class>` sub-options a reply carries and
// how they are packed, as dnsmasq 2.90 does (observed side by side,
// tests/compat/test_dhcp_encap_compat.py). No I/O; the engine decides the tags and the
// request list.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/dhcp_config.h"
#include "proto/dhcp4_wire.h"

namespace masqd::dhcp::encap {

struct Query {
  std::function<bool(const config::TagList&)> tags_ok;  // the option's tags match the request
  std::function<bool(int)> requested;                   // in the request list (or no list)
  std::optional<std::span<const uint8_t>> vendor_class; // the client's option 60
  bool with_vendor = true;  // build option 43 from vendor: (false: PXE builds it, see below)
};

// `options` oldest first (the engine's list). Returns, in dnsmasq's order:
// * one option <n> per `encap:<n>` number with a sub-option to send and one option 125 per
//   `vi-encap:` enterprise, in the order of each group's newest entry (matching or not);
//   encap:<n> ends with END (255), option 125 is enterprise (4 bytes), data-len, sub-options;
// * last, option 43 with the `vendor:` sub-options whose class is a substring of the
//   client's vendor class (none without option 60), ending with END.
// Sub-options are newest first: every entry whose tags match (a tagged entry does not hide an
// untagged one with the same code; copies of a code are all sent). When the client does not
// ask for a group's option (its request list lacks it), only the forced entries go out; for
// vendor: one forced matching entry takes every matching one along.
// Addresses are sent as written (0.0.0.0 is not replaced). An encap:/vendor: group over 255
// bytes goes out as several copies of its option (a new one where the next sub-option does
// not fit; END in the last); a vi-encap: enterprise whose sub-options come to more than 250
// bytes is not sent at all, with a line for the log in `notes` (both as dnsmasq 2.90).
std::vector<proto::dhcp4::Option> build(const std::vector<config::DhcpOption>& options,
                                        const Query& q, std::vector<std::string>* notes = nullptr);

// The vendor: sub-options `build` would put in option 43, packed (code, length, value), no
// END. With PXE on, dnsmasq puts them in the PXE option 43: after the menu sub-options and
// before the --pxe-prompt ones (the engine's add_pxe_options).
std::vector<uint8_t> vendor_suboptions(const std::vector<config::DhcpOption>& options,
                                       const Query& q);

}  // namespace masqd::dhcp::encap
