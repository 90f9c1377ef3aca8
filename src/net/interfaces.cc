#include "net/interfaces.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <bit>
#include <cstring>
#include <string>

#include "net/socket_addr.h"

namespace masqd::net {

namespace {

uint8_t mask_length(const sockaddr* mask) {
  if (!mask) return 0;
  const uint8_t* bytes = nullptr;
  size_t n = 0;
  if (mask->sa_family == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    n = 4;
  } else if (mask->sa_family == AF_INET6) {
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    n = 16;
  }
  unsigned len = 0;
  for (size_t i = 0; i < n; ++i) len += static_cast<unsigned>(std::popcount(bytes[i]));
  return static_cast<uint8_t>(len);
}

}  // namespace

std::vector<IpPrefix> interface_prefixes(std::string_view name) {
  std::vector<IpPrefix> out;
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_name || name != i->ifa_name || !i->ifa_addr) continue;
    const int family = i->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    const socklen_t len = family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (auto a = SocketAddr::from_sockaddr(i->ifa_addr, len)) {
      const uint8_t bits = i->ifa_netmask && i->ifa_netmask->sa_family == family ? mask_length(i->ifa_netmask)
                                                                                  : (family == AF_INET ? 32 : 128);
      out.push_back(IpPrefix{a->ip(), bits});
    }
  }
  freeifaddrs(list);
  return out;
}

}  // namespace masqd::net
