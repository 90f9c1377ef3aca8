#include "daemon/control_loop.h"

#include <ctime>

#include "base/log.h"
#include "daemon/pid_file.h"

namespace masqd::daemon {

Result<void> ControlLoop::install() {
  auto r = loop_.watch_signals({SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2},
                               [this](const signalfd_siginfo& si) { handle_signal(static_cast<int>(si.ssi_signo)); });
  if (!r) return r;
  // The logger may be called from any thread; move the fd bookkeeping onto this loop.
  log::logger().set_pending_notifier([this] { loop_.post([this] { on_log_pending(); }); });
  if (log::logger().has_pending()) on_log_pending();
  return ok();
}

ControlLoop::~ControlLoop() {
  log::logger().set_pending_notifier(nullptr);
  if (watched_log_fd_ >= 0) loop_.remove_fd(watched_log_fd_);
}

void ControlLoop::on_log_pending() {
  int fd = log::logger().pending_fd();
  if (watched_log_fd_ >= 0 && watched_log_fd_ != fd) {
    loop_.remove_fd(watched_log_fd_);
    watched_log_fd_ = -1;
  }
  if (fd < 0 || watched_log_fd_ == fd || !log::logger().has_pending()) return;
  auto r = loop_.add_fd(fd, EPOLLOUT, [this](uint32_t) {
    log::logger().flush_pending();
    if (!log::logger().has_pending() && watched_log_fd_ >= 0) {
      loop_.remove_fd(watched_log_fd_);
      watched_log_fd_ = -1;
    }
  });
  if (r) watched_log_fd_ = fd;
}

void ControlLoop::handle_signal(int signo) {
  switch (signo) {
    case SIGTERM:
      hooks_.run_shutdown();
      remove_pid_file(options_.pid_file);
      log::info("exiting on receipt of SIGTERM");
      log::logger().flush_pending();
      exit_code_ = 0;
      loop_.stop();
      break;
    case SIGINT:
      // dnsmasq: Ctrl-C ends a -d run at once (status 5, nothing logged); a daemon ignores it.
      if (options_.no_daemon) {
        exit_code_ = 5;
        loop_.stop();
      }
      break;
    case SIGHUP:
      hooks_.run_reload();
      break;
    case SIGUSR1:
      log::info("time {}", static_cast<unsigned long>(std::time(nullptr)));
      hooks_.run_stats();  // the services' statistics lines (DNS: cache, servers)
      break;
    case SIGUSR2:
      if (auto r = log::logger().reopen(); !r) log::err("{}", r.error().message);
      break;
    default:
      break;
  }
}

}  // namespace masqd::daemon
