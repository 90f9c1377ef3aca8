// IcmpSocket: a non-blocking raw ICMPv4 socket (needs CAP_NET_RAW when opened; it keeps
// working after privileges are dropped) for echo requests and their replies. No protocol
// logic: the bytes are proto/icmp4.h's.
#pragma once

#include <cstdint>
#include <span>

#include "base/ip.h"
#include "base/result.h"
#include "net/fd.h"

namespace masqd::net {

class IcmpSocket {
 public:
  IcmpSocket() = default;
  // Only echo replies are delivered when the kernel supports ICMP_FILTER (others are
  // filtered by the reader otherwise).
  static Result<IcmpSocket> open();

  bool valid() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  // Sends one ICMP message to `to`; false when the kernel refused it.
  bool send(const IpAddr& to, std::span<const uint8_t> message);
  // Reads one datagram (IPv4 header included) into `buf`: its size, or 0 when none is
  // waiting (or on error).
  size_t recv(std::span<uint8_t> buf);

 private:
  explicit IcmpSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace masqd::net
