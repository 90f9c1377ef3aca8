// Text helpers shared by the DHCP/TFTP option parsers, reproducing dnsmasq 2.90's own
// primitives (comma splitting with space trimming, atoi, hex strings, name checks) so that
// masqd accepts and rejects exactly the same values. Private to src/config/dhcp_*.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/dhcp_config.h"
#include "config/option_spec.h"

namespace masqd::config::dhcp_text {

// Inside double quotes in a config file, digits, hex letters, space, ':', ',' and '.' stop
// being syntax: dnsmasq swaps each for a control-character stand-in (its index in kMetaChars)
// while the value is parsed, so quoted "1.2.3.4" is text and a quoted comma does not split.
// \b \t \n \r and ESC stand for themselves.
inline constexpr std::string_view kMetaChars{"\0" "123456 \b\t\n78\r90abcdefABCDE\033F:,.", 32};

// The value with its quoted meta characters replaced by their stand-ins.
std::string hide_metas(const OptArg& arg);
// Stand-ins turned back into the characters they hide.
std::string unhide(std::string_view s);

// dnsmasq's split: if `s` holds `sep`, cuts `s` at the first one (spaces before it are
// dropped from `s`) and returns the rest (leading spaces dropped); else nullopt, `s` intact.
std::optional<std::string_view> split_off(std::string_view& s, char sep = ',');
// Every comma-separated item of `text` (split as split_off does), unhidden.
std::vector<std::string> unhidden_items(std::string_view text);

// C atoi as glibc does it: leading white space, sign, digits; saturates like strtol on
// 64 bits and then keeps the low 32 bits, as dnsmasq's int conversion does.
int32_t c_atoi(std::string_view s);
// dnsmasq atoi_check: only digits, quoted or not (the empty string gives 0).
bool atoi_check(std::string_view s, int32_t* out);
// atoi_check and 0..65535.
bool atoi_check16(std::string_view s, uint16_t* out);

bool all_digits(std::string_view s);  // true for the empty string
bool has_prefix(std::string_view s, std::string_view prefix);  // case-sensitive
bool is_tag_prefix(std::string_view s);  // "tag:" or "net:"
std::string_view strip_set_prefix(std::string_view s);  // drops a leading "set:"

// dnsmasq parse_hex: groups separated by ':', '-' or ' ', each one or more hex byte pairs
// or a lone '*' (wildcard byte). At most `max_len` bytes (-1 = unbounded) are taken, the
// rest is not looked at. `hw_type` (if given) takes a first "HH-" group as ARP type.
// Returns false on a bad character.
bool parse_hex(std::string_view in, int max_len, std::vector<uint8_t>* out,
               std::vector<bool>* wildcard, int* hw_type);

// dnsmasq's canonicalise for names from the config: drops one trailing '.', rejects empty,
// over-long (1025) names, labels over 63 bytes, control characters, and all-blank names.
std::optional<std::string> canonical_name(std::string_view s);
// The first label holds only letters, digits, and (not first) '-' or '_'.
bool legal_hostname(std::string_view canonical);

// Lease time "<n>[smhdw]" as dhcp-range takes it: digits only (empty allowed, gives 0),
// then multiplied and raised to 120 s. nullopt when not a number.
std::optional<LeaseSeconds> parse_range_lease(std::string_view s);

// The value to parse: hidden metas applied; "" when the option came without one.
inline std::string value_text(const OptArg* arg) { return arg ? hide_metas(*arg) : std::string(); }

// One tag name, as stored: text after "tag:"/"set:"/"net:", stand-ins turned back.
inline std::string tag_name(std::string_view s) { return unhide(s); }

}  // namespace masqd::config::dhcp_text
