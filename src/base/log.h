// Process-wide logging in dnsmasq's formats and idents: syslog datagrams to /dev/log (written
// by us, optionally through a bounded queue), a log file, or stderr; plus the program's name.
// Not for deciding what to log (callers do) nor for parsing -8 (config does).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include "base/result.h"

namespace masqd::log {

// syslog(3) severities; the numeric values are the RFC 3164 ones.
enum class Level : uint8_t { Crit = 2, Err = 3, Warning = 4, Info = 6, Debug = 7 };

// Which ident a line carries: "<name>", "<name>-dhcp", "<name>-tftp", "<name>-script".
enum class Channel : uint8_t { Main, Dhcp, Tftp, Script };

// Facility codes as syslog.h defines them (already shifted: code << 3).
inline constexpr int kFacilityDaemon = 3 << 3;
inline constexpr int kFacilityLocal0 = 16 << 3;

// --log-async: queue length when no value is given, and the largest accepted.
inline constexpr size_t kDefaultAsyncQueue = 5;
inline constexpr size_t kMaxAsyncQueue = 100;
// Longest message text kept (longer text is cut), as dnsmasq's MAX_MESSAGE.
inline constexpr size_t kMaxMessage = 1024;

// ---- program identity (set once at start, before any thread exists) ----

// "dnsmasq" when the basename of argv0 is exactly "dnsmasq" (a drop-in install), else "masqd".
void set_program_name(std::string_view argv0);
const std::string& program_name();
// program_name() plus the channel's suffix, e.g. "dnsmasq-dhcp".
std::string ident(Channel channel);

// ---- pure formatting (exposed for tests) ----

// "Mmm dd hh:mm:ss" in local time, day padded with a space ("Nov  3 09:05:01"), like ctime+4.
std::string format_timestamp(std::time_t t);
// One syslog datagram: "<PRI>Mmm dd hh:mm:ss ident[pid]: msg" (no newline), PRI = facility|level.
std::string format_syslog(int facility, Level level, std::time_t t, std::string_view ident, pid_t pid,
                          std::string_view msg);
// One file/stderr line: "Mmm dd hh:mm:ss ident[pid]: msg\n"; without timestamp "ident[pid]: msg\n".
std::string format_line(bool with_timestamp, std::time_t t, std::string_view ident, pid_t pid,
                        std::string_view msg);
// dnsmasq's default facility: DAEMON, or LOCAL0 in debug (-d) mode.
inline int default_facility(bool no_daemon) { return no_daemon ? kFacilityLocal0 : kFacilityDaemon; }

// Bounded FIFO of formatted syslog datagrams with dnsmasq's overflow accounting: a push onto a
// full queue drops the new entry and counts it; take_lost() returns and clears the count.
// Not thread-safe (Logger guards it).
class LogQueue {
 public:
  explicit LogQueue(size_t limit) : limit_(limit == 0 ? 1 : limit) {}
  bool push(std::string entry);  // false: dropped (counted)
  bool empty() const { return q_.empty(); }
  size_t size() const { return q_.size(); }
  size_t limit() const { return limit_; }
  const std::string& front() const { return q_.front(); }
  void pop() { q_.pop_front(); }
  uint64_t lost() const { return lost_; }
  uint64_t take_lost() { uint64_t n = lost_; lost_ = 0; return n; }
  void count_lost() { ++lost_; }

 private:
  size_t limit_;
  std::deque<std::string> q_;
  uint64_t lost_ = 0;
};

// Where and how the Logger writes, decided by the daemon from ProcessConfig.
struct Settings {
  enum class Target : uint8_t { Syslog, File, Stderr };
  Target target = Target::Syslog;
  std::string file_path;            // Target::File
  int facility = kFacilityDaemon;   // Target::Syslog
  size_t async_queue = 0;           // 0: synchronous; else queue length (syslog only)
  bool echo_stderr = false;         // -d: also print "ident: msg" on stderr (not with Target::Stderr)
  bool timestamp_on_stderr = true;  // false for -k with "-8 -" (dnsmasq omits it there)
  bool log_debug = false;           // --log-debug: Level::Debug lines are written
  std::string syslog_path = "/dev/log";
  // Target::File, first open only: chown the file to this uid and make it 0660 (root started,
  // changing user), as dnsmasq does so that the run user can reopen it. -1: leave it.
  uid_t file_owner = static_cast<uid_t>(-1);
};

// The process's logger. Thread-safe: write() may be called from any thread. Before start()
// it sends to syslog (facility DAEMON, synchronous), which is where dnsmasq's start-up
// failures go when no log is open yet.
class Logger {
 public:
  Logger();
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Opens the target. Error (code 3) "cannot open log <path>: <strerror>" for a file.
  Result<void> start(const Settings& settings);
  bool started() const;
  Settings::Target target() const;

  // Formats and writes one message. `echo` false suppresses the -d stderr echo.
  void write(Level level, Channel channel, std::string_view msg, bool echo = true);

  // SIGUSR2: closes and reopens the log file (no-op for other targets).
  Result<void> reopen();

  // Async syslog: the socket to watch for EPOLLOUT while has_pending(), and the flush to run
  // when it is writable. The notifier is called (from the thread that logged, without the
  // lock held) when entries become pending because the socket would block.
  int pending_fd() const;
  bool has_pending() const;
  void flush_pending();
  void set_pending_notifier(std::function<void()> notifier);
  uint64_t lost_entries() const;  // not yet reported

  // For tests: the pid written into lines (default getpid() at each write) and the clock.
  void set_fixed_pid(pid_t pid);
  void set_clock(std::function<std::time_t()> clock);

 private:
  struct State;
  std::unique_ptr<State> s_;
  mutable std::mutex mu_;
};

// The one process-wide logger.
Logger& logger();

template <typename... Args>
void log_to(Level level, Channel channel, fmt::format_string<Args...> f, Args&&... args) {
  logger().write(level, channel, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void err(fmt::format_string<Args...> f, Args&&... args) {
  logger().write(Level::Err, Channel::Main, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  logger().write(Level::Warning, Channel::Main, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  logger().write(Level::Info, Channel::Main, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  logger().write(Level::Debug, Channel::Main, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace masqd::log
