// Private helpers for the DNS option parsers: dnsmasq's C number conversions, its comma
// splitting, domain-name checks, hex strings and RR type names. Not for use outside
// src/config/dns_*.cc (values here copy dnsmasq's quirks on purpose).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "base/result.h"
#include "config/dns_config.h"
#include "config/option_spec.h"

namespace masqd::config::dnsopt {

// dnsmasq's "numeric, then atoi": only decimal digits (the empty string is 0), converted
// like glibc atoi (strtol saturating at the 64-bit range, then cut to a 32-bit int, so
// 4294967296 gives 0 and 99999999999 gives 1215752191). nullopt: not all digits.
std::optional<int32_t> c_atoi(std::string_view s);
// c_atoi with the result required to lie in [0, 65535] / [0, 255].
std::optional<uint16_t> c_atoi16(std::string_view s);
std::optional<uint8_t> c_atoi8(std::string_view s);
// glibc strtol(s, nullptr, base) cut to a 32-bit int (leading blanks, sign, 0x prefix for
// base 0 or 16; junk ends the number; no error ever).
int32_t c_strtol(std::string_view s, int base);
// Strict unsigned 32-bit decimal: optional leading blanks, optional '+', digits, no junk,
// no overflow. nullopt otherwise.
std::optional<uint32_t> c_strtoul32(std::string_view s);

// Walks a value the way dnsmasq's split() does: each piece ends at the next unquoted ','
// with spaces before that comma dropped, and spaces after it skipped. The first piece keeps
// its leading spaces and the last its trailing ones (dnsmasq's file reader already trimmed
// the line).
class Fields {
 public:
  explicit Fields(const OptArg& arg) : arg_(arg) {}
  bool done() const { return done_; }
  // The next piece; nullopt when none is left.
  std::optional<std::string> next();
  // Everything not consumed yet, commas included; nullopt when nothing is left.
  std::optional<std::string> rest();

 private:
  const OptArg& arg_;
  size_t pos_ = 0;
  bool done_ = false;
};

// All pieces (Fields::next until done). "" gives {""}.
std::vector<std::string> split_all(const OptArg& arg);

// Splits "a<c>b" at the first `c` into a and b, dropping spaces before and after `c`
// (dnsmasq's split_chr). Returns nullopt for b when there is no `c`.
std::pair<std::string, std::optional<std::string>> split_at(std::string_view s, char c);

// dnsmasq's canonicalise for names in options: one trailing dot dropped, every label at
// most 63 bytes and the whole at most 1025; otherwise nullopt. Case is kept.
std::optional<std::string> check_name(std::string_view s);

// A /dom/ list entry: "#" → Any, "" → Unqualified, "*dom" → wildcard, ".dom" → dom.
std::optional<DomainPattern> parse_domain_pattern(std::string_view s);
// "/a/b/rest" → domains {a, b} and rest; text without a leading '/' → no domains, rest =
// whole text. A '/' only at the start gives no domains and rest = text after it. Spaces
// next to each '/' are dropped (not the trailing ones of rest).
struct SlashSplit {
  std::vector<std::string> domains;
  std::string rest;
};
SlashSplit split_slash_domains(std::string_view s);

// Strict IPv4 or IPv6 text (inet_pton), no scope.
std::optional<IpAddr> parse_ip(std::string_view s);

// "addr/len" with dnsmasq's lax length: the length goes through c_atoi (so "" is 0).
// Returns nullopt when the address or the length text is bad; range is not checked.
struct LaxPrefix {
  IpAddr addr;
  int32_t len = 0;
  bool has_len = false;
};
std::optional<LaxPrefix> parse_lax_prefix(std::string_view s);

// Hex bytes as dnsmasq's parse_hex reads them: hex digit pairs, optionally separated by
// ':', '-' or ' '; a lone digit between separators is one byte. nullopt on any other char.
std::optional<std::vector<uint8_t>> parse_hex(std::string_view s);

// RR type by mnemonic (case-insensitive, dnsmasq's table) or decimal number (c_atoi,
// cut to 16 bits). nullopt: unknown name.
std::optional<uint16_t> parse_rr_type(std::string_view s);

// Reverse-lookup zones ("in-addr.arpa"/"ip6.arpa") covering `prefix`: one zone when the
// length is octet (v4) or nibble (v6) aligned, otherwise one per value of the partial
// octet/nibble.
std::vector<std::string> reverse_zones(const IpPrefix& prefix);

// "" with no message: dnsmasq's generic "error".
inline Error gen_err() { return make_error(""); }

}  // namespace masqd::config::dnsopt
