#include "tftp/file_access.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace masqd::tftp {

namespace {

int open_beneath(int dirfd, const std::string& rel, uint64_t flags) {
  struct open_how how {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how));
}

OpenedFile refuse(uint16_t code, std::string message) {
  OpenedFile f;
  f.error_code = code;
  f.message = std::move(message);
  return f;
}

OpenedFile permission(const ResolvedPath& p) {
  return refuse(kErrAccess, fmt::format("cannot access {}: {}", p.display, std::strerror(EACCES)));
}

}  // namespace

bool unique_dir_exists(const std::string& root, const std::string& dir) {
  net::UniqueFd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd.valid()) return false;
  net::UniqueFd d(open_beneath(rootfd.get(), dir, O_PATH | O_DIRECTORY));
  return d.valid();
}

OpenedFile open_for_transfer(const ResolvedPath& path, const AccessRules& rules,
                             const std::string& client) {
  if (path.traversal) return permission(path);
  // O_NONBLOCK: opening a FIFO must not stall the server (it is refused below anyway).
  const uint64_t flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
  net::UniqueFd fd;
  if (path.has_root) {
    net::UniqueFd rootfd(::open(rules.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootfd.valid()) {
      if (errno == ENOENT) return refuse(kErrNotFound, fmt::format("file {} not found for {}", path.display, client));
      return refuse(kErrNotDefined, fmt::format("cannot read {}: {}", path.display, std::strerror(errno)));
    }
    fd.reset(open_beneath(rootfd.get(), path.relative, flags));
  } else {
    fd.reset(::open(path.display.c_str(), static_cast<int>(flags) | O_CLOEXEC));
  }
  if (!fd.valid()) {
    int e = errno;
    if (e == ENOENT) {
      OpenedFile f = refuse(kErrNotFound, fmt::format("file {} not found for {}", path.display, client));
      f.not_found = true;
      return f;
    }
    // EXDEV/ELOOP: resolution would leave the root (a symlink out of it, an absolute link).
    if (e == EACCES || e == EPERM || e == EXDEV || e == ELOOP) return permission(path);
    return refuse(kErrNotDefined, fmt::format("cannot read {}: {}", path.display, std::strerror(e)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return refuse(kErrNotDefined, fmt::format("cannot read {}: {}", path.display, std::strerror(errno)));
  // Running as root: only world-readable files. Else with --tftp-secure: only our own.
  if (rules.uid == 0) {
    if (!(st.st_mode & S_IROTH)) return permission(path);
  } else if (rules.secure && st.st_uid != rules.uid) {
    return permission(path);
  }
  if (S_ISDIR(st.st_mode))
    return refuse(kErrNotDefined, fmt::format("cannot read {}: {}", path.display, std::strerror(EISDIR)));
  if (!S_ISREG(st.st_mode)) return permission(path);
  OpenedFile f;
  f.ok = true;
  f.fd = std::move(fd);
  f.size = static_cast<uint64_t>(st.st_size);
  return f;
}

}  // namespace masqd::tftp
