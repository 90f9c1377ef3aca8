// Building and patching DNS replies in caller-provided buffers: local error replies
// (header + question + optional OPT), truncated replies, and the in-place edits a forwarder
// makes to an upstream answer (ID, question case, flags, OPT removal or size). Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/result.h"
#include "proto/dns_wire.h"

namespace masqd::proto::dns {

namespace rcode {
constexpr uint8_t NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5;
}
// RFC 8914 extended DNS error codes used here.
namespace ede {
constexpr uint16_t Other = 0, Blocked = 15, NotReady = 14, Filtered = 17, NetworkError = 23,
                   InvalidData = 24;
}

namespace flag {
constexpr uint16_t QR = 0x8000, AA = 0x0400, TC = 0x0200, RD = 0x0100, RA = 0x0080,
                   AD = 0x0020, CD = 0x0010;
}

// Size of an OPT record without options (root owner, fixed fields).
constexpr size_t kOptRecordSize = 11;

// What a locally made reply carries in its additional section.
struct ReplyEdns {
  uint16_t udp_size = 1232;
  bool do_bit = false;
  std::optional<uint16_t> ede;  // one Extended DNS Error option, no text
};

// Writes an OPT record into `out`; returns its size, or 0 if `out` is too small.
size_t write_opt(const ReplyEdns& e, std::span<uint8_t> out);

// A reply made here rather than upstream: the query's ID, opcode, RD and CD; QR and RA set;
// `rcode`; AA when `aa`; the question bytes `question` (exactly as the client sent them,
// QDCOUNT 1, or none when empty); no records; an OPT when `edns` is set. Returns the size
// written, or 0 if `out` is too small.
size_t write_local_reply(const Header& query, Bytes question, uint8_t rcode, bool aa,
                         const std::optional<ReplyEdns>& edns, std::span<uint8_t> out);

// Offsets of the records of a message, found by walking it once.
struct OptLocation {
  size_t start = 0;  // first byte of the OPT record
  size_t end = 0;    // one past its last byte
};
// Finds the OPT record in the additional section (the first one, if several). nullopt if
// there is none; an error if the message cannot be walked.
Result<std::optional<OptLocation>> find_opt(Bytes msg);

// Removes the OPT record from msg[0, len) in place and decrements ARCOUNT. Returns the
// new length (len when there was none). Requires the message to be walkable.
Result<size_t> strip_opt(std::span<uint8_t> msg, size_t len);

// Rewrites the UDP payload size of the OPT record in place; false if there is none.
bool set_opt_udp_size(std::span<uint8_t> msg, size_t len, uint16_t udp_size);

// Lowers every answer-section TTL above `max_ttl` to it, in place (--max-ttl). False if the
// message cannot be walked.
bool cap_answer_ttls(std::span<uint8_t> msg, size_t len, uint32_t max_ttl);

// Reads a 16-bit big-endian value at `offset` (caller checks bounds).
inline uint16_t get_u16(Bytes b, size_t offset) {
  return static_cast<uint16_t>(b[offset] << 8 | b[offset + 1]);
}
inline void put_u16(std::span<uint8_t> b, size_t offset, uint16_t v) {
  b[offset] = static_cast<uint8_t>(v >> 8);
  b[offset + 1] = static_cast<uint8_t>(v & 0xff);
}

}  // namespace masqd::proto::dns
