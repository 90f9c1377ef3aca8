// Choosing a new IPv4 address for a client the way dnsmasq does (FEATURES.md section 4,
// item 31): a hash of the client's hardware address picks the starting point inside the
// range, so a client tends to get the same address again even after the lease file is
// lost. Pure: what is taken is the caller's answer; ping checks are not done here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "base/ip.h"

namespace masqd::dhcp {

// SDBM over `bytes` in 32-bit unsigned arithmetic; 0 is returned as 1.
uint32_t sdbm_hash(std::span<const uint8_t> bytes);

// The bytes that identify a client for hashing: its hardware address, or when that is
// empty (hlen 0), its client id, without the first byte when that byte equals htype (a
// type-prefixed id carries the hardware address after it).
std::span<const uint8_t> hash_identity(uint8_t htype, std::span<const uint8_t> hwaddr,
                                       std::span<const uint8_t> client_id);

// True for addresses ending in .0 or .255 inside 192.0.0.0-223.255.255.255 (class C),
// which dnsmasq never hands out.
bool is_class_c_edge(const IpAddr& a);

struct AddressRange {
  IpAddr start, end;  // IPv4, inclusive; start <= end
};

// Starts at start + ((hash + epoch) mod size) (the sum wraps at 32 bits) and walks upwards,
// wrapping to the start of the range, returning the first address that is not a class-C
// edge and for which `is_taken` is false. nullopt when every address is taken or the range
// is not a valid IPv4 range. Calls `is_taken` at most once per address of the range.
std::optional<IpAddr> choose_address(const AddressRange& range, uint32_t hash, uint32_t epoch,
                                     const std::function<bool(const IpAddr&)>& is_taken);

}  // namespace masqd::dhcp
