// DnsService: the DNS forwarder's I/O. Binds the UDP and TCP listening sockets, checks
// each query against the listening rules, answers locally or forwards through fresh
// random-port UDP sockets (TCP queries over TCP), and returns each reply to every client
// waiting for it. Decisions are in forward_engine.h; this file owns sockets and timers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "dns/query_log.h"
#include "net/event_loop.h"
#include "net/socket_addr.h"

namespace masqd::dns {

class LocalData;
}  // namespace masqd::dns
namespace masqd::local {
class LeaseNameTable;
}  // namespace masqd::local
namespace masqd::dns {

struct ServiceState;
struct SharedState;
class DnsCache;
class ServerTable;

// A counter written by one thread (its worker) and read by any: a relaxed load and store,
// no locked instruction on the hot path.
class Counter {
 public:
  void operator++() { v_.store(v_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }
  operator uint64_t() const { return v_.load(std::memory_order_relaxed); }  // NOLINT

 private:
  std::atomic<uint64_t> v_{0};
};

class DnsService {
 public:
  struct Hooks {
    // Receives every line the service logs (start-up lines, warnings, and with
    // --log-queries the query/forwarded/reply/config lines). Empty: nothing is logged.
    LogSink log;
  };

  // Per worker; written by the worker's thread, readable from any thread.
  struct Stats {
    Counter queries;            // client queries accepted (UDP and TCP)
    Counter dropped_queries;    // client packets ignored (short, QR, port 0, not allowed)
    Counter local_replies;      // answered without forwarding
    Counter upstream_queries;   // packets/connections sent upstream
    Counter merged;             // queries attached to one already in flight
    Counter replies_accepted;   // upstream replies delivered
    Counter replies_rejected;   // upstream packets dropped (wrong ID, question, source)
    Counter timeouts;           // forwarded queries given up after 10 s
    Counter forwarded;          // client queries sent upstream (not merged ones)
    Counter cache_hits;         // answered from the cache (part of local_replies)
  };

  // How one service takes part in a group of workers (DnsWorkers). The defaults are a lone
  // service that owns everything (tests, one worker).
  struct WorkerOptions {
    bool reuse_port = false;  // SO_REUSEPORT on the listening sockets (several workers)
    // Not the first worker: reads no resolv file and polls nothing; its server table
    // comes from adopt_servers(). Shares `shared` (cache, server choice) with the first.
    bool secondary = false;
    std::shared_ptr<SharedState> shared;  // null: a fresh one (the first worker)
  };

  // Binds the listening sockets for config.dns (nothing when port is 0) and registers them
  // on `loop`, which must outlive the service and run on the calling thread. Call before
  // dropping privileges (port 53). Reads the resolv files unless --no-resolv. Errors carry
  // dnsmasq's exit code 2, e.g. "failed to create listening socket for port 53: Address
  // already in use" or "unknown interface eth9".
  static Result<std::unique_ptr<DnsService>> create(const config::Config& config,
                                                    net::EventLoop& loop, Hooks hooks = {});
  static Result<std::unique_ptr<DnsService>> create(const config::Config& config,
                                                    net::EventLoop& loop, Hooks hooks,
                                                    WorkerOptions worker);
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
  // SIGHUP: re-reads the hosts files and rebuilds the local data (queries in between are
  // answered from the old data; the swap is one pointer). The first worker only.
  void reload_local_data();
  // Workers: the first one's current local data, given to the others (immutable, shared),
  // and a callback whenever the first one rebuilds it (SIGHUP, --hostsdir change).
  std::shared_ptr<const LocalData> local_data() const;
  void adopt_local_data(std::shared_ptr<const LocalData> data);
  void on_local_data_changed(std::function<void(std::shared_ptr<const LocalData>)> fn);
  // The DHCP leases' names as they are now (immutable; null or empty: none). Each worker
  // holds its own pointer to the same table; this service's loop thread only.
  void adopt_lease_names(std::shared_ptr<const local::LeaseNameTable> names);
  // SIGUSR1: dnsmasq's statistics lines (cache, query counts, one line per server) and,
  // with -d or --log-queries, the cache dump.
  void log_statistics();

  const Stats& stats() const;

  // ---- several workers (DnsWorkers); each call on this service's loop thread unless said
  std::shared_ptr<SharedState> shared() const;
  // The first worker calls `fn` with its new table whenever it rebuilds it (start, reload,
  // resolv change), on its own thread.
  void on_servers_changed(std::function<void(const ServerTable&)> fn);
  const ServerTable& server_table() const;
  // A secondary worker takes a copy of the first worker's table.
  void adopt_servers(const ServerTable& table);
  // Re-reads the interface list (secondaries on SIGHUP).
  void reload_interfaces();
  // Every worker, this one included, for the sums of SIGUSR1 and CHAOS *.bind. Set before
  // the worker threads start.
  void set_peers(std::vector<const DnsService*> peers);
  // The addresses the service listens on (UDP), for tests and start-up logs.
  std::vector<net::SocketAddr> listening() const;

 private:
  explicit DnsService(std::unique_ptr<ServiceState> state);
  std::unique_ptr<ServiceState> s_;
};

}  // namespace masqd::dns
