#include "net/fd.h"

#include <unistd.h>

namespace masqd::net {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace masqd::net
