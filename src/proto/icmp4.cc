#include "proto/icmp4.h"

namespace masqd::proto::icmp4 {

uint16_t checksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (bytes.size() % 2) sum += static_cast<uint32_t>(bytes.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

std::array<uint8_t, kEchoSize> build_echo_request(uint16_t ident, uint16_t seq) {
  std::array<uint8_t, kEchoSize> m = {8, 0, 0, 0, static_cast<uint8_t>(ident >> 8), static_cast<uint8_t>(ident),
                                      static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq)};
  const uint16_t c = checksum(m);
  m[2] = static_cast<uint8_t>(c >> 8);
  m[3] = static_cast<uint8_t>(c);
  return m;
}

std::optional<EchoReply> parse_echo_reply(std::span<const uint8_t> d) {
  if (d.size() < 20 || (d[0] >> 4) != 4) return std::nullopt;
  const size_t ihl = static_cast<size_t>(d[0] & 0x0f) * 4;
  if (ihl < 20 || d.size() < ihl + kEchoSize || d[9] != 1 /* ICMP */) return std::nullopt;
  const auto icmp = d.subspan(ihl);
  if (icmp[0] != 0 || icmp[1] != 0) return std::nullopt;
  EchoReply r;
  r.from = IpAddr::v4({d[12], d[13], d[14], d[15]});
  r.ident = static_cast<uint16_t>(icmp[4] << 8 | icmp[5]);
  r.seq = static_cast<uint16_t>(icmp[6] << 8 | icmp[7]);
  return r;
}

}  // namespace masqd::proto::icmp4
