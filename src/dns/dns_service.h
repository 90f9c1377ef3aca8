// DnsService: the DNS forwarder's I/O. Binds the UDP and TCP listening sockets, checks
// each query against the listening rules, answers locally or forwards through fresh
// random-port UDP sockets (TCP queries over TCP), and returns each reply to every client
// waiting for it. Decisions are in forward_engine.h; this file owns sockets and timers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "dns/query_log.h"
#include "net/event_loop.h"
#include "net/socket_addr.h"

namespace masqd::dns {

struct ServiceState;

class DnsService {
 public:
  struct Hooks {
    // Receives every line the service logs (start-up lines, warnings, and with
    // --log-queries the query/forwarded/reply/config lines). Empty: nothing is logged.
    LogSink log;
  };

  struct Stats {
    uint64_t queries = 0;            // client queries accepted (UDP and TCP)
    uint64_t dropped_queries = 0;    // client packets ignored (short, QR, port 0, not allowed)
    uint64_t local_replies = 0;      // answered without forwarding
    uint64_t upstream_queries = 0;   // packets/connections sent upstream
    uint64_t merged = 0;             // queries attached to one already in flight
    uint64_t replies_accepted = 0;   // upstream replies delivered
    uint64_t replies_rejected = 0;   // upstream packets dropped (wrong ID, question, source)
    uint64_t timeouts = 0;           // forwarded queries given up after 10 s
    uint64_t forwarded = 0;          // client queries sent upstream (not merged ones)
    uint64_t cache_hits = 0;         // answered from the cache (part of local_replies)
  };

  // Binds the listening sockets for config.dns (nothing when port is 0) and registers them
  // on `loop`, which must outlive the service and run on the calling thread. Call before
  // dropping privileges (port 53). Reads the resolv files unless --no-resolv. Errors carry
  // dnsmasq's exit code 2, e.g. "failed to create listening socket for port 53: Address
  // already in use" or "unknown interface eth9".
  static Result<std::unique_ptr<DnsService>> create(const config::Config& config,
                                                    net::EventLoop& loop, Hooks hooks = {});
  ~DnsService();
  DnsService(const DnsService&) = delete;
  DnsService& operator=(const DnsService&) = delete;

  // Re-reads the resolv files and rebuilds the server table (SIGHUP, or a resolv file
  // change). Queries already in flight keep the servers they were sent to. Loop thread only.
  void reload_servers();
  // Replaces the configured servers (--servers-file re-read on SIGHUP); the table is
  // rebuilt by the next reload_servers(). Loop thread only.
  void set_servers(std::vector<config::ServerSpec> specs);

  // SIGHUP: forget every cached answer.
  void clear_cache();
  // SIGUSR1: dnsmasq's statistics lines (cache, query counts, one line per server) and,
  // with -d or --log-queries, the cache dump.
  void log_statistics();

  const Stats& stats() const;
  // The addresses the service listens on (UDP), for tests and start-up logs.
  std::vector<net::SocketAddr> listening() const;

 private:
  explicit DnsService(std::unique_ptr<ServiceState> state);
  std::unique_ptr<ServiceState> s_;
};

}  // namespace masqd::dns
