#include "daemon/app.h"

#include <malloc.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <span>

#include <fmt/core.h>

#include "config/loader.h"
#include "config/usage.h"
#include "daemon/control_loop.h"
#include "daemon/pid_file.h"
#include "dns/local_data.h"
#include "local/lease_names.h"
#include "net/event_loop.h"

namespace masqd::daemon {

namespace {

// dnsmasq's die(): "\n<name>: <msg>" on stderr, then the message and "FAILED to start up" to
// the log (syslog when no log is open yet). With "-8 -" already open, the log is stderr.
int report_failure(const Error& e, bool already_logged) {
  auto& lg = log::logger();
  bool log_is_stderr = lg.started() && lg.target() == log::Settings::Target::Stderr;
  if (!log_is_stderr) std::fprintf(stderr, "\n%s: %s\n", log::program_name().c_str(), e.message.c_str());
  std::fflush(stderr);
  if (!already_logged) {
    lg.write(log::Level::Crit, log::Channel::Main, e.message, false);
    lg.write(log::Level::Crit, log::Channel::Main, "FAILED to start up", false);
  }
  return e.code ? e.code : 1;
}

void set_signals_blocked(bool blocked) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kControlSignals) sigaddset(&set, s);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

void redirect_stdio(bool keep_stderr) {
  int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  ::dup2(fd, STDIN_FILENO);
  ::dup2(fd, STDOUT_FILENO);
  if (!keep_stderr) ::dup2(fd, STDERR_FILENO);
  if (fd > STDERR_FILENO) ::close(fd);
}

}  // namespace

log::Settings log_settings(const config::ProcessConfig& p, const RunAs* run_as) {
  using Target = config::ProcessConfig::LogTarget;
  log::Settings s;
  switch (p.log_target) {
    case Target::Syslog: s.target = log::Settings::Target::Syslog; break;
    case Target::File: s.target = log::Settings::Target::File; break;
    case Target::Stderr: s.target = log::Settings::Target::Stderr; break;
  }
  s.file_path = p.log_file;
  s.facility = p.log_facility.value_or(log::default_facility(p.no_daemon));
  s.async_queue = p.log_async > 0 ? static_cast<size_t>(p.log_async) : 0;
  s.echo_stderr = p.no_daemon;
  // dnsmasq leaves the time out of "-8 -" lines under -k (a supervisor adds its own).
  s.timestamp_on_stderr = !p.keep_in_foreground;
  s.log_debug = p.log_debug;
  if (run_as && should_switch_user(*run_as)) s.file_owner = run_as->uid;
  return s;
}

std::string started_line(const config::Config& c) {
  std::string v(config::kMasqdVersion);
  if (c.dns.port == 0) return fmt::format("started, version {} DNS disabled", v);
  if (c.dns.cache_size == 0)
    return fmt::format("started, version {} cache disabled", v);
  return fmt::format("started, version {} cachesize {}", v, c.dns.cache_size);
}

int App::fail(const Error& e) {
  bool logged = false;
  if (log::logger().started()) {
    log::logger().write(log::Level::Crit, log::Channel::Main, e.message, false);
    log::logger().write(log::Level::Crit, log::Channel::Main, "FAILED to start up", false);
    logged = true;
  }
  if (pipe_) {
    // We are the daemon: the launcher prints the error and exits with its status.
    pipe_->send(StartupReport{false, e, logged});
    return e.code ? e.code : 1;
  }
  return report_failure(e, logged);
}

