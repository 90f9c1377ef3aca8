#include "dns/dns_workers.h"

#include <sched.h>

#include <algorithm>

#include "dns/local_data.h"
#include "local/lease_names.h"
#include "dns/server_table.h"

namespace masqd::dns {

unsigned DnsWorkers::count_for(const config::Config& config) {
  if (config.dns.port == 0 || config.dns.query_port) return 1;
  if (config.process.workers > 0) return config.process.workers;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

Result<std::unique_ptr<DnsWorkers>> DnsWorkers::create(const config::Config& config,
                                                       net::EventLoop& main_loop,
                                                       DnsService::Hooks hooks, unsigned workers) {
  std::unique_ptr<DnsWorkers> w(new DnsWorkers());
  workers = std::max(1u, workers);
  if (config.dns.port == 0) workers = 1;
  const bool several = workers > 1;

  DnsService::WorkerOptions first_opts;
  first_opts.reuse_port = several;
  auto first = DnsService::create(config, main_loop, hooks, first_opts);
  if (!first) return first.error();
  w->services_.push_back(std::move(*first));
  if (!several) return w;

  for (unsigned i = 1; i < workers; ++i) {
    auto loop = net::EventLoop::create();
    if (!loop) return loop.error();
    DnsService::WorkerOptions o;
    o.reuse_port = true;
    o.secondary = true;
    o.shared = w->services_.front()->shared();
    auto svc = DnsService::create(config, **loop, hooks, o);
    if (!svc) return svc.error();
    (*svc)->adopt_servers(w->services_.front()->server_table());
    (*svc)->adopt_local_data(w->services_.front()->local_data());
    Secondary sec;
    sec.loop = std::move(*loop);
    sec.service = svc->get();
    w->services_.push_back(std::move(*svc));
    w->secondaries_.push_back(std::move(sec));
  }
  std::vector<const DnsService*> peers;
  for (const auto& s : w->services_) peers.push_back(s.get());
  for (auto& s : w->services_) s->set_peers(peers);

  // Worker 0 rebuilds the table (resolv change, SIGHUP); each other worker gets a copy
  // through its own loop, so tables are never shared between threads.
  DnsWorkers* self = w.get();
  w->services_.front()->on_servers_changed([self](const ServerTable& table) {
    for (auto& sec : self->secondaries_) {
      DnsService* svc = sec.service;
      sec.loop->post([svc, copy = table] { svc->adopt_servers(copy); });
    }
  });
  // Local data likewise, but the snapshot itself is immutable: every worker holds the same one.
  w->services_.front()->on_local_data_changed([self](std::shared_ptr<const LocalData> data) {
    for (auto& sec : self->secondaries_) {
      DnsService* svc = sec.service;
      sec.loop->post([svc, data] { svc->adopt_local_data(data); });
    }
  });
  return w;
}

Result<void> DnsWorkers::start() {
  for (auto& sec : secondaries_) {
    if (sec.thread.joinable()) continue;
    try {
      net::EventLoop* loop = sec.loop.get();
      sec.thread = std::thread([loop] { loop->run(); });
    } catch (const std::system_error& e) {
      return make_error(std::string("cannot start DNS worker thread: ") + e.what(), 5);
    }
  }
  return ok();
}

void DnsWorkers::stop() {
  for (auto& sec : secondaries_) sec.loop->stop();
  for (auto& sec : secondaries_)
    if (sec.thread.joinable()) sec.thread.join();
}

DnsWorkers::~DnsWorkers() {
  stop();
  if (!services_.empty()) {
    services_.front()->on_servers_changed(nullptr);
    services_.front()->on_local_data_changed(nullptr);
  }
  // Services before the loops they are registered on.
  services_.clear();
  secondaries_.clear();
}

void DnsWorkers::clear_cache() { services_.front()->clear_cache(); }  // one shared cache

void DnsWorkers::set_servers(std::vector<config::ServerSpec> specs) {
  services_.front()->set_servers(std::move(specs));
}

void DnsWorkers::reload_servers() {
  for (auto& sec : secondaries_) {
    DnsService* svc = sec.service;
    sec.loop->post([svc] { svc->reload_interfaces(); });
  }
  services_.front()->reload_servers();
}

void DnsWorkers::reload_local_data() { services_.front()->reload_local_data(); }

void DnsWorkers::set_lease_names(std::shared_ptr<const local::LeaseNameTable> names) {
  for (auto& sec : secondaries_) {
    DnsService* svc = sec.service;
    sec.loop->post([svc, names] { svc->adopt_lease_names(names); });
  }
  services_.front()->adopt_lease_names(std::move(names));
}

void DnsWorkers::log_statistics() { services_.front()->log_statistics(); }

}  // namespace masqd::dns
