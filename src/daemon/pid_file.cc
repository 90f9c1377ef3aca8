#include "daemon/pid_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace masqd::daemon {

Result<void> write_pid_file(const std::string& path, pid_t pid,
                            std::optional<std::pair<uid_t, gid_t>> owner) {
  // Unlink first so a stale file (or a symlink planted there) is never written through.
  (void)::unlink(path.c_str());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(fmt::format("failed to open pidfile {}: {}", path, std::strerror(errno)), 3);
  if (owner) (void)::fchown(fd, owner->first, owner->second);
  std::string text = fmt::format("{}\n", static_cast<long>(pid));
  ssize_t n = ::write(fd, text.data(), text.size());
  int e = errno;
  bool closed = ::close(fd) == 0;
  if (n != static_cast<ssize_t>(text.size()) || !closed)
    return make_error(fmt::format("failed to write pidfile {}: {}", path, std::strerror(n < 0 ? e : EIO)), 3);
  return ok();
}

void remove_pid_file(const std::string& path) {
  if (!path.empty()) (void)::unlink(path.c_str());
}

}  // namespace masqd::daemon