int App::run() {
  set_signals_blocked(true);  // delivered later through the control loop's signalfd
  std::signal(SIGPIPE, SIG_IGN);

  auto run_as = resolve_run_as(config_.process.user, config_.process.group);
  if (!run_as) return fail(run_as.error());
  run_as_ = *run_as;

  // Sockets are bound here, before the fork and the privilege drop, as dnsmasq does.
  auto loop = net::EventLoop::create();
  if (!loop) return fail(loop.error());
  loop_ = std::move(*loop);
  dns::DnsService::Hooks dns_hooks;
  dns_hooks.log = [this](std::string_view line) {
    if (log::logger().started())
      log::info("{}", line);
    else
      early_lines_.emplace_back(line);
  };
  // --servers-file: its server= lines join the configured ones (problems are logged, never
  // fatal, as dnsmasq does); SIGHUP reads it again (below).
  base_servers_ = config_.dns.servers;
  if (config_.process.servers_file)
    for (auto& problem : config::read_servers_file(*config_.process.servers_file, config_))
      early_lines_.push_back(std::move(problem));
  // Every worker's sockets are bound here too; the worker threads start after the fork and
  // the privilege drop (start() below).
  auto dns = dns::DnsWorkers::create(config_, *loop_, std::move(dns_hooks),
                                     dns::DnsWorkers::count_for(config_));
  if (!dns) return fail(dns.error());
  dns_ = std::move(*dns);
  // The --address entries now live in the DNS service's compact tables; a blocklist of a
  // million lines would otherwise be held twice. Give the freed heap back to the system.
  config_.dns.addresses.clear();
  ::malloc_trim(0);
  hooks_.on_reload([this] {
    dns_->clear_cache();
    dns_->reload_local_data();
    if (config_.process.servers_file) {
      // The file's servers replace the ones it gave before; the others stay.
      config::Config fresh;
      fresh.dns.servers = base_servers_;
      for (auto& problem : config::read_servers_file(*config_.process.servers_file, fresh))
        log::info("{}", problem);
      dns_->set_servers(std::move(fresh.dns.servers));
    }
    dns_->reload_servers();
  });
  hooks_.on_stats([this] { dns_->log_statistics(); });
  if (dhcp::Dhcp4Service::wanted(config_)) {
    dhcp::Dhcp4Service::Hooks dhcp_hooks;
    dhcp_hooks.log = [](log::Level level, std::string_view line) {
      log::logger().write(level, log::Channel::Dhcp, line);
    };
    if (config_.dns.port != 0) {
      // Lease names go to every DNS worker; a name the hosts data gives another IPv4
      // address stays out of DNS (the DNS answer applies that rule; this is the warning).
      dhcp_hooks.names = [this](std::shared_ptr<const local::LeaseNameTable> names) {
        dns_->set_lease_names(std::move(names));
      };
      dhcp_hooks.hosts_clash = [this](std::string_view name, const IpAddr& addr) -> std::optional<std::string> {
        auto data = dns_->first().local_data();
        if (!data) return std::nullopt;
        const local::HostAddress* other = nullptr;
        for (const auto& ha : data->hosts().addresses(name)) {
          if (!ha.addr.is_v4()) continue;
          if (ha.addr == addr) return std::nullopt;
          if (!other) other = &ha;
        }
        if (!other) return std::nullopt;
        return fmt::format("{} with address {}", data->source(other->source).label, other->addr.to_string());
      };
      // dnsmasq gives a named dhcp-host (or /etc/ethers) entry without an address the one
      // the hosts data has for that name.
      dhcp_hooks.hosts_addresses = [this](std::string_view name) {
        std::vector<IpAddr> out;
        if (auto data = dns_->first().local_data())
          for (const auto& ha : data->hosts().addresses(name)) out.push_back(ha.addr);
        return out;
      };
    }
    auto dhcp4 = dhcp::Dhcp4Service::create(config_, *loop_, std::move(dhcp_hooks));
    if (!dhcp4) return fail(dhcp4.error());
    dhcp4_ = std::move(*dhcp4);
    hooks_.on_shutdown([this] { dhcp4_->shutdown(); });
    hooks_.on_reload([this] { dhcp4_->reload(); });
  }
  if (tftp::TftpService::wanted(config_)) {
    tftp::TftpService::Hooks tftp_hooks;
    tftp_hooks.log = [](log::Level level, std::string_view line) {
      log::logger().write(level, log::Channel::Tftp, line);
    };
    // --dhcp-script's "tftp" event goes through the DHCP service's script helper.
    if (dhcp4_ && !config_.dhcp.script.empty())
      tftp_hooks.sent = [this](uint64_t size, const IpAddr& client, std::string_view path) {
        dhcp4_->tftp_sent(size, client, path);
      };
    auto tftp = tftp::TftpService::create(config_, *loop_, std::move(tftp_hooks));
    if (!tftp) return fail(tftp.error());
    tftp_ = std::move(*tftp);
    hooks_.on_shutdown([this] { tftp_->shutdown(); });
  }

  if (daemonising()) {
    if (::chdir("/") != 0) return fail(make_error(fmt::format("cannot chdir to /: {}", std::strerror(errno)), 5));
    auto pipe = StartupPipe::create();
    if (!pipe) return fail(pipe.error());
    pid_t child = ::fork();
    if (child < 0) return fail(make_error(fmt::format("cannot fork into background: {}", std::strerror(errno)), 5));
    if (child > 0) {
      // The launcher: wait for the daemon's word, then exit with its status.
      set_signals_blocked(false);
      auto report = pipe->wait_for_report();
      int st = 0;
      (void)::waitpid(child, &st, 0);  // the middle process exits at once
      // Leave with _exit: destructors here would take the services' sockets out of the
      // epoll set the daemon shares with us (EPOLL_CTL_DEL acts on the shared instance).
      int code = 0;
      if (!report) code = report_failure(make_error("daemon exited during start-up", 5), false);
      else if (!report->ready) code = report_failure(report->error, report->logged);
      std::fflush(nullptr);
      ::_exit(code);
    }
    ::setsid();
    pid_t grandchild = ::fork();
    if (grandchild != 0) {
      if (grandchild < 0) {
        pipe->become_writer();
        pipe->send(StartupReport{false, make_error(fmt::format("cannot fork into background: {}", std::strerror(errno)), 5), false});
      }
      ::_exit(0);
    }
    pipe->become_writer();
    pipe_.emplace(std::move(*pipe));
  }

  if (auto r = start(); !r) return fail(r.error());
  if (auto r = dns_->start(); !r) return fail(r.error());

  ControlOptions opts;
  opts.no_daemon = config_.process.no_daemon;
  opts.pid_file = pid_file_written_ ? config_.process.pid_file : std::string();
  ControlLoop control(*loop_, opts, hooks_);
  if (auto r = control.install(); !r) return fail(r.error());

  if (pipe_) {
    pipe_->send(StartupReport{true, {}, false});
    pipe_.reset();
  }
  loop_->run();
  int code = control.exit_code();
  if (dhcp4_) dhcp4_->shutdown();
  dhcp4_.reset();  // before the loop it is registered on
  tftp_.reset();
  dns_.reset();
  return code;
}

