// The composition root: from argv to a running (or checked) daemon, and its exit status.
// Start-up follows dnsmasq's order; see README.md. Not for protocol work (services do that).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "config/config.h"
#include "daemon/hooks.h"
#include "daemon/privileges.h"
#include "daemon/startup_pipe.h"
#include "dhcp/dhcp4_service.h"
#include "dns/dns_workers.h"
#include "tftp/tftp_service.h"
#include "net/event_loop.h"

namespace masqd::daemon {

// Runs masqd as dnsmasq would be run with the same arguments; returns the exit status.
int run(int argc, char** argv);

// Builds the logger settings dnsmasq would use for this configuration.
log::Settings log_settings(const config::ProcessConfig& p, const RunAs* run_as);

// The "started, ..." banner line for this configuration.
std::string started_line(const config::Config& c);

// One daemon run after the configuration is loaded.
class App {
 public:
  explicit App(config::Config config) : config_(std::move(config)) {}
  // Start-up, control loop, exit status. In daemon mode the launching process returns the
  // daemon's start-up status from inside this call (it never reaches the loop).
  int run();

 private:
  Result<void> start();
  int fail(const Error& e);
  bool daemonising() const { return !config_.process.no_daemon && !config_.process.keep_in_foreground; }

  config::Config config_;
  RunAs run_as_;
  // Created before the fork so that sockets are bound while still privileged; the loop's
  // fds survive the fork and only the daemon process runs it.
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<dns::DnsWorkers> dns_;  // worker 0 runs on loop_
  std::unique_ptr<dhcp::Dhcp4Service> dhcp4_;  // only with an IPv4 dhcp-range
  std::unique_ptr<tftp::TftpService> tftp_;    // only with --enable-tftp
  std::vector<std::string> early_lines_;  // service lines logged before the logger starts
  std::vector<config::ServerSpec> base_servers_;  // server= lines not from --servers-file
  LifecycleHooks hooks_;
  std::optional<StartupPipe> pipe_;
  bool pid_file_written_ = false;
};

}  // namespace masqd::daemon
