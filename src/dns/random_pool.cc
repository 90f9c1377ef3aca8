#include "dns/random_pool.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace masqd::dns {

void RandomPool::refill() {
  size_t got = 0;
  // getrandom on a urandom-backed pool of this size never returns short once the pool is
  // initialised, but loop on EINTR/short reads with a bound anyway.
  for (int tries = 0; got < buf_.size() && tries < 100; ++tries) {
    ssize_t n = getrandom(buf_.data() + got, buf_.size() - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (n < 0 && errno != EINTR) break;
  }
  if (got < buf_.size()) std::abort();  // no entropy source: unsafe to go on forwarding
  pos_ = 0;
}

uint16_t RandomPool::next_u16() {
  if (pos_ + 2 > buf_.size()) refill();
  uint16_t v = static_cast<uint16_t>(buf_[pos_] << 8 | buf_[pos_ + 1]);
  pos_ += 2;
  return v;
}

uint32_t RandomPool::next_u32() {
  return static_cast<uint32_t>(next_u16()) << 16 | next_u16();
}

}  // namespace masqd::dns
