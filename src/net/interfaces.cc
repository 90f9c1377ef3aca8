#include "net/interfaces.h"

#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <string>

#include "net/socket_addr.h"

namespace masqd::net {

uint8_t netmask_length(const sockaddr* mask) {
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
      const uint8_t bits = i->ifa_netmask && i->ifa_netmask->sa_family == family ? netmask_length(i->ifa_netmask)
                                                                                  : (family == AF_INET ? 32 : 128);
      out.push_back(IpPrefix{a->ip(), bits});
    }
  }
  freeifaddrs(list);
  return out;
}

void SubnetSet::assign(const std::vector<IpPrefix>& prefixes) {
  v4_.clear();
  v6_.clear();
  for (const auto& p : prefixes) {
    const unsigned width = p.addr.is_v4() ? 32 : 128;
    const unsigned len = std::min<unsigned>(p.length, width);
    std::array<uint8_t, 16> b = p.addr.bytes();
    for (unsigned bit = len; bit < width; ++bit) b[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
    IpPrefix norm;
    if (p.addr.is_v4()) norm.addr = IpAddr::v4({b[0], b[1], b[2], b[3]});
    else norm.addr = IpAddr::v6(b);
    norm.length = static_cast<uint8_t>(len);
    (p.addr.is_v4() ? v4_ : v6_).push_back(norm);
  }
  for (auto* v : {&v4_, &v6_}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
}

bool SubnetSet::contains(const IpAddr& a) const {
  const auto& v = a.is_v4() ? v4_ : v6_;
  return std::any_of(v.begin(), v.end(), [&a](const IpPrefix& p) { return p.contains(a); });
}

Result<UniqueFd> open_address_watch() {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return make_error(std::string("netlink socket: ") + std::strerror(errno), 2);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0)
    return make_error(std::string("netlink bind: ") + std::strerror(errno), 2);
  return fd;
}

bool drain_address_watch(int fd) {
  std::array<char, 8192> buf;
  bool intact = true;
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_TRUNC);
    if (n >= 0) continue;
    if (errno == EINTR) continue;
    if (errno == ENOBUFS) {
      intact = false;
      continue;
    }
    break;  // EAGAIN: drained
  }
  return intact;
}

}  // namespace masqd::net
