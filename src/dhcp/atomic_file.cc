#include "dhcp/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>
#include <cerrno>
#include <cstring>
#include <utility>

namespace masqd::dhcp {

namespace {

constexpr int kFileSystemError = 3;  // dnsmasq's exit code for file problems

Error fs_error(const std::string& what, const std::string& path, int err) {
  return make_error(fmt::format("{} {}: {}", what, path, std::strerror(err)), kFileSystemError);
}

// Closes an fd on every path out of a function.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Closes now and reports close's error (it can carry a delayed write error).
  int release() { return std::exchange(fd_, -1); }
  int close_now() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<std::optional<std::string>> read_whole_file(const std::string& path, size_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return fs_error("cannot open", path, errno);
  }
  FdCloser closer(fd);
  std::string out;
  char buf[65536];
  for (;;) {  // bounded by max_size
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fs_error("cannot read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size)
      return make_error(fmt::format("{} is larger than {} bytes", path, max_size),
                        kFileSystemError);
    out.append(buf, static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(out));
}

Result<void> replace_file_atomically(const std::string& path, std::string_view content) {
  return AtomicFileWriter(path).replace(content);
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  dir_ = dir_of(path_);
  const size_t slash = path_.rfind('/');
  name_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  tmp_name_ = name_ + ".new";
}

AtomicFileWriter::~AtomicFileWriter() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

Result<void> AtomicFileWriter::replace(std::string_view content, int* keep) {
  if (dir_fd_ < 0) {
    dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd_ < 0) return fs_error("cannot open directory", dir_, errno);
  }
  if (mode_ < 0) {
    struct stat st {};
    mode_ = ::fstatat(dir_fd_, name_.c_str(), &st, 0) == 0 ? static_cast<int>(st.st_mode & 07777) : 0644;
  }
  const std::string tmp = dir_ + "/" + tmp_name_;
  const int fd = ::openat(dir_fd_, tmp_name_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                          static_cast<mode_t>(mode_));
  if (fd < 0) return fs_error("cannot create", tmp, errno);
  FdCloser closer(fd);
  auto fail = [&](const char* what, int err) {
    ::unlinkat(dir_fd_, tmp_name_.c_str(), 0);
    return fs_error(what, tmp, err);
  };
  // The umask may have taken bits off; the file keeps the old file's mode exactly.
  if (::fchmod(fd, static_cast<mode_t>(mode_)) != 0) return fail("cannot set mode of", errno);
  size_t done = 0;
  while (done < content.size()) {  // each pass writes at least one byte or fails
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) return fail("cannot sync", errno);
  if (::renameat(dir_fd_, tmp_name_.c_str(), dir_fd_, name_.c_str()) != 0) return fail("cannot rename", errno);
  // Without this the rename may be lost in a crash, leaving the old file.
  if (::fsync(dir_fd_) != 0) return fs_error("cannot sync directory", dir_, errno);
  if (keep) {
    *keep = fd;
    (void)closer.release();
  }
  return ok();
}

}  // namespace masqd::dhcp
