// DnsWorkers: N share-nothing DNS workers (--masqd-workers, default one per CPU). Worker 0
// is a DnsService on the caller's (control) loop; workers 1..N-1 each own an EventLoop and
// a thread. Every worker has its own SO_REUSEPORT listening sockets (the kernel spreads
// clients over them), pending-query table, upstream sockets and counters. They share the
// DnsCache (sharded, locked) and the per-group server choice (SharedState), and each holds
// its own copy of the server table, which worker 0 builds (resolv files, --servers-file)
// and posts to the others whenever it changes. With one worker nothing is shared and no
// thread is started: the service behaves exactly as a lone DnsService.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "dns/dns_service.h"
#include "net/event_loop.h"

namespace masqd::dns {

class DnsWorkers {
 public:
  // The number of workers for `config`: --masqd-workers, else one per CPU this process
  // may run on; always 1 with --query-port (one shared upstream socket, see the ADR) or
  // when DNS is off.
  static unsigned count_for(const config::Config& config);

  // Binds every worker's sockets (call before forking and dropping privileges). No thread
  // runs yet: start() starts them.
  static Result<std::unique_ptr<DnsWorkers>> create(const config::Config& config,
                                                    net::EventLoop& main_loop,
                                                    DnsService::Hooks hooks, unsigned workers);
  ~DnsWorkers();  // stops and joins the threads, then closes everything
  DnsWorkers(const DnsWorkers&) = delete;
  DnsWorkers& operator=(const DnsWorkers&) = delete;

  // Starts workers 1..N-1 (after daemonising and the privilege drop: fork keeps only the
  // calling thread).
  Result<void> start();

  size_t size() const { return services_.size(); }
  DnsService& first() { return *services_.front(); }

  // Control-loop (worker 0) thread only. SIGHUP: clear_cache, set_servers (servers-file),
  // reload_servers (also re-reads the interface list in every worker).
  void clear_cache();
  void set_servers(std::vector<config::ServerSpec> specs);
  void reload_servers();
  // SIGHUP: the first worker re-reads the hosts files; every worker gets the new snapshot.
  void reload_local_data();
  // The DHCP leases' names changed: every worker answers from `names` from now on (the
  // same immutable table; the others get it through their loops). Control-loop thread.
  void set_lease_names(std::shared_ptr<const local::LeaseNameTable> names);
  // SIGUSR1: one set of lines with the counters summed over the workers.
  void log_statistics();

 private:
  struct Secondary {
    std::unique_ptr<net::EventLoop> loop;
    DnsService* service = nullptr;
    std::thread thread;
  };
  DnsWorkers() = default;
  void stop();

  std::vector<std::unique_ptr<DnsService>> services_;  // [0] runs on the main loop
  std::vector<Secondary> secondaries_;                   // workers 1..N-1
};

}  // namespace masqd::dns
