#include "net/udp_socket.h"

#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace masqd::net {
namespace {

constexpr int kNetworkErrorCode = 2;
constexpr int kMaxEintrRetries = 8;

Error sys_error(const std::string& what) {
  return make_error(what + ": " + std::strerror(errno), kNetworkErrorCode);
}

Result<void> set_int_option(int fd, int level, int name, int value, const char* label) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) return sys_error(label);
  return ok();
}

// Writes one PKTINFO control message choosing the source address/interface; returns its
// length (the msg_controllen to use), 0 if the family does not match the socket's.
size_t write_pktinfo(unsigned char* buf, size_t cap, int family, const PktSource& src) {
  struct msghdr mh {};
  mh.msg_control = buf;
  if (family == AF_INET && src.addr.is_v4()) {
    mh.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
    if (mh.msg_controllen > cap) return 0;
    std::memset(buf, 0, mh.msg_controllen);
    struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo pi {};
    pi.ipi_ifindex = src.ifindex;
    std::memcpy(&pi.ipi_spec_dst, src.addr.bytes().data(), 4);  // the source to use
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    return mh.msg_controllen;
  }
  if (family == AF_INET6 && src.addr.is_v6()) {
    mh.msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
    if (mh.msg_controllen > cap) return 0;
    std::memset(buf, 0, mh.msg_controllen);
    struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
    struct in6_pktinfo pi {};
    pi.ipi6_ifindex = static_cast<unsigned>(src.ifindex);
    std::memcpy(&pi.ipi6_addr, src.addr.bytes().data(), 16);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    return mh.msg_controllen;
  }
  return 0;
}

// Reads the destination address and interface from a received datagram's control data.
void read_pktinfo(struct msghdr& mh, RecvPacket& p) {
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
      struct in_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      std::array<uint8_t, 4> b;
      std::memcpy(b.data(), &pi.ipi_addr, 4);  // ipi_addr: header destination
      p.dst = IpAddr::v4(b);
      p.ifindex = pi.ipi_ifindex;
      p.has_dst = true;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
               c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
      struct in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      std::array<uint8_t, 16> b;
      std::memcpy(b.data(), &pi.ipi6_addr, 16);
      p.dst = IpAddr::v6(b);
      p.ifindex = static_cast<int>(pi.ipi6_ifindex);
      p.has_dst = true;
    }
  }
}

