#include "net/local_prefix.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "net/socket_addr.h"

namespace masqd::net {

namespace {

uint8_t prefix_bits(const sockaddr* mask, int family) {
  const auto* p =
      family == AF_INET
          ? reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr)
          : reinterpret_cast<const uint8_t*>(
                &reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
  const size_t n = family == AF_INET ? 4 : 16;
  uint8_t bits = 0;
  for (size_t i = 0; i < n; ++i)
    for (int b = 7; b >= 0 && (p[i] >> b) & 1; --b) ++bits;
  return bits;
}

}  // namespace

std::optional<IpPrefix> local_address_prefix(const IpAddr& addr) {
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<IpPrefix> out;
  for (auto* i = list; i && !out; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    const int family = i->ifa_addr->sa_family;
    if (family != (addr.is_v4() ? AF_INET : AF_INET6)) continue;
    const socklen_t len = family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    auto a = SocketAddr::from_sockaddr(i->ifa_addr, len);
    if (!a || a->ip() != addr) continue;
    const uint8_t bits = i->ifa_netmask && i->ifa_netmask->sa_family == family
                             ? prefix_bits(i->ifa_netmask, family)
                             : static_cast<uint8_t>(addr.size() * 8);
    out = IpPrefix{addr, bits};
  }
  freeifaddrs(list);
  return out;
}

std::optional<IpAddr> socket_local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
  auto a = SocketAddr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
  if (!a) return std::nullopt;
  return a->ip();
}

}  // namespace masqd::net
