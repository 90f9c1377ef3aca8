// ScriptHelper: the --dhcp-script runner. A helper process, forked while the daemon is
// still root (it keeps root, as dnsmasq's does), reads ScriptEvent frames from a pipe and
// runs the script for each, one at a time, waiting for it. The server side only appends
// frames to a non-blocking pipe (queued in memory while the pipe is full), so a slow
// script never blocks DHCP or DNS. Also run_script_init (--leasefile-ro: "<script> init").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>

#include "base/result.h"
#include "dhcp/script_event.h"
#include "net/event_loop.h"

namespace masqd::dhcp {

class ScriptHelper {
 public:
  // Forks the helper. Call after daemonising and before dropping privileges, before any
  // thread starts. `loop` gets the pipe's EPOLLOUT while frames wait.
  static Result<std::unique_ptr<ScriptHelper>> start(const std::string& script, net::EventLoop& loop);
  ~ScriptHelper();  // closes the pipe: the helper finishes the queued scripts and exits
  ScriptHelper(const ScriptHelper&) = delete;
  ScriptHelper& operator=(const ScriptHelper&) = delete;

  // Queues one call (never blocks). Past 1 MiB of waiting frames, events are dropped and
  // counted.
  void post(const ScriptEvent& e);
  uint64_t dropped() const { return dropped_; }
  pid_t pid() const { return pid_; }

 private:
  ScriptHelper(net::EventLoop& loop, int fd, pid_t pid) : loop_(loop), fd_(fd), pid_(pid) {}
  void drain();
  net::EventLoop& loop_;
  int fd_ = -1;
  pid_t pid_ = -1;
  std::string queue_;
  bool watching_ = false;
  uint64_t dropped_ = 0;
};

// Runs "<script> init" and returns what it printed (lease-file lines). A script that exits
// with status N > 0 is an error with exit code 10 + N, as dnsmasq; one that cannot be run
// is exit code 5.
Result<std::string> run_script_init(const std::string& script);

}  // namespace masqd::dhcp
