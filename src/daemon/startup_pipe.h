// The channel from the forked daemon back to the process that launched it: the daemon reports
// "ready" or the start-up error, and the launcher exits with the matching status. Not for
// anything after start-up.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace masqd::daemon {

// What the daemon reports. Wire form (written once, then EOF): 'R', or
// 'F' + exit code (1 byte) + logged flag ('0'/'1') + message bytes.
struct StartupReport {
  bool ready = false;
  Error error;          // when !ready
  bool logged = false;  // the daemon already wrote the error to its log
};

std::string encode_report(const StartupReport& report);
// nullopt: empty or malformed (the daemon died before reporting).
std::optional<StartupReport> decode_report(std::string_view bytes);

class StartupPipe {
 public:
  static Result<StartupPipe> create();
  StartupPipe(StartupPipe&& o) noexcept;
  StartupPipe& operator=(StartupPipe&&) = delete;
  StartupPipe(const StartupPipe&) = delete;
  ~StartupPipe();

  // Launcher side: closes the write end and reads until a whole report or EOF (blocking; the
  // daemon bounds its own start-up). nullopt: the daemon died without reporting.
  std::optional<StartupReport> wait_for_report();
  // Daemon side: closes the read end (call once after the fork).
  void become_writer();
  // Daemon side: sends the report and closes the write end. Later calls do nothing.
  void send(const StartupReport& report);

 private:
  StartupPipe(int r, int w) : read_fd_(r), write_fd_(w) {}
  int read_fd_ = -1;
  int write_fd_ = -1;
};

}  // namespace masqd::daemon
