#include "net/socket_addr.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace masqd::net {

SocketAddr SocketAddr::any_v4(uint16_t port) { return SocketAddr(IpAddr::v4({0, 0, 0, 0}), port); }

SocketAddr SocketAddr::any_v6(uint16_t port) { return SocketAddr(IpAddr::v6({}), port); }

std::optional<SocketAddr> SocketAddr::from_sockaddr(const struct sockaddr* sa, socklen_t len) {
  if (sa == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    struct sockaddr_in sin;
    std::memcpy(&sin, sa, sizeof sin);
    std::array<uint8_t, 4> b;
    std::memcpy(b.data(), &sin.sin_addr, 4);
    return SocketAddr(IpAddr::v4(b), ntohs(sin.sin_port));
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    struct sockaddr_in6 sin6;
    std::memcpy(&sin6, sa, sizeof sin6);
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), &sin6.sin6_addr, 16);
    return SocketAddr(IpAddr::v6(b), ntohs(sin6.sin6_port), sin6.sin6_scope_id);
  }
  return std::nullopt;
}

struct sockaddr_in SocketAddr::to_sockaddr_in() const {
  struct sockaddr_in sin {};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port_);
  std::memcpy(&sin.sin_addr, ip_.bytes().data(), 4);
  return sin;
}

struct sockaddr_in6 SocketAddr::to_sockaddr_in6() const {
  struct sockaddr_in6 sin6 {};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port_);
  sin6.sin6_scope_id = scope_id_;
  std::memcpy(&sin6.sin6_addr, ip_.bytes().data(), 16);
  return sin6;
}

socklen_t SocketAddr::to_sockaddr(struct sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof out);
  if (ip_.is_v4()) {
    auto sin = to_sockaddr_in();
    std::memcpy(&out, &sin, sizeof sin);
    return sizeof sin;
  }
  auto sin6 = to_sockaddr_in6();
  std::memcpy(&out, &sin6, sizeof sin6);
  return sizeof sin6;
}

std::string SocketAddr::to_string() const { return ip_.to_string() + "#" + std::to_string(port_); }

}  // namespace masqd::net
