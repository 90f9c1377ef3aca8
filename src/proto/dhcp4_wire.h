// DHCPv4 wire format (RFC 951, 2131, 2132, 3396, 3046): parsing untrusted bytes into a
// Dhcp4Packet value and building a reply from a header and an ordered option list.
// Pure: no I/O, no clock, no logging, no config; what to send is the engine's business.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "base/result.h"

namespace masqd::proto::dhcp4 {

using Bytes = std::span<const uint8_t>;

constexpr size_t kChaddrSize = 16;
constexpr size_t kSnameSize = 64;
constexpr size_t kFileSize = 128;
constexpr size_t kFixedSize = 236;      // op .. file: everything before the magic cookie
constexpr size_t kOptionsOffset = 240;  // after the cookie
constexpr size_t kMinBootpSize = 300;   // RFC 951 packet size; shorter replies are padded
constexpr size_t kSnameOffset = 44;
constexpr size_t kFileOffset = kSnameOffset + kSnameSize;
constexpr std::array<uint8_t, 4> kMagicCookie = {99, 130, 83, 99};  // RFC 2131 3

// Option codes this layer knows by meaning. Names for logs and config live in
// config/dhcp_option_names.h; this is not a second table of them.
namespace opt {
constexpr uint8_t Pad = 0, Hostname = 12, RequestedAddress = 50, LeaseTime = 51, Overload = 52,
                  MessageType = 53, ServerId = 54, ParameterRequestList = 55, Message = 56,
                  MaxMessageSize = 57, VendorClass = 60, ClientId = 61, UserClass = 77,
                  ClientFqdn = 81, RelayAgentInfo = 82, End = 255;
}

// RFC 2132 9.6 and RFC 4388 message types.
enum class MessageType : uint8_t {
  Discover = 1,
  Offer,
  Request,
  Decline,
  Ack,
  Nak,
  Release,
  Inform,
  ForceRenew,
  LeaseQuery,
  LeaseUnassigned,
  LeaseUnknown,
  LeaseActive,
};

// Option 52 (RFC 2132 9.3): which BOOTP fields carry options too.
enum Overload : uint8_t { kOverloadFile = 1, kOverloadSname = 2 };

// The fixed BOOTP part of a message. sname and file are kept as raw bytes: when option
// overload is in force they hold options, not text.
struct Header {
  uint8_t op = 0;     // 1 request, 2 reply
  uint8_t htype = 0;  // ARP hardware type, 1 = Ethernet
  uint8_t hlen = 0;   // meaningful bytes of chaddr, at most 16
  uint8_t hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;                     // 0x8000 = broadcast
  IpAddr ciaddr, yiaddr, siaddr, giaddr;  // always IPv4
  std::array<uint8_t, kChaddrSize> chaddr{};
  std::array<uint8_t, kSnameSize> sname{};
  std::array<uint8_t, kFileSize> file{};

  bool broadcast() const { return flags & 0x8000; }
  Bytes hwaddr() const { return Bytes(chaddr.data(), hlen); }
  bool operator==(const Header&) const = default;
};

// One option with all its instances joined (RFC 3396): the value is every instance's
// data in order, options field first, then file, then sname.
struct Option {
  uint8_t code = 0;
  std::vector<uint8_t> data;
  bool operator==(const Option&) const = default;
};

// RFC 3046 relay agent information with the sub-options servers act on.
struct RelayAgentInfo {
  std::vector<Option> sub_options;  // every sub-option in order (codes are sub-option codes)
  std::optional<std::vector<uint8_t>> circuit_id;     // sub-option 1
  std::optional<std::vector<uint8_t>> remote_id;      // sub-option 2
  std::optional<std::vector<uint8_t>> subscriber_id;  // sub-option 6 (RFC 3993)
};

// RFC 4702 client FQDN (3 bytes at least: flags, RCODE1, RCODE2, then the name).
// `name` is the name as text, decoded as dnsmasq 2.90 does: with the E flag (0x04, wire
// encoding) the labels that fit wholly inside the option, joined by dots, up to a zero
// length byte or the first label that would run past the end (what came before is kept);
// a length byte is never followed as a compression pointer (RFC 4702 2.3.1 forbids them):
// 0xc0 is just a label length that rarely fits. Without E, the ASCII bytes as sent.
// `raw_name` holds the bytes after the rcodes as sent. Bytes are not checked here (NUL,
// non-printables and over-long labels included): hostname rules belong to the engine.
struct ClientFqdn {
  static constexpr uint8_t kS = 0x01, kO = 0x02, kE = 0x04, kN = 0x08;
  std::vector<uint8_t> raw_name;
  uint8_t flags = 0;
  uint8_t rcode1 = 0, rcode2 = 0;
  std::string name;
};

class Dhcp4Packet {
 public:
  // Reads a whole UDP payload. Rejects: fewer than 236 bytes, hlen > 16, an option whose
  // length byte or data runs past its field, an invalid option 52, option 52 inside an
  // overloaded field (an overload loop). A packet without the magic cookie is plain BOOTP:
  // it parses, with has_cookie() false and no options. END, or the end of a field, ends
  // that field's options; PAD is skipped. Options 0, 52 and 255 never appear in options().
  static Result<Dhcp4Packet> parse(Bytes packet);

