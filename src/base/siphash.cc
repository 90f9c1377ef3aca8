#include "base/siphash.h"

#include <sys/random.h>

#include <cerrno>
#include <chrono>

namespace masqd {

namespace {

constexpr uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct State {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

uint64_t load_le64(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

SipKey SipKey::random() {
  uint64_t k[2] = {0, 0};
  auto* p = reinterpret_cast<uint8_t*>(k);
  size_t got = 0;
  for (int tries = 0; got < sizeof(k) && tries < 16; ++tries) {
    ssize_t n = getrandom(p + got, sizeof(k) - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (errno != EINTR) break;
  }
  if (got < sizeof(k)) {
    // No entropy source (should not happen on Linux >= 3.17): still differ per process.
    k[0] ^= static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    k[1] ^= reinterpret_cast<uintptr_t>(&got);
  }
  return {k[0], k[1]};
}

uint64_t siphash24(const SipKey& key, std::span<const uint8_t> data) {
  State s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
          key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  const size_t n = data.size();
  const uint8_t* p = data.data();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) s.absorb(load_le64(p + i, 8));
  const uint64_t last = load_le64(p + i, n - i) | (static_cast<uint64_t>(n & 0xff) << 56);
  s.absorb(last);
  s.v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace masqd
