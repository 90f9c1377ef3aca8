#include "tftp/tftp_packet.h"

#include <algorithm>
#include <limits>

namespace masqd::tftp {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

uint16_t get16(Bytes p, size_t at) { return static_cast<uint16_t>((p[at] << 8) | p[at + 1]); }

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

// Splits NUL-terminated strings from `p` starting at `at`; false when the next one has no NUL.
bool next_string(Bytes p, size_t& at, std::string_view& out) {
  if (at >= p.size()) return false;
  const uint8_t* begin = p.data() + at;
  const uint8_t* nul = std::find(begin, p.data() + p.size(), uint8_t{0});
  if (nul == p.data() + p.size()) return false;
  out = std::string_view(reinterpret_cast<const char*>(begin), static_cast<size_t>(nul - begin));
  at += out.size() + 1;
  return true;
}

}  // namespace

int64_t lenient_atoi(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int64_t v = 0;
  constexpr int64_t kCap = int64_t{1} << 40;  // far beyond any value that matters here
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) v = std::min(kCap, v * 10 + (s[i] - '0'));
  return neg ? -v : v;
}

std::optional<Request> parse_request(Bytes packet) {
  // dnsmasq: the request must end with a NUL (so every string in it is terminated).
  if (packet.size() < 4 || packet.size() > kMaxRequest || packet.back() != 0) return std::nullopt;
  Request r;
  r.opcode = get16(packet, 0);
  if (r.opcode != kRrq) return std::nullopt;
  size_t at = 2;
  std::string_view name, mode;
  if (!next_string(packet, at, name) || !next_string(packet, at, mode)) return std::nullopt;
  if (iequals(mode, "netascii")) r.netascii = true;
  else if (!iequals(mode, "octet")) return std::nullopt;
  // dnsmasq keeps only printable ASCII of the name.
  r.filename.reserve(name.size());
  for (char c : name)
    if (c >= 0x20 && c < 0x7f) r.filename.push_back(c);
  if (r.filename.empty()) return std::nullopt;
  std::string_view key, value;
  while (next_string(packet, at, key)) {
    if (!next_string(packet, at, value)) break;  // a name without a value is ignored
    RequestOption o;
    o.name.reserve(key.size());
    for (char c : key) o.name.push_back(lower(c));
    o.value = std::string(value);
    r.options.push_back(std::move(o));
  }
  return r;
}

ClientPacket parse_client_packet(Bytes packet) {
  ClientPacket c;
  if (packet.size() < 4) return c;
  uint16_t op = get16(packet, 0);
  if (op == kAck) {
    c.kind = ClientPacket::Kind::Ack;
    c.block = get16(packet, 2);
  } else if (op == kError) {
    c.kind = ClientPacket::Kind::Error;
    c.error_code = get16(packet, 2);
    // SEC-15: never read past the datagram. A message without its NUL is dropped (dnsmasq
    // logs it empty); a long one is cut.
    auto begin = packet.begin() + 4;
    auto nul = std::find(begin, packet.end(), uint8_t{0});
    if (nul == packet.end()) return c;
    for (auto it = begin; it != nul && c.message.size() < 256; ++it)
      c.message.push_back((*it >= 0x20 && *it < 0x7f) ? static_cast<char>(*it) : '?');
  }
  return c;
}

Negotiated negotiate(const Request& request, const NegotiationLimits& limits, uint64_t file_size) {
  Negotiated n;
  bool blksize = false, timeout = false, window = false;
  for (const auto& o : request.options) {
    if (o.name == "blksize") {
      if (limits.no_blocksize) continue;
      // dnsmasq: atoi, at least 1, at most the packet buffer and the MTU minus the headers.
      int64_t v = std::max<int64_t>(1, lenient_atoi(o.value));
      if (limits.buffer_max && v > limits.buffer_max) v = limits.buffer_max;
      uint32_t overhead = limits.ipv6 ? 52 : 32;
      if (limits.mtu > overhead && v > limits.mtu - overhead) v = limits.mtu - overhead;
      v = std::min<int64_t>(v, kMaxBlockSize);
      n.block_size = static_cast<uint32_t>(v);
      blksize = true;
    } else if (o.name == "tsize") {
      if (!request.netascii) n.tsize = true;  // the converted size is not known in advance
    } else if (o.name == "timeout") {
      // RFC 2349: 1..255 seconds; other values are not acknowledged.
      int64_t v = lenient_atoi(o.value);
      if (v >= 1 && v <= 255) {
        n.timeout_s = static_cast<uint8_t>(v);
        timeout = true;
      } else {
        n.timeout_s = 0;
        timeout = false;
      }
    } else if (o.name == "windowsize") {
      if (request.netascii) continue;  // octet only
      int64_t v = std::clamp<int64_t>(lenient_atoi(o.value), 1, kMaxWindow);
      n.window = static_cast<uint16_t>(v);
      window = true;
    }
  }
  if (blksize) n.oack.emplace_back("blksize", std::to_string(n.block_size));
  if (n.tsize) n.oack.emplace_back("tsize", std::to_string(file_size));
  if (timeout) n.oack.emplace_back("timeout", std::to_string(n.timeout_s));
  if (window) n.oack.emplace_back("windowsize", std::to_string(n.window));
  return n;
}

void build_error(std::vector<uint8_t>& out, uint16_t code, std::string_view message) {
  out.clear();
  put16(out, kError);
  put16(out, code);
  // SEC-15: the packet is exactly header + message + NUL; a message is never longer than a
  // default block (clients' buffers), and holds no NUL of its own.
  size_t n = std::min<size_t>(message.size(), kDefaultBlockSize - 1);
  for (size_t i = 0; i < n; ++i) out.push_back(message[i] ? static_cast<uint8_t>(message[i]) : '?');
  out.push_back(0);
}

void build_oack(std::vector<uint8_t>& out, const std::vector<std::pair<std::string, std::string>>& options) {
  out.clear();
  put16(out, kOack);
  for (const auto& [k, v] : options) {
    out.insert(out.end(), k.begin(), k.end());
    out.push_back(0);
    out.insert(out.end(), v.begin(), v.end());
    out.push_back(0);
  }
}

void build_data_header(uint8_t* out4, uint16_t block) {
  out4[0] = 0;
  out4[1] = kData;
  out4[2] = static_cast<uint8_t>(block >> 8);
  out4[3] = static_cast<uint8_t>(block & 0xff);
}

}  // namespace masqd::tftp
