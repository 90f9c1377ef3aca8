// Process-level settings: how the daemon starts, whom it runs as, and how it logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace masqd::config {

enum class LogQueries : uint8_t { Off, On, Extra, Proto, Auth, OnlyFailed };

struct ProcessConfig {
  bool test_only = false;           // --test
  bool syntax_only = false;         // --masqd-syntax-only (extension, see docs/options.md)
  bool no_daemon = false;           // -d, --no-daemon
  bool keep_in_foreground = false;  // -k, --keep-in-foreground

  // -u/--user and -g/--group. nullopt: dnsmasq's default ("nobody"; group "dip" if it
  // exists, else the user's primary group). Empty string: do not change.
  std::optional<std::string> user;
  std::optional<std::string> group;
  std::string pid_file = "/var/run/dnsmasq.pid";  // -x; empty: no pid file
  // --servers-file: read at start-up and on SIGHUP with config::read_servers_file()
  // (never by --test). nullopt: none.
  std::optional<std::string> servers_file;

  // -8/--log-facility: a syslog facility, a file path (contains '/'), or "-" for stderr.
  enum class LogTarget : uint8_t { Syslog, File, Stderr };
  LogTarget log_target = LogTarget::Syslog;
  std::string log_file;               // when log_target == File
  // Syslog facility code (LOG_DAEMON etc.); nullopt: default. May be set together with a
  // log file: a file value of the once-only -8 overrides the command line's, as in dnsmasq.
  std::optional<int> log_facility;
  LogQueries log_queries = LogQueries::Off;  // -q, --log-queries[=extra|proto|auth|only_failed]
  bool log_dhcp = false;               // --log-dhcp
  bool log_debug = false;              // --log-debug
  int log_async = 0;                   // --log-async[=n]: queue length 0..100, 0 = off (5 when no n)
  bool quiet_dhcp = false, quiet_dhcp6 = false, quiet_ra = false, quiet_tftp = false;

  unsigned workers = 0;  // --masqd-workers=N (extension): DNS worker threads, 0 = one per CPU
};

}  // namespace masqd::config