  const Header& header() const { return header_; }
  bool has_cookie() const { return has_cookie_; }
  uint8_t overload() const { return overload_; }  // Overload bits in force, 0 = none
  // Options in order of first appearance, each instance joined.
  const std::vector<Option>& options() const { return options_; }
  const Option* find(uint8_t code) const;

  // Typed accessors: nullopt when the option is absent or its length is wrong.
  std::optional<MessageType> message_type() const;                     // 53, 1 byte
  std::optional<IpAddr> requested_address() const;                     // 50, 4 bytes
  std::optional<IpAddr> server_id() const;                             // 54, 4 bytes
  std::optional<uint16_t> max_message_size() const;                    // 57, 2 bytes
  std::optional<std::vector<uint8_t>> client_id() const;               // 61, at least 1 byte
  std::optional<std::string> hostname() const;                         // 12, raw bytes
  std::optional<std::vector<uint8_t>> parameter_request_list() const;  // 55
  std::optional<std::vector<uint8_t>> vendor_class() const;            // 60, raw
  std::optional<std::vector<uint8_t>> user_class() const;              // 77, raw (RFC 3004)
  std::optional<ClientFqdn> client_fqdn() const;                       // 81, at least 3 bytes
  std::optional<RelayAgentInfo> relay_agent_info() const;              // 82, well-formed only

 private:
  Header header_;
  bool has_cookie_ = false;
  uint8_t overload_ = 0;
  std::vector<Option> options_;
};

// The text of an option-81 name (see ClientFqdn): `wire` = the E flag was set.
std::string fqdn_name_text(Bytes name, bool wire);

// The option-81 value a server sends back, laid out as dnsmasq 2.90 does: `flags`, RCODE1
// and RCODE2 both 255, then `host` followed by `domain` when there is one. Wire form
// (`wire`): the labels of host and domain, then the root label only when a domain was
// given (dnsmasq ends a bare host name without it). ASCII: "host" or "host.domain", plus a
// NUL when `nul` (the client's own name ended in one). Labels are cut at 63 bytes and the
// value at 255 bytes, so it always fits one option.
std::vector<uint8_t> encode_client_fqdn(uint8_t flags, std::string_view host, std::string_view domain,
                                        bool wire, bool nul);

// Limits for one reply.
struct BuildLimits {
  // Largest DHCP message (UDP payload) the client takes; values below 300 count as 300.
  size_t max_size = 576 - 28;
  // Fields the builder may fill with options (option 52) when the options field is full;
  // a field is used only when it is also all zero in the header (dnsmasq's rule: no
  // overload when it carries a boot file or server name).
  bool overload_file = false;
  bool overload_sname = false;
};

struct BuildOutput {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> dropped;  // codes of options that did not fit, in order
  uint8_t overload = 0;          // Overload bits used
};

// Writes header, cookie, then `options` in the given order: a value over 255 bytes goes
// out as consecutive 255-byte instances (RFC 3396), shorter values are never split. An
// option that does not fit anywhere is left out whole and named in `dropped`. The options
// field ends with END, as does each overloaded field; the message is padded with zeros
// to 300 bytes. Codes 0, 52 and 255 in `options` are skipped (the builder owns them).
BuildOutput build(const Header& header, std::span<const Option> options, const BuildLimits& limits);

}  // namespace masqd::proto::dhcp4
