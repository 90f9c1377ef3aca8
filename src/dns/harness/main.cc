// masqd-dns-harness: runs only the DNS service (src/dns) from a masqd/dnsmasq command line,
// for system tests until the daemon wires the service in. Logs to the --log-facility file
// (or stderr), stops on SIGTERM/SIGINT, re-reads upstream servers on SIGHUP.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <span>
#include <string>

#include "config/loader.h"
#include "dns/dns_service.h"
#include "net/event_loop.h"

using namespace masqd;

int main(int argc, char** argv) {
  auto loaded = config::load(std::span<char* const>(argv, static_cast<size_t>(argc)));
  if (!loaded) {
    std::fprintf(stderr, "\nmasqd: %s\n", loaded.error().message.c_str());
    return loaded.error().code ? loaded.error().code : 1;
  }
  const config::Config& cfg = loaded->config;
  if (loaded->action != config::Action::Run || cfg.process.test_only) return 0;

  std::FILE* log_file = stderr;
  if (cfg.process.log_target == config::ProcessConfig::LogTarget::File) {
    log_file = std::fopen(cfg.process.log_file.c_str(), "a");
    if (!log_file) {
      std::fprintf(stderr, "\nmasqd: cannot open log %s\n", cfg.process.log_file.c_str());
      return 3;
    }
  }
  const long pid = static_cast<long>(getpid());
  auto log = [log_file, pid](std::string_view line) {
    char stamp[32];
    std::time_t t = std::time(nullptr);
    struct tm tmv {};
    localtime_r(&t, &tmv);
    std::strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tmv);
    std::fprintf(log_file, "%s masqd[%ld]: %.*s\n", stamp, pid, static_cast<int>(line.size()),
                 line.data());
    std::fflush(log_file);
  };

  auto loop = net::EventLoop::create();
  if (!loop) {
    std::fprintf(stderr, "\nmasqd: %s\n", loop.error().message.c_str());
    return 5;
  }
  auto svc = dns::DnsService::create(cfg, **loop, dns::DnsService::Hooks{log});
  if (!svc) {
    std::fprintf(stderr, "\nmasqd: %s\n", svc.error().message.c_str());
    return svc.error().code ? svc.error().code : 2;
  }
  auto& service = **svc;
  auto& l = **loop;
  auto watched = l.watch_signals({SIGTERM, SIGINT, SIGHUP}, [&](const struct signalfd_siginfo& si) {
    if (si.ssi_signo == SIGHUP) {
      service.reload_servers();
    } else {
      log("exiting on receipt of " + std::string(si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"));
      l.stop();
    }
  });
  if (!watched) {
    std::fprintf(stderr, "\nmasqd: %s\n", watched.error().message.c_str());
    return 5;
  }
  log("started, DNS service only (masqd-dns-harness)");
  l.run();
  svc->reset();
  if (log_file != stderr) std::fclose(log_file);
  return 0;
}
