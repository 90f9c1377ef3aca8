// RandomPool: cryptographic random numbers from getrandom(2), read in blocks so that
// drawing a query ID costs no system call. One per thread (not thread-safe).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace masqd::dns {

class RandomPool {
 public:
  uint16_t next_u16();
  uint32_t next_u32();

 private:
  void refill();
  std::array<uint8_t, 512> buf_{};
  size_t pos_ = sizeof(buf_);
};

}  // namespace masqd::dns
