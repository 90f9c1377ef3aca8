#include "dhcp/address_pool.h"

namespace masqd::dhcp {

namespace {

uint32_t to_u32(const IpAddr& a) {
  const auto& b = a.bytes();
  return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
         static_cast<uint32_t>(b[2]) << 8 | b[3];
}

IpAddr from_u32(uint32_t v) {
  return IpAddr::v4({static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                     static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
}

}  // namespace

uint32_t sdbm_hash(std::span<const uint8_t> bytes) {
  uint32_t h = 0;
  for (uint8_t b : bytes) h = b + (h << 6) + (h << 16) - h;
  return h == 0 ? 1 : h;
}

std::span<const uint8_t> hash_identity(uint8_t htype, std::span<const uint8_t> hwaddr,
                                       std::span<const uint8_t> client_id) {
  if (!hwaddr.empty()) return hwaddr;
  if (!client_id.empty() && client_id[0] == htype) return client_id.subspan(1);
  return client_id;
}

bool is_class_c_edge(const IpAddr& a) {
  if (!a.is_v4()) return false;
  const auto& b = a.bytes();
  return b[0] >= 192 && b[0] <= 223 && (b[3] == 0 || b[3] == 255);
}

std::optional<IpAddr> choose_address(const AddressRange& range, uint32_t hash, uint32_t epoch,
                                     const std::function<bool(const IpAddr&)>& is_taken) {
  if (!range.start.is_v4() || !range.end.is_v4()) return std::nullopt;
  const uint32_t start = to_u32(range.start), end = to_u32(range.end);
  if (start > end) return std::nullopt;
  const uint64_t size = uint64_t{end} - start + 1;  // up to 2^32: no 32-bit overflow
  const uint64_t first = static_cast<uint32_t>(hash + epoch) % size;
  for (uint64_t i = 0; i < size; ++i) {  // each address at most once
    const IpAddr a = from_u32(static_cast<uint32_t>(start + (first + i) % size));
    if (is_class_c_edge(a)) continue;
    if (!is_taken(a)) return a;
  }
  return std::nullopt;
}

}  // namespace masqd::dhcp
