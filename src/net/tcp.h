// Non-blocking TCP: a listener (accept4 loop), a connect helper, and a connection with a
// 2-byte length-prefixed message reader and a write queue (DNS over TCP, RFC 1035 4.2.2).
// Framing only: no DNS parsing and no event loop coupling here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/fd.h"
#include "net/socket_addr.h"

namespace masqd::net {

struct TcpListenOptions {
  bool reuse_addr = true;   // SO_REUSEADDR, so a restart can rebind at once
  bool reuse_port = false;  // SO_REUSEPORT
  int backlog = 64;
  std::string device;       // SO_BINDTODEVICE when non-empty
};

struct TcpAccepted {
  UniqueFd fd;  // non-blocking, close-on-exec
  SocketAddr peer;
};

class TcpListener {
 public:
  // Non-blocking listening socket on addr (IPv6: V6ONLY on). Port 0 = ephemeral (see port()).
  static Result<TcpListener> listen(const SocketAddr& addr, const TcpListenOptions& options = {});

  TcpListener() = default;
  int fd() const { return fd_.get(); }
  const SocketAddr& local() const { return local_; }
  uint16_t port() const { return local_.port(); }

  // Accepts waiting connections (at most max_count, so one busy listener cannot starve the
  // loop) and hands each to on_accept. Returns how many were accepted; stops without error
  // when none is waiting. Errors that concern one aborted connection are skipped; resource
  // errors (EMFILE, ENFILE, ENOBUFS, ENOMEM) end the loop and are returned.
  Result<size_t> accept_all(const std::function<void(TcpAccepted)>& on_accept, size_t max_count = 64);

 private:
  UniqueFd fd_;
  SocketAddr local_;
};

// Starts a non-blocking connect; the fd becomes writable when it completes (then check
// SO_ERROR, e.g. with connect_result()).
Result<UniqueFd> tcp_connect(const SocketAddr& peer);
// The outcome of a finished non-blocking connect (SO_ERROR).
Result<void> connect_result(int fd);

// Splits a byte stream into messages, each preceded by a 2-byte big-endian length.
// Pure (no I/O), so it is tested and fuzzed without sockets.
class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_message) : max_message_(max_message) {}

  void feed(std::span<const std::byte> bytes);
  // The next complete message, valid until the next feed(); nullopt if none is complete yet
  // or after an oversize length prefix was seen (then oversize() is true for good).
  std::optional<std::span<const std::byte>> next();
  bool oversize() const { return oversize_; }
  // Bytes held that do not yet form a complete message.
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  size_t max_message_;
  std::vector<std::byte> buf_;
  size_t pos_ = 0;  // start of unconsumed bytes in buf_
  bool oversize_ = false;
};

class TcpConnection {
 public:
  static constexpr size_t kMaxDnsMessage = 65535;

  enum class ReadStatus { kOpen, kClosed };  // kClosed: the peer closed its side (EOF)

  explicit TcpConnection(UniqueFd fd, SocketAddr peer = {}, size_t max_message = kMaxDnsMessage);

  int fd() const { return fd_.get(); }
  const SocketAddr& peer() const { return peer_; }

  // Reads what is available (a bounded number of reads) and calls on_message for every
  // complete message, in order; the span is valid only during the call. on_message may queue
  // replies but must not destroy this connection. Errors: socket errors and a length prefix
  // above max_message (the connection should then be closed).
  Result<ReadStatus> read_messages(const std::function<void(std::span<const std::byte>)>& on_message);

  // Queues msg with its length prefix. Error if msg is longer than 65535 bytes.
  Result<void> queue_message(std::span<const std::byte> msg);
  // Writes as much queued data as the socket takes now. True when the queue is empty
  // (otherwise wait for EPOLLOUT and call again).
  Result<bool> flush();
  bool wants_write() const { return out_pos_ < out_.size(); }
  size_t queued_bytes() const { return out_.size() - out_pos_; }

 private:
  UniqueFd fd_;
  SocketAddr peer_;
  FrameDecoder decoder_;
  std::vector<std::byte> out_;
  size_t out_pos_ = 0;
};

}  // namespace masqd::net
