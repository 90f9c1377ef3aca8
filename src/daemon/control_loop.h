// The daemon's control loop: turns SIGTERM/SIGINT/SIGHUP/SIGUSR1/SIGUSR2 into dnsmasq's
// actions on a net::EventLoop, and flushes the async syslog queue when its socket is
// writable. Not for serving DNS/DHCP (services add their own fds to the same loop).
#pragma once

#include <csignal>
#include <cstdint>
#include <string>
#include <utility>

#include "base/result.h"
#include "daemon/hooks.h"
#include "net/event_loop.h"

namespace masqd::daemon {

struct ControlOptions {
  bool no_daemon = false;     // -d: SIGINT terminates (exit 5, as dnsmasq)
  std::string pid_file;       // removed at SIGTERM; empty: none written
};

// The signals the control loop handles; block them at start-up, before any thread exists.
inline constexpr int kControlSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};

class ControlLoop {
 public:
  ControlLoop(net::EventLoop& loop, ControlOptions options, const LifecycleHooks& hooks)
      : loop_(loop), options_(std::move(options)), hooks_(hooks) {}
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  // Watches the signals and wires the logger's async queue to the loop.
  Result<void> install();
  // What a signal does (public so tests can drive it without sending signals).
  void handle_signal(int signo);
  // The process exit status once the loop has stopped.
  int exit_code() const { return exit_code_; }

 private:
  void on_log_pending();

  net::EventLoop& loop_;
  ControlOptions options_;
  const LifecycleHooks& hooks_;
  int exit_code_ = 0;
  int watched_log_fd_ = -1;
};

}  // namespace masqd::daemon
