// Hosts-file reader (/etc/hosts, --addn-hosts): "address name name ..." lines parsed from
// untrusted bytes into records and per-line diagnostics. Pure apart from read_hosts_file;
// turning records into answers (expansion, PTR choice) is host_table.h's job.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "base/result.h"

namespace masqd::local {

// Largest hosts file read (1 GiB); parse() looks at no more than this many bytes, which
// keeps every offset and line number within 32 bits.
inline constexpr size_t kMaxHostsFileBytes = size_t{1} << 30;

// One name read from a hosts file, with the address that began its line.
struct HostsRecord {
  IpAddr addr;
  uint32_t line = 0;         // 1-based physical line ('\n'-terminated)
  uint32_t name_offset = 0;  // into HostsFile's name arena
  uint8_t name_size = 0;     // bytes; names are at most 253 bytes of text
  bool had_dot = false;      // the name as written contained a '.' (also a trailing one):
                             // such names are never expanded with --expand-hosts
};

// A line (or a name on it) that was skipped. dnsmasq logs one line per bad address and one
// per bad name, with the physical line number.
struct HostsDiagnostic {
  enum class Kind : uint8_t { BadAddress, BadName };
  Kind kind = Kind::BadAddress;
  uint32_t line = 0;
  // dnsmasq's wording: "bad address at FILE line N" / "bad name at FILE line N".
  std::string message(std::string_view file) const;
};

// The parsed contents of one hosts file. Names are stored once in an arena (no allocation
// per name). Immutable after parse(); safe to read from several threads.
class HostsFile {
 public:
  // Parses hosts-file bytes: tokens separated by C-locale white space (so CRLF and a missing
  // final newline are fine), '#' starts a comment up to the end of the line, the first token
  // of a line is an IPv4 or IPv6 address (inet_pton rules, no scope), the rest are names.
  // A line whose address is bad is skipped whole; a bad name is skipped alone. Never fails.
  static HostsFile parse(std::span<const uint8_t> bytes);
  static HostsFile parse(std::string_view text);

  const std::vector<HostsRecord>& records() const { return records_; }
  const std::vector<HostsDiagnostic>& diagnostics() const { return diagnostics_; }
  // A record's name: lower case, no trailing dot, labels separated by '.', no escapes
  // (a label may contain '\\' or '*' as written; see check_hosts_name).
  std::string_view name(const HostsRecord& r) const {
    return std::string_view(names_).substr(r.name_offset, r.name_size);
  }
  // Lines that began with a good address (dnsmasq counts these as "addresses").
  size_t address_count() const { return address_count_; }

 private:
  std::string names_;
  std::vector<HostsRecord> records_;
  std::vector<HostsDiagnostic> diagnostics_;
  size_t address_count_ = 0;
};

// Reads and parses a file. Errors (open/read failures, a file over kMaxHostsFileBytes) carry dnsmasq's wording
// "failed to load names from PATH: <strerror>" and code 3.
Result<HostsFile> read_hosts_file(const std::string& path);

// A hosts-file name after dnsmasq's checks (as the Debian 2.90 binary, built with IDN2,
// applies them): one trailing '.' dropped, ASCII letters lowered; nullopt ("bad name") for a
// control byte (0x00-0x1f, 0x7f), a label over 63 bytes, and - where masqd is stricter than
// dnsmasq, see README - an empty name or label, a name over 253 bytes, or a non-ASCII byte.
std::optional<std::string> check_hosts_name(std::string_view token);

}  // namespace masqd::local
