// UdpSocket: a non-blocking UDP socket with batched receive (recvmmsg) and send (sendmmsg),
// carrying the destination address/ifindex of each datagram (PKTINFO) so replies can leave
// from the address the query was sent to. No protocol logic and no event loop coupling here.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <memory>
#include <vector>

#include "base/ip.h"
#include "base/result.h"
#include "net/fd.h"
#include "net/socket_addr.h"

namespace masqd::net {

struct UdpOptions {
  bool reuse_addr = false;   // SO_REUSEADDR
  bool reuse_port = false;   // SO_REUSEPORT (one socket per worker on the same address)
  bool pktinfo = true;       // IP_PKTINFO / IPV6_RECVPKTINFO: fill RecvPacket::dst/ifindex
  bool broadcast = false;    // SO_BROADCAST
  std::string device;        // SO_BINDTODEVICE when non-empty (needs CAP_NET_RAW)
  // false: no bind(2) (and no getsockname): the kernel gives the socket a random ephemeral
  // port at its first connect/send, as bind to port 0 would, in two system calls fewer.
  // Only for a wildcard address with port 0; local() is then that address, port 0.
  bool bind = true;
  // Receive buffer in bytes (0 = kernel default): SO_RCVBUFFORCE when the process may
  // (CAP_NET_ADMIN), else SO_RCVBUF, which the kernel caps at net.core.rmem_max. Never an
  // error: a smaller buffer only means fewer datagrams held while the reader is busy.
  int recv_buffer = 0;
  int send_buffer = 0;       // SO_SNDBUF in bytes; 0 = kernel default
};

// Where a reply should come from: source address and/or outgoing interface (0 = any).
struct PktSource {
  IpAddr addr;
  int ifindex = 0;
};

// One received datagram. `data` points into the RecvBatch's own buffer and stays valid
// (and writable, for in-place patching) until the next receive into that batch.
struct RecvPacket {
  std::span<std::byte> data;  // the bytes kept (at most the buffer size)
  size_t wire_size = 0;       // the datagram's real size; > data.size() when truncated
  bool truncated = false;     // MSG_TRUNC: the datagram did not fit the buffer
  SocketAddr peer;
  bool has_dst = false;       // dst/ifindex are known (PKTINFO enabled and present)
  IpAddr dst;                 // destination address in the IP header
  int ifindex = 0;            // arrival interface
};

// N receive buffers of a fixed size, allocated once and reused by every receive.
class RecvBatch {
 public:
  RecvBatch(size_t capacity, size_t buffer_size);
  RecvBatch(const RecvBatch&) = delete;
  RecvBatch& operator=(const RecvBatch&) = delete;

  size_t capacity() const { return packets_.size(); }
  size_t buffer_size() const { return buffer_size_; }
  // Datagrams filled by the last UdpSocket::recv.
  size_t size() const { return count_; }
  RecvPacket& operator[](size_t i) { return packets_[i]; }
  const RecvPacket& operator[](size_t i) const { return packets_[i]; }
  std::span<RecvPacket> packets() { return {packets_.data(), count_}; }

 private:
  friend class UdpSocket;
  struct alignas(struct cmsghdr) Control {
    unsigned char bytes[128];
  };
  void prepare();  // resets the lengths the kernel overwrites
  void finish(size_t received);

  size_t buffer_size_;
  size_t count_ = 0;
  // Not zero-filled: a page is touched only when a packet first lands in it (idle RSS).
  std::unique_ptr<std::byte[]> storage_;
  std::vector<struct mmsghdr> msgs_;
  std::vector<struct iovec> iovs_;
  std::vector<struct sockaddr_storage> names_;
  std::vector<Control> controls_;
  std::vector<RecvPacket> packets_;
};

// Up to N outgoing datagrams, each with its peer and optional source (PKTINFO).
// Either copied into the batch's own buffers (add) or referencing caller memory (add_view,
// which must stay valid until sent). Reuse with clear().
class SendBatch {
 public:
  SendBatch(size_t capacity, size_t buffer_size);
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // False (nothing added) if the batch is full, or for add() if data exceeds buffer_size.
  bool add(std::span<const std::byte> data, const SocketAddr& peer,
           const std::optional<PktSource>& source = std::nullopt);
  bool add_view(std::span<const std::byte> data, const SocketAddr& peer,
                const std::optional<PktSource>& source = std::nullopt);
  void clear();

  size_t capacity() const { return msgs_.size(); }
  size_t size() const { return count_; }           // messages added
  size_t pending() const { return count_ - next_; }  // added but not yet sent or failed
  size_t sent() const { return sent_; }
  size_t failed() const { return failed_; }
  bool full() const { return count_ == msgs_.size(); }

 private:
  friend class UdpSocket;
  struct alignas(struct cmsghdr) Control {
    unsigned char bytes[64];
  };
  void fill(size_t i, const std::byte* data, size_t len, const SocketAddr& peer,
            const std::optional<PktSource>& source);

  size_t buffer_size_;
  size_t count_ = 0;
  size_t next_ = 0;
  size_t sent_ = 0;
  size_t failed_ = 0;
  // Not zero-filled: a page is touched only when a packet first lands in it (idle RSS).
  std::unique_ptr<std::byte[]> storage_;
  std::vector<struct mmsghdr> msgs_;
  std::vector<struct iovec> iovs_;
  std::vector<struct sockaddr_storage> names_;
  std::vector<Control> controls_;
};

class UdpSocket {
 public:
  // Opens a non-blocking, close-on-exec socket of bind_addr's family (IPv6: V6ONLY on),
  // applies the options and binds. Port 0 binds an ephemeral port (see local()).
  // Errors carry code 2 (network), as dnsmasq's exit code for socket failures.
  static Result<UdpSocket> open(const SocketAddr& bind_addr, const UdpOptions& options = {});

  UdpSocket() = default;
  UdpSocket(UdpSocket&&) = default;
  UdpSocket& operator=(UdpSocket&&) = default;

  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  // The bound address, with the actual port when 0 was asked for.
  const SocketAddr& local() const { return local_; }
  uint16_t port() const { return local_.port(); }
  // The receive buffer the kernel granted, in the bytes UdpOptions::recv_buffer counts (half
  // of SO_RCVBUF's figure, which includes the kernel's bookkeeping); 0 if it cannot be read.
  int recv_buffer() const;

  // Receives up to batch.capacity() waiting datagrams without blocking. Returns how many
  // (0 when none is waiting: EAGAIN is not an error); batch.size() matches.
  Result<size_t> recv(RecvBatch& batch);

  // Sends the batch's pending messages. Returns how many were sent by this call. Stops early
  // without error on EAGAIN (the rest stay pending: retry when writable). A message the
  // kernel refuses is skipped and counted in batch.failed(); the others are still tried and
  // the first refusal is returned as the error.
  Result<size_t> send(SendBatch& batch);

  // One datagram, for the occasional reply outside a batch. Returns false on EAGAIN.
  Result<bool> send_one(std::span<const std::byte> data, const SocketAddr& peer,
                        const std::optional<PktSource>& source = std::nullopt);

 private:
  UniqueFd fd_;
  SocketAddr local_;
};

}  // namespace masqd::net
