// What the services (DNS, DHCP, ...) register with the daemon's control loop: work to do on
// SIGHUP (reload), SIGUSR1 (statistics) and SIGTERM (shutdown). Not thread-safe: register
// during start-up; hooks run on the control loop thread, in registration order.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace masqd::daemon {

class LifecycleHooks {
 public:
  using Hook = std::function<void()>;

  // SIGHUP: re-read hosts files etc. and log what was read (dnsmasq's "read <file> - N names").
  void on_reload(Hook h) { reload_.push_back(std::move(h)); }
  // SIGUSR1: log statistics lines (after the control loop's "time <now>" line).
  void on_stats(Hook h) { stats_.push_back(std::move(h)); }
  // SIGTERM: flush state before the pid file is removed and the process exits.
  void on_shutdown(Hook h) { shutdown_.push_back(std::move(h)); }

  bool has_stats() const { return !stats_.empty(); }
  void run_reload() const { run(reload_); }
  void run_stats() const { run(stats_); }
  void run_shutdown() const { run(shutdown_); }

 private:
  static void run(const std::vector<Hook>& hooks) {
    for (const auto& h : hooks) h();
  }
  std::vector<Hook> reload_, stats_, shutdown_;
};

}  // namespace masqd::daemon