Result<void> App::start() {
  const auto& p = config_.process;
  const bool switch_user = should_switch_user(run_as_);

  if (!p.no_daemon && !p.pid_file.empty()) {
    std::optional<std::pair<uid_t, gid_t>> owner;
    if (switch_user) owner.emplace(run_as_.uid, run_as_.user_gid);
    auto r = write_pid_file(p.pid_file, ::getpid(), owner);
    // dnsmasq: fatal only when started as root; otherwise it carries on without one.
    if (!r && ::getuid() == 0) return r;
    pid_file_written_ = r.ok();
  }

  if (auto r = log::logger().start(log_settings(p, &run_as_)); !r) return r;
  if (daemonising()) redirect_stdio(p.log_target == config::ProcessConfig::LogTarget::Stderr);

  if (dhcp4_)
    if (auto r = dhcp4_->start_script(); !r) return r;

  if (!p.no_daemon && switch_user) {
    // DHCP keeps CAP_NET_ADMIN to add the ARP entry for a unicast reply (as dnsmasq does).
    std::vector<cap_value_t> keep;
    if (dhcp4_) keep.push_back(CAP_NET_ADMIN);
    // --bind-dynamic binds addresses that appear later, on a port below 1024 too.
    if (config_.dns.bind_dynamic && config_.dns.port != 0 && config_.dns.port < 1024)
      keep.push_back(CAP_NET_BIND_SERVICE);
    if (auto r = drop_privileges(run_as_, keep); !r) return r;
  }

  log::info("{}", started_line(config_));
  // dnsmasq 2.90 says nothing about --local-service when DNS is off.
  const auto local_service = config_.dns.port == 0 ? config::DnsConfig::LocalService::Off
                                                   : config_.dns.local_service;
  if (local_service == config::DnsConfig::LocalService::Net)
    log::info("DNS service limited to local subnets");
  else if (local_service == config::DnsConfig::LocalService::Host)
    log::info("DNS service limited to localhost");
  log::info("compile time options: {}", config::compile_time_options());
  for (const auto& line : early_lines_) log::info("{}", line);
  early_lines_.clear();
  if (dhcp4_)
    for (const auto& line : dhcp4_->startup_lines())
      log::logger().write(log::Level::Info, log::Channel::Dhcp, line);
  if (tftp_) {
    // As dnsmasq: the roots are checked after the privilege drop, as the user that serves.
    auto lines = tftp_->check_roots();
    if (!lines) return lines.error();
    for (const auto& line : *lines) log::logger().write(log::Level::Info, log::Channel::Tftp, line);
  }
  if (config_.dns.cache_size_warn)
    log::warning("cache size greater than 10000 may cause performance issues, and is unlikely to be useful.");
  return ok();
}

int run(int argc, char** argv) {
  log::set_program_name(argc > 0 && argv[0] ? argv[0] : "masqd");
  ::umask(022);  // known umask: pid and lease files are created 0644

  auto loaded = config::load(std::span<char* const>(argv, static_cast<size_t>(argc)));
  if (!loaded) return report_failure(loaded.error(), false);

  const std::string& name = log::program_name();
  switch (loaded->action) {
    case config::Action::Help:
      config::print_help(stdout, loaded->help_topic, name);
      return 0;
    case config::Action::Version:
      config::print_version(stdout, name);
      return 0;
    case config::Action::OptionsMarkdown:
      std::fputs(config::options_markdown().c_str(), stdout);
      return 0;
    case config::Action::Run:
      break;
  }
  if (loaded->config.process.test_only) {
    std::fprintf(stderr, "%s: syntax check OK.\n", name.c_str());
    return 0;
  }
  App app(std::move(loaded->config));
  return app.run();
}

}  // namespace masqd::daemon
