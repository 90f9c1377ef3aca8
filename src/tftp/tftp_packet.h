// TFTP wire format, pure: the request parser (RRQ/WRQ with RFC 2347 options), the reader of
// what a client sends during a transfer (ACK, ERROR), option negotiation with dnsmasq 2.90's
// rules, and the builders of DATA, OACK and ERROR packets. No I/O, no clock, no logger.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace masqd::tftp {

using Bytes = std::span<const uint8_t>;

// RFC 1350 opcodes.
enum Opcode : uint16_t { kRrq = 1, kWrq = 2, kData = 3, kAck = 4, kError = 5, kOack = 6 };

// RFC 1350 error codes (the ones dnsmasq sends).
enum ErrorCode : uint16_t {
  kErrNotDefined = 0,
  kErrNotFound = 1,
  kErrAccess = 2,
  kErrDiskFull = 3,
  kErrIllegal = 4,
  kErrUnknownTid = 5,
};

// Largest request we look at; dnsmasq's packet buffer is bigger, but no sane request
// comes close (a filename plus a handful of options).
inline constexpr size_t kMaxRequest = 2048;
// RFC 2348 / 7440 / 2349 limits.
inline constexpr uint32_t kDefaultBlockSize = 512;
inline constexpr uint32_t kMaxBlockSize = 65464;
inline constexpr uint16_t kMaxWindow = 32;

struct RequestOption {
  std::string name;   // lower case
  std::string value;  // as sent
};

// A read request as sent (before path rules). Only RRQ is ever valid; a WRQ parses so the
// server can refuse it the way dnsmasq does.
struct Request {
  uint16_t opcode = 0;
  std::string filename;  // raw bytes, never empty, no NUL
  bool netascii = false;  // mode "netascii" (else "octet"), case-insensitive
  std::vector<RequestOption> options;  // in the order sent; a name without a value ends the list
};

// Parses a request. nullopt = dnsmasq's "unsupported request": not an RRQ, a filename or
// mode without its NUL, an empty filename, a mode other than octet/netascii, or more than
// kMaxRequest bytes. A trailing option without a NUL-terminated value is ignored (as dnsmasq).
std::optional<Request> parse_request(Bytes packet);

// What a client sends to a transfer's port.
struct ClientPacket {
  enum class Kind : uint8_t { Ack, Error, Other } kind = Kind::Other;
  uint16_t block = 0;       // Ack
  uint16_t error_code = 0;  // Error
  std::string message;      // Error: up to the first NUL or the end, non-printable bytes as '?'
};
ClientPacket parse_client_packet(Bytes packet);

// Limits for the negotiation, from the server's configuration and the arrival interface.
struct NegotiationLimits {
  bool no_blocksize = false;   // --tftp-no-blocksize: blksize is ignored (512, not in OACK)
  uint32_t buffer_max = 0;     // largest block the packet buffer holds (0 = no limit)
  uint32_t mtu = 0;            // interface MTU after --tftp-mtu (0 = unknown)
  bool ipv6 = false;           // header overhead 52 instead of 32
};

// The result of negotiation: the transfer's parameters and the OACK to send (empty = none:
// the first DATA block goes out straight away).
struct Negotiated {
  uint32_t block_size = kDefaultBlockSize;
  uint16_t window = 1;
  uint8_t timeout_s = 0;       // RFC 2349 timeout the client asked for, 0 = server default
  bool tsize = false;          // OACK carries the file size
  std::vector<std::pair<std::string, std::string>> oack;  // name, value (tsize filled by caller)
};

// Negotiates blksize (clamped to 1..buffer and MTU minus headers, as dnsmasq), tsize (octet
// only), timeout (1..255) and windowsize (1..32, octet only). `file_size` fills tsize.
Negotiated negotiate(const Request& request, const NegotiationLimits& limits, uint64_t file_size);

// Builders: append to `out` (cleared first).
void build_error(std::vector<uint8_t>& out, uint16_t code, std::string_view message);
void build_oack(std::vector<uint8_t>& out, const std::vector<std::pair<std::string, std::string>>& options);
// DATA header only (4 bytes); the caller appends the block.
void build_data_header(uint8_t* out4, uint16_t block);

// dnsmasq's atoi(): optional leading spaces and sign, then digits; anything else stops it.
// Saturates instead of overflowing.
int64_t lenient_atoi(std::string_view s);

}  // namespace masqd::tftp
