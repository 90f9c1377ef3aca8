#include "local/dynamic_host.h"

namespace masqd::local {

std::optional<IpAddr> dynamic_host_address(const IpPrefix& iface, const IpAddr& host) {
  if (iface.addr.family() != host.family()) return std::nullopt;
  auto b = iface.addr.bytes();
  const auto& h = host.bytes();
  const size_t bits = iface.addr.size() * 8;
  for (size_t i = iface.length; i < bits; ++i) {
    const auto bit = static_cast<uint8_t>(0x80u >> (i % 8));
    b[i / 8] = static_cast<uint8_t>((b[i / 8] & ~bit) | (h[i / 8] & bit));
  }
  if (host.is_v4()) return IpAddr::v4({b[0], b[1], b[2], b[3]});
  return IpAddr::v6(b);
}

std::vector<IpAddr> dynamic_host_addresses(const config::DynamicHost& host,
                                           std::span<const IpPrefix> prefixes) {
  std::vector<IpAddr> out;
  for (auto it = prefixes.rbegin(); it != prefixes.rend(); ++it) {
    const IpAddr& a = it->addr;
    if (a.is_v6() && a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80) continue;  // link-local
    const auto& part = a.is_v4() ? host.v4 : host.v6;
    if (!part) continue;
    if (auto made = dynamic_host_address(*it, *part)) out.push_back(*made);
  }
  return out;
}

}  // namespace masqd::local
