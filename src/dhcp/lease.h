// A DHCPv4 lease as dnsmasq keeps it (and writes it to its lease file), and the key a
// client is known by. Plain values; no policy (expiry, limits) and no I/O here.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ip.h"

namespace masqd::dhcp {

// Lease expiry as absolute wall-clock seconds; the epoch itself (0) means "never", as in
// dnsmasq's lease file.
using ExpiryTime = std::chrono::sys_seconds;
inline constexpr ExpiryTime kNeverExpires{};

inline constexpr uint8_t kHtypeEthernet = 1;  // ARPHRD_ETHER
inline constexpr size_t kMaxHwaddr = 16;      // BOOTP chaddr
inline constexpr size_t kMaxClientId = 255;   // one option's worth

struct Lease {
  IpAddr address;                  // IPv4
  uint8_t htype = kHtypeEthernet;  // ARP hardware type of `hwaddr`
  std::vector<uint8_t> hwaddr;     // 0..16 bytes
  std::vector<uint8_t> client_id;  // option 61 as received; empty = none
  std::string hostname;            // empty = none
  ExpiryTime expires = kNeverExpires;

  bool never_expires() const { return expires == kNeverExpires; }
  bool operator==(const Lease&) const = default;
};

// How a client is recognised (dnsmasq's rule): by its client identifier when it sent
// one, otherwise by hardware type and address.
struct ClientKey {
  enum class Kind : uint8_t { HwAddr, ClientId };
  Kind kind = Kind::HwAddr;
  uint8_t htype = 0;           // HwAddr only
  std::vector<uint8_t> bytes;  // hardware address or client identifier

  static ClientKey client_id(std::vector<uint8_t> id) { return {Kind::ClientId, 0, std::move(id)}; }
  static ClientKey hwaddr(uint8_t htype, std::vector<uint8_t> addr) {
    return {Kind::HwAddr, htype, std::move(addr)};
  }
  static ClientKey of(const Lease& l) {
    return l.client_id.empty() ? hwaddr(l.htype, l.hwaddr) : client_id(l.client_id);
  }
  auto operator<=>(const ClientKey&) const = default;
};

}  // namespace masqd::dhcp
