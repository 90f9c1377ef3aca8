// SocketAddr: an IpAddr plus a port (and IPv6 scope id), converted to and from the kernel's
// sockaddr forms. Pure value type; no socket calls here.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "base/ip.h"

namespace masqd::net {

class SocketAddr {
 public:
  SocketAddr() = default;
  SocketAddr(IpAddr ip, uint16_t port, uint32_t scope_id = 0)
      : ip_(ip), port_(port), scope_id_(ip.is_v6() ? scope_id : 0) {}

  // Wildcard address of the family (0.0.0.0 or ::) with the given port.
  static SocketAddr any_v4(uint16_t port);
  static SocketAddr any_v6(uint16_t port);

  // From a kernel address; nullopt for families other than AF_INET/AF_INET6 or a short len.
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) stays IPv6: callers decide whether to unmap.
  static std::optional<SocketAddr> from_sockaddr(const struct sockaddr* sa, socklen_t len);
  static std::optional<SocketAddr> from_storage(const struct sockaddr_storage& ss, socklen_t len) {
    return from_sockaddr(reinterpret_cast<const struct sockaddr*>(&ss), len);
  }

  // Fills `out` and returns the length to pass to bind/connect/sendto.
  socklen_t to_sockaddr(struct sockaddr_storage& out) const;
  struct sockaddr_in to_sockaddr_in() const;    // meaningful only when ip().is_v4()
  struct sockaddr_in6 to_sockaddr_in6() const;  // meaningful only when ip().is_v6()

  const IpAddr& ip() const { return ip_; }
  uint16_t port() const { return port_; }
  uint32_t scope_id() const { return scope_id_; }
  int family() const { return ip_.is_v4() ? AF_INET : AF_INET6; }
  void set_port(uint16_t port) { port_ = port; }

  // "ip#port", the form dnsmasq uses in its logs (e.g. "127.0.0.1#53", "::1#53").
  std::string to_string() const;

  auto operator<=>(const SocketAddr&) const = default;

 private:
  IpAddr ip_;
  uint16_t port_ = 0;
  uint32_t scope_id_ = 0;
};

}  // namespace masqd::net
