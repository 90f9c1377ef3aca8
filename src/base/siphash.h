// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash for hash tables whose
// keys come from the network, so that nobody without the key can aim many keys at one
// bucket. `SipKey::random()` draws a key from getrandom(2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace masqd {

struct SipKey {
  uint64_t k0 = 0, k1 = 0;
  static SipKey random();
};

uint64_t siphash24(const SipKey& key, std::span<const uint8_t> data);

inline uint64_t siphash24(const SipKey& key, std::string_view s) {
  return siphash24(key, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

}  // namespace masqd