bool is_transient(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

// ---- RecvBatch ----

RecvBatch::RecvBatch(size_t capacity, size_t buffer_size)
    : buffer_size_(buffer_size),
      storage_(std::make_unique_for_overwrite<std::byte[]>(capacity * buffer_size)),
      msgs_(capacity),
      iovs_(capacity),
      names_(capacity),
      controls_(capacity),
      packets_(capacity) {
  for (size_t i = 0; i < capacity; ++i) {
    iovs_[i].iov_base = storage_.get() + i * buffer_size;
    iovs_[i].iov_len = buffer_size;
    struct msghdr& mh = msgs_[i].msg_hdr;
    mh.msg_name = &names_[i];
    mh.msg_iov = &iovs_[i];
    mh.msg_iovlen = 1;
    mh.msg_control = controls_[i].bytes;
  }
}

void RecvBatch::prepare() {
  count_ = 0;
  for (size_t i = 0; i < msgs_.size(); ++i) {
    struct msghdr& mh = msgs_[i].msg_hdr;
    mh.msg_namelen = sizeof(struct sockaddr_storage);
    mh.msg_controllen = sizeof controls_[i].bytes;
    mh.msg_flags = 0;
    msgs_[i].msg_len = 0;
  }
}

void RecvBatch::finish(size_t received) {
  count_ = received;
  for (size_t i = 0; i < received; ++i) {
    struct msghdr& mh = msgs_[i].msg_hdr;
    RecvPacket& p = packets_[i];
    p.wire_size = msgs_[i].msg_len;  // real size: recvmmsg is called with MSG_TRUNC
    p.truncated = (mh.msg_flags & MSG_TRUNC) != 0 || p.wire_size > buffer_size_;
    p.data = {storage_.get() + i * buffer_size_, std::min(p.wire_size, buffer_size_)};
    p.peer = SocketAddr::from_storage(names_[i], mh.msg_namelen).value_or(SocketAddr());
    p.has_dst = false;
    p.dst = IpAddr();
    p.ifindex = 0;
    read_pktinfo(mh, p);
  }
}

// ---- SendBatch ----

SendBatch::SendBatch(size_t capacity, size_t buffer_size)
    : buffer_size_(buffer_size),
      storage_(std::make_unique_for_overwrite<std::byte[]>(capacity * buffer_size)),
      msgs_(capacity),
      iovs_(capacity),
      names_(capacity),
      controls_(capacity) {}

void SendBatch::fill(size_t i, const std::byte* data, size_t len, const SocketAddr& peer,
                     const std::optional<PktSource>& source) {
  iovs_[i].iov_base = const_cast<std::byte*>(data);  // sendmmsg does not write through it
  iovs_[i].iov_len = len;
  struct msghdr& mh = msgs_[i].msg_hdr;
  mh = {};
  mh.msg_name = &names_[i];
  mh.msg_namelen = peer.to_sockaddr(names_[i]);
  mh.msg_iov = &iovs_[i];
  mh.msg_iovlen = 1;
  if (source) {
    size_t n = write_pktinfo(controls_[i].bytes, sizeof controls_[i].bytes, peer.family(), *source);
    if (n > 0) {
      mh.msg_control = controls_[i].bytes;
      mh.msg_controllen = n;
    }
  }
  msgs_[i].msg_len = 0;
}

bool SendBatch::add(std::span<const std::byte> data, const SocketAddr& peer,
                    const std::optional<PktSource>& source) {
  if (full() || data.size() > buffer_size_) return false;
  std::byte* slot = storage_.get() + count_ * buffer_size_;
  if (!data.empty()) std::memcpy(slot, data.data(), data.size());
  fill(count_++, slot, data.size(), peer, source);
  return true;
}

bool SendBatch::add_view(std::span<const std::byte> data, const SocketAddr& peer,
                         const std::optional<PktSource>& source) {
  if (full()) return false;
  fill(count_++, data.data(), data.size(), peer, source);
  return true;
}

void SendBatch::clear() { count_ = next_ = sent_ = failed_ = 0; }

// ---- UdpSocket ----

Result<UdpSocket> UdpSocket::open(const SocketAddr& bind_addr, const UdpOptions& options) {
  const int family = bind_addr.family();
  UdpSocket s;
  s.fd_.reset(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!s.fd_.valid()) return sys_error("socket(UDP)");
  const int fd = s.fd_.get();
  if (family == AF_INET6) {
    if (auto r = set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"); !r) return r.error();
  }
  if (options.reuse_addr) {
    if (auto r = set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"); !r) return r.error();
  }
  if (options.reuse_port) {
    if (auto r = set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT"); !r) return r.error();
  }
  if (options.broadcast) {
    if (auto r = set_int_option(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST"); !r) return r.error();
  }
  if (options.pktinfo) {
    auto r = family == AF_INET ? set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO")
                               : set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
    if (!r) return r.error();
  }
  if (options.recv_buffer > 0 && !set_int_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, options.recv_buffer, "SO_RCVBUFFORCE"))
    (void)set_int_option(fd, SOL_SOCKET, SO_RCVBUF, options.recv_buffer, "SO_RCVBUF");
  if (options.send_buffer > 0) {
    if (auto r = set_int_option(fd, SOL_SOCKET, SO_SNDBUF, options.send_buffer, "SO_SNDBUF"); !r) return r.error();
  }
  if (!options.device.empty()) {
    if (options.device.size() >= IFNAMSIZ) return make_error("interface name too long: " + options.device, kNetworkErrorCode);
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.device.c_str(),
                     static_cast<socklen_t>(options.device.size() + 1)) != 0) {
      return sys_error("SO_BINDTODEVICE " + options.device);
    }
  }
  if (!options.bind && bind_addr.port() == 0 && bind_addr.ip().is_unspecified()) {
    s.local_ = bind_addr;
    return s;
  }
  struct sockaddr_storage ss;
  socklen_t len = bind_addr.to_sockaddr(ss);
  if (::bind(fd, reinterpret_cast<struct sockaddr*>(&ss), len) != 0) {
    return sys_error("failed to bind UDP socket to " + bind_addr.to_string());
  }
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (::getsockname(fd, reinterpret_cast<struct sockaddr*>(&bound), &bound_len) != 0) {
    return sys_error("getsockname");
  }
  s.local_ = SocketAddr::from_storage(bound, bound_len).value_or(bind_addr);
  return s;
}

int UdpSocket::recv_buffer() const {
  int got = 0;
  socklen_t len = sizeof got;
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &got, &len) != 0) return 0;
  return got / 2;
}

Result<size_t> UdpSocket::recv(RecvBatch& batch) {
  batch.prepare();
  if (batch.capacity() == 0) return size_t{0};
  for (int attempt = 0; attempt < kMaxEintrRetries; ++attempt) {
    int n = ::recvmmsg(fd_.get(), batch.msgs_.data(), static_cast<unsigned>(batch.msgs_.size()),
                       MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (n >= 0) {
      batch.finish(static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (is_transient(errno)) return size_t{0};
    if (errno != EINTR) return sys_error("recvmmsg");
  }
  return size_t{0};
}

Result<size_t> UdpSocket::send(SendBatch& batch) {
  size_t sent_now = 0;
  std::optional<Error> first_error;
  int eintr = 0;
  while (batch.pending() > 0) {
    int n = ::sendmmsg(fd_.get(), batch.msgs_.data() + batch.next_, static_cast<unsigned>(batch.pending()),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      batch.next_ += static_cast<size_t>(n);
      batch.sent_ += static_cast<size_t>(n);
      sent_now += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && is_transient(errno)) break;
    if (n < 0 && errno == EINTR && ++eintr < kMaxEintrRetries) continue;
    // The first pending message was refused (or n == 0): skip it so one bad peer cannot
    // hold up the rest. The loop ends: every round consumes at least one message.
    if (!first_error) {
      const int err = errno;
      SocketAddr peer = SocketAddr::from_storage(batch.names_[batch.next_], batch.msgs_[batch.next_].msg_hdr.msg_namelen)
                            .value_or(SocketAddr());
      first_error = make_error("sendmmsg to " + peer.to_string() + ": " + std::strerror(err), kNetworkErrorCode);
    }
    ++batch.next_;
    ++batch.failed_;
  }
  if (first_error) return *first_error;
  return sent_now;
}

Result<bool> UdpSocket::send_one(std::span<const std::byte> data, const SocketAddr& peer,
                                 const std::optional<PktSource>& source) {
  struct sockaddr_storage name;
  struct iovec iov {const_cast<std::byte*>(data.data()), data.size()};
  struct msghdr mh {};
  mh.msg_name = &name;
  mh.msg_namelen = peer.to_sockaddr(name);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(struct cmsghdr) unsigned char control[64];
  if (source) {
    size_t n = write_pktinfo(control, sizeof control, peer.family(), *source);
    if (n > 0) {
      mh.msg_control = control;
      mh.msg_controllen = n;
    }
  }
  for (int attempt = 0; attempt < kMaxEintrRetries; ++attempt) {
    if (::sendmsg(fd_.get(), &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return true;
    if (is_transient(errno)) return false;
    if (errno != EINTR) return sys_error("sendmsg to " + peer.to_string());
  }
  return false;
}

}  // namespace masqd::net
