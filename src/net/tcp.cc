#include "net/tcp.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace masqd::net {
namespace {

constexpr int kNetworkErrorCode = 2;
constexpr int kMaxReadsPerCall = 16;
constexpr size_t kReadChunk = 16384;
constexpr int kMaxEintrRetries = 8;

Error sys_error(const std::string& what) {
  return make_error(what + ": " + std::strerror(errno), kNetworkErrorCode);
}

Result<void> set_flag(int fd, int level, int name, const char* label) {
  int one = 1;
  if (::setsockopt(fd, level, name, &one, sizeof one) != 0) return sys_error(label);
  return ok();
}

bool is_transient(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

// ---- TcpListener ----

Result<TcpListener> TcpListener::listen(const SocketAddr& addr, const TcpListenOptions& options) {
  TcpListener l;
  l.fd_.reset(::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!l.fd_.valid()) return sys_error("socket(TCP)");
  const int fd = l.fd_.get();
  if (addr.family() == AF_INET6) {
    if (auto r = set_flag(fd, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY"); !r) return r.error();
  }
  if (options.reuse_addr) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"); !r) return r.error();
  }
  if (options.reuse_port) {
    if (auto r = set_flag(fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT"); !r) return r.error();
  }
  if (!options.device.empty()) {
    if (options.device.size() >= IFNAMSIZ) return make_error("interface name too long: " + options.device, kNetworkErrorCode);
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.device.c_str(),
                     static_cast<socklen_t>(options.device.size() + 1)) != 0) {
      return sys_error("SO_BINDTODEVICE " + options.device);
    }
  }
  struct sockaddr_storage ss;
  socklen_t len = addr.to_sockaddr(ss);
  if (::bind(fd, reinterpret_cast<struct sockaddr*>(&ss), len) != 0) {
    return sys_error("failed to bind TCP socket to " + addr.to_string());
  }
  if (::listen(fd, options.backlog) != 0) return sys_error("listen on " + addr.to_string());
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (::getsockname(fd, reinterpret_cast<struct sockaddr*>(&bound), &bound_len) != 0) {
    return sys_error("getsockname");
  }
  l.local_ = SocketAddr::from_storage(bound, bound_len).value_or(addr);
  return l;
}

Result<size_t> TcpListener::accept_all(const std::function<void(TcpAccepted)>& on_accept, size_t max_count) {
  size_t accepted = 0;
  // Each iteration either accepts, skips one aborted connection, or returns: bounded by
  // max_count plus a bounded number of skips.
  for (size_t attempts = 0; accepted < max_count && attempts < 2 * max_count + kMaxEintrRetries; ++attempts) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int cfd = ::accept4(fd_.get(), reinterpret_cast<struct sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd >= 0) {
      TcpAccepted a{UniqueFd(cfd), SocketAddr::from_storage(ss, len).value_or(SocketAddr())};
      ++accepted;
      on_accept(std::move(a));
      continue;
    }
    if (is_transient(errno)) break;
    switch (errno) {
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
      case EPERM:  // refused by a firewall rule
      case ENETDOWN:
      case ENOPROTOOPT:
      case EHOSTDOWN:
      case ENONET:
      case EHOSTUNREACH:
      case EOPNOTSUPP:
      case ENETUNREACH:
        continue;  // that connection is gone; try the next one
      default:
        return sys_error("accept4 on " + local_.to_string());
    }
  }
  return accepted;
}

// ---- connect ----

Result<UniqueFd> tcp_connect(const SocketAddr& peer) {
  UniqueFd fd(::socket(peer.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!fd.valid()) return sys_error("socket(TCP)");
  struct sockaddr_storage ss;
  socklen_t len = peer.to_sockaddr(ss);
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    return sys_error("connect to " + peer.to_string());
  }
  return fd;
}

Result<void> connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return sys_error("getsockopt(SO_ERROR)");
  if (err != 0) return make_error(std::string("connect: ") + std::strerror(err), kNetworkErrorCode);
  return ok();
}

// ---- FrameDecoder ----

void FrameDecoder::feed(std::span<const std::byte> bytes) {
  if (oversize_) return;
  // Drop consumed bytes before growing, so the buffer stays about one message long.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ >= buf_.size() / 2)) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

std::optional<std::span<const std::byte>> FrameDecoder::next() {
  if (oversize_ || buffered() < 2) return std::nullopt;
  size_t len = (std::to_integer<size_t>(buf_[pos_]) << 8) | std::to_integer<size_t>(buf_[pos_ + 1]);
  if (len > max_message_) {
    oversize_ = true;
    return std::nullopt;
  }
  if (buffered() < 2 + len) return std::nullopt;
  std::span<const std::byte> msg(buf_.data() + pos_ + 2, len);
  pos_ += 2 + len;
  return msg;
}

// ---- TcpConnection ----

TcpConnection::TcpConnection(UniqueFd fd, SocketAddr peer, size_t max_message)
    : fd_(std::move(fd)), peer_(peer), decoder_(max_message) {}

Result<TcpConnection::ReadStatus> TcpConnection::read_messages(
    const std::function<void(std::span<const std::byte>)>& on_message) {
  std::array<std::byte, kReadChunk> chunk;
  for (int i = 0; i < kMaxReadsPerCall; ++i) {
    ssize_t n = ::recv(fd_.get(), chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (n == 0) return ReadStatus::kClosed;
    if (n < 0) {
      if (is_transient(errno)) return ReadStatus::kOpen;
      if (errno == EINTR) continue;
      return sys_error("recv from " + peer_.to_string());
    }
    decoder_.feed({chunk.data(), static_cast<size_t>(n)});
    while (auto msg = decoder_.next()) on_message(*msg);
    if (decoder_.oversize()) {
      return make_error("TCP message from " + peer_.to_string() + " exceeds the size limit", kNetworkErrorCode);
    }
  }
  return ReadStatus::kOpen;  // more may be waiting; level-triggered epoll reports it again
}

Result<void> TcpConnection::queue_message(std::span<const std::byte> msg) {
  if (msg.size() > 65535) return make_error("TCP message too long to frame: " + std::to_string(msg.size()));
  if (out_pos_ > 0 && out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
  out_.push_back(static_cast<std::byte>(msg.size() >> 8));
  out_.push_back(static_cast<std::byte>(msg.size() & 0xff));
  out_.insert(out_.end(), msg.begin(), msg.end());
  return ok();
}

Result<bool> TcpConnection::flush() {
  int eintr = 0;
  while (out_pos_ < out_.size()) {
    ssize_t n = ::send(fd_.get(), out_.data() + out_pos_, out_.size() - out_pos_, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && is_transient(errno)) break;
    if (n < 0 && errno == EINTR && ++eintr < kMaxEintrRetries) continue;
    return sys_error("send to " + peer_.to_string());
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    return true;
  }
  if (out_pos_ >= out_.size() / 2) {  // keep the queue from growing without bound
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
    out_pos_ = 0;
  }
  return false;
}

}  // namespace masqd::net
