// DNS wire format (RFC 1035, 6891): bounds-checked reading of headers, names (with
// compression), questions and resource records, and writing of names. Pure: no I/O,
// no clock, no logging; untrusted bytes give a Result, never a crash.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace masqd::proto::dns {

using Bytes = std::span<const uint8_t>;

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxNameWire = 255;  // RFC 1035 2.3.4, including the root label
constexpr size_t kMaxLabel = 63;

namespace rr {
constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28,
                   SRV = 33, NAPTR = 35, OPT = 41, DS = 43, RRSIG = 46, NSEC = 47, DNSKEY = 48,
                   CAA = 257, ANY = 255;
}
namespace cls {
constexpr uint16_t IN = 1, CH = 3, ANY = 255;
}

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  bool qr() const { return flags & 0x8000; }
  uint8_t opcode() const { return (flags >> 11) & 0xf; }
  bool aa() const { return flags & 0x0400; }
  bool tc() const { return flags & 0x0200; }
  bool rd() const { return flags & 0x0100; }
  bool ra() const { return flags & 0x0080; }
  bool ad() const { return flags & 0x0020; }
  bool cd() const { return flags & 0x0010; }
  uint8_t rcode() const { return flags & 0xf; }
};

Result<Header> parse_header(Bytes msg);
void write_header(const Header& h, std::span<uint8_t, kHeaderSize> out);

// A domain name in uncompressed wire form (length-prefixed labels ending with the root
// label), at most 255 bytes. Letter case is preserved as received.
class Name {
 public:
  Name() { buf_[0] = 0; }
  // Text form ("www.example.com", trailing dot optional, "\DDD" and "\X" escapes).
  static std::optional<Name> from_text(std::string_view text);

  Bytes wire() const { return {buf_.data(), len_}; }
  size_t wire_size() const { return len_; }
  size_t label_count() const;
  bool is_root() const { return len_ == 1; }
  // Presentation form without the trailing dot ("" for the root when `root_dot` is false),
  // escaping '.', '\\' and bytes outside 0x21..0x7e as \DDD (RFC 4343).
  std::string to_text() const;
  bool equals_nocase(const Name& o) const;

  // Appends one label; false if it would exceed the limits.
  bool append_label(std::string_view label);

 private:
  friend Result<size_t> read_name(Bytes, size_t, Name&);
  std::array<uint8_t, kMaxNameWire> buf_{};
  size_t len_ = 1;
};

// Reads a possibly compressed name at `offset` of `msg` into `out`. Returns the offset just
// after the name's bytes at `offset` (not after any pointer target). Rejects: running past
// the end, labels with the reserved 0x40/0x80 bits, pointers that do not point strictly
// backwards (which also rules out loops) or that point into the 12-byte header, names
// longer than 255 bytes once expanded.
Result<size_t> read_name(Bytes msg, size_t offset, Name& out);

struct Question {
  Name name;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
};

// One resource record as found in a message: owner name, fixed fields, and the location
// of its RDATA inside the message (which may hold compressed names).
struct RecordView {
  Name owner;
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  size_t rdata_offset = 0;
  uint16_t rdlength = 0;
};

Result<size_t> read_question(Bytes msg, size_t offset, Question& out);
Result<size_t> read_record(Bytes msg, size_t offset, RecordView& out);

// EDNS0 facts from the OPT pseudo-record (RFC 6891).
struct Edns {
  uint16_t udp_size = 0;
  uint8_t extended_rcode = 0;
  uint8_t version = 0;
  bool do_bit = false;
  size_t options_offset = 0;  // RDATA of the OPT record: a sequence of options
  uint16_t options_length = 0;
};

// A whole message checked once: header, every record walked with bounds checks, the
// question (when QDCOUNT is 1) and EDNS (when exactly one OPT record is in the additional
// section, owned by the root). Rejects trailing garbage only when `strict_trailing`.
class MessageView {
 public:
  static Result<MessageView> parse(Bytes msg, bool strict_trailing = false);

  const Header& header() const { return header_; }
  const std::optional<Question>& question() const { return question_; }
  const std::optional<Edns>& edns() const { return edns_; }
  size_t answer_offset() const { return answer_offset_; }
  size_t end_offset() const { return end_offset_; }  // just past the last record

 private:
  Header header_;
  std::optional<Question> question_;
  std::optional<Edns> edns_;
  size_t answer_offset_ = kHeaderSize;
  size_t end_offset_ = kHeaderSize;
};

// Walks the options of an OPT record's RDATA: calls fn(code, data) for each; false if an
// option's length runs past the RDATA.
template <typename Fn>
bool for_each_edns_option(Bytes msg, const Edns& e, Fn&& fn) {
  size_t p = e.options_offset, end = e.options_offset + e.options_length;
  if (end > msg.size()) return false;
  while (p < end) {
    if (end - p < 4) return false;
    uint16_t code = static_cast<uint16_t>(msg[p] << 8 | msg[p + 1]);
    uint16_t len = static_cast<uint16_t>(msg[p + 2] << 8 | msg[p + 3]);
    p += 4;
    if (len > end - p) return false;
    fn(code, msg.subspan(p, len));
    p += len;
  }
  return true;
}

std::string type_name(uint16_t type);  // "A", "AAAA", ... or "TYPE123"

}  // namespace masqd::proto::dns
