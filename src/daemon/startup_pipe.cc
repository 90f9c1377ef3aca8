#include "daemon/startup_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/core.h>

namespace masqd::daemon {

std::string encode_report(const StartupReport& report) {
  if (report.ready) return "R";
  std::string s = "F";
  s += static_cast<char>(static_cast<unsigned char>(report.error.code & 0xff));
  s += report.logged ? '1' : '0';
  s += report.error.message;
  s += '\0';  // end of report: the launcher must not depend on EOF (forked helpers keep the fd)
  return s;
}

std::optional<StartupReport> decode_report(std::string_view b) {
  if (!b.empty() && b[0] == 'R') return StartupReport{true, {}, false};
  if (b.size() < 4 || b[0] != 'F' || (b[2] != '0' && b[2] != '1') || b.back() != '\0')
    return std::nullopt;
  StartupReport r;
  r.error.code = static_cast<unsigned char>(b[1]);
  r.logged = b[2] == '1';
  r.error.message = std::string(b.substr(3, b.size() - 4));
  return r;
}

Result<StartupPipe> StartupPipe::create() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return make_error(fmt::format("cannot create pipe: {}", std::strerror(errno)), 5);
  return StartupPipe(fds[0], fds[1]);
}

StartupPipe::StartupPipe(StartupPipe&& o) noexcept
    : read_fd_(std::exchange(o.read_fd_, -1)), write_fd_(std::exchange(o.write_fd_, -1)) {}

StartupPipe::~StartupPipe() {
  if (read_fd_ >= 0) ::close(read_fd_);
  if (write_fd_ >= 0) ::close(write_fd_);
}

std::optional<StartupReport> StartupPipe::wait_for_report() {
  if (write_fd_ >= 0) ::close(std::exchange(write_fd_, -1));
  std::string bytes;
  char buf[512];
  // Bounded by the report size: a report is at most a few KiB; stop at 64 KiB regardless.
  while (read_fd_ >= 0 && bytes.size() < 65536) {
    ssize_t n = ::read(read_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, static_cast<size_t>(n));
    if (bytes[0] == 'R' || (bytes[0] == 'F' && bytes.back() == '\0')) break;
  }
  if (read_fd_ >= 0) ::close(std::exchange(read_fd_, -1));
  return decode_report(bytes);
}

void StartupPipe::become_writer() {
  if (read_fd_ >= 0) ::close(std::exchange(read_fd_, -1));
}

void StartupPipe::send(const StartupReport& report) {
  if (write_fd_ < 0) return;
  std::string s = encode_report(report);
  std::string_view v = s;
  for (int tries = 0; !v.empty() && tries < 64; ++tries) {
    ssize_t n = ::write(write_fd_, v.data(), v.size());
    if (n > 0) v.remove_prefix(static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;
  }
  ::close(std::exchange(write_fd_, -1));
}

}  // namespace masqd::daemon
