#include "net/icmp_socket.h"

#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace masqd::net {

Result<IcmpSocket> IcmpSocket::open() {
  const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) return make_error(std::string("cannot create ICMP raw socket: ") + std::strerror(errno), 2);
  UniqueFd owned(fd);
  icmp_filter filter{};
  filter.data = ~(1u << ICMP_ECHOREPLY);
  (void)::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter));  // best effort
  return IcmpSocket(std::move(owned));
}

bool IcmpSocket::send(const IpAddr& to, std::span<const uint8_t> message) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  std::memcpy(&sa.sin_addr, to.bytes().data(), 4);
  const ssize_t n = ::sendto(fd_.get(), message.data(), message.size(), MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
  return n == static_cast<ssize_t>(message.size());
}

size_t IcmpSocket::recv(std::span<uint8_t> buf) {
  const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace masqd::net
