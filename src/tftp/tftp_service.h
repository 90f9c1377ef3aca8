// TftpService: dnsmasq's read-only TFTP server on the control loop. Owns the port-69
// sockets, one socket per transfer (or none with --tftp-single-port) and the transfers'
// Transfer state machines; reads requests, applies the path and permission rules
// (tftp_path.h, file_access.h), negotiates options and drives each transfer from its
// socket's readiness and one periodic tick. No thread or process per transfer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "base/log.h"
#include "base/result.h"
#include "config/config.h"
#include "net/event_loop.h"

namespace masqd::tftp {

struct TftpServiceState;

class TftpService {
 public:
  struct Hooks {
    // Every TFTP line (dnsmasq's "dnsmasq-tftp" channel). Empty: nothing is logged.
    std::function<void(log::Level, std::string_view)> log;
    // A transfer completed (its last block was acknowledged): the file's size in bytes,
    // the client's address and the file's full path, as dnsmasq's "tftp" script event has
    // them. Called on the control loop. Empty: nothing is reported.
    std::function<void(uint64_t size, const IpAddr& client, std::string_view path)> sent;
  };

  struct Stats {
    uint64_t requests = 0;      // datagrams read on port 69
    uint64_t refused = 0;       // requests answered with an ERROR packet
    uint64_t dropped = 0;       // not answered: interface not served, --tftp-max, no port
    uint64_t completed = 0;     // transfers that sent their last block
    uint64_t failed = 0;        // timed out, client error, read error
  };

  // True with --enable-tftp.
  static bool wanted(const config::Config& config);

  // Binds port 69 on 0.0.0.0 (exit code 2 on failure) and on :: when IPv6 is available.
  // Call before dropping privileges. `config` and `loop` must outlive the service.
  static Result<std::unique_ptr<TftpService>> create(const config::Config& config,
                                                     net::EventLoop& loop, Hooks hooks = {});
  ~TftpService();
  TftpService(const TftpService&) = delete;
  TftpService& operator=(const TftpService&) = delete;

  // After the privilege drop, as dnsmasq: every --tftp-root must be a directory we can
  // read ("TFTP directory X inaccessible: ...", exit code 3) unless --tftp-no-fail, which
  // logs a warning instead. Returns the start-up lines ("TFTP root is X ...").
  Result<std::vector<std::string>> check_roots();
  // SIGTERM: ends every transfer.
  void shutdown();
  size_t active_transfers() const;
  const Stats& stats() const;

 private:
  explicit TftpService(std::unique_ptr<TftpServiceState> s);
  std::unique_ptr<TftpServiceState> s_;
};

}  // namespace masqd::tftp
