#include "base/log.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace masqd::log {

namespace {

std::string& name_storage() {
  static std::string name = "masqd";
  return name;
}

void write_all(int fd, std::string_view s) {
  // Bounded: each round either writes something or gives up.
  for (int tries = 0; !s.empty() && tries < 64; ++tries) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n > 0) {
      s.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
}

enum class SendResult : uint8_t { Sent, WouldBlock, Failed };

}  // namespace

void set_program_name(std::string_view argv0) {
  auto slash = argv0.rfind('/');
  std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  name_storage() = base == "dnsmasq" ? "dnsmasq" : "masqd";
}

const std::string& program_name() { return name_storage(); }

std::string ident(Channel channel) {
  std::string id = program_name();
  switch (channel) {
    case Channel::Main: break;
    case Channel::Dhcp: id += "-dhcp"; break;
    case Channel::Tftp: id += "-tftp"; break;
    case Channel::Script: id += "-script"; break;
  }
  return id;
}

std::string format_timestamp(std::time_t t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  struct tm tm {};
  localtime_r(&t, &tm);
  int mon = tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0;
  return fmt::format("{} {:>2} {:02}:{:02}:{:02}", kMonths[mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

std::string format_syslog(int facility, Level level, std::time_t t, std::string_view id, pid_t pid,
                          std::string_view msg) {
  return fmt::format("<{}>{} {}[{}]: {}", facility | static_cast<int>(level), format_timestamp(t), id,
                     static_cast<long>(pid), msg);
}

std::string format_line(bool with_timestamp, std::time_t t, std::string_view id, pid_t pid,
                        std::string_view msg) {
  if (!with_timestamp) return fmt::format("{}[{}]: {}\n", id, static_cast<long>(pid), msg);
  return fmt::format("{} {}[{}]: {}\n", format_timestamp(t), id, static_cast<long>(pid), msg);
}

bool LogQueue::push(std::string entry) {
  if (q_.size() >= limit_) {
    ++lost_;
    return false;
  }
  q_.push_back(std::move(entry));
  return true;
}

// ---------------------------------------------------------------------------------------------

struct Logger::State {
  Settings settings;
  bool started = false;
  int fd = -1;  // log file, or the syslog socket
  bool connected = false;
  LogQueue queue{kDefaultAsyncQueue};
  std::function<void()> notifier;
  std::function<std::time_t()> clock;
  pid_t fixed_pid = 0;

  pid_t pid() const { return fixed_pid ? fixed_pid : ::getpid(); }
  std::time_t now() const { return clock ? clock() : std::time(nullptr); }

  void close_fd() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    connected = false;
  }

  bool open_syslog_socket() {
    if (fd < 0) fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd >= 0;
  }

  bool connect_syslog() {
    if (!open_syslog_socket()) return false;
    struct sockaddr_un sa {};
    sa.sun_family = AF_UNIX;
    const std::string& path = settings.syslog_path;
    if (path.size() >= sizeof(sa.sun_path)) return false;
    std::memcpy(sa.sun_path, path.data(), path.size());
    connected = ::connect(fd, reinterpret_cast<const struct sockaddr*>(&sa), sizeof(sa)) == 0;
    return connected;
  }

  SendResult send_dgram(const std::string& entry) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!connected && !connect_syslog()) return SendResult::Failed;
      ssize_t n = ::send(fd, entry.data(), entry.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return SendResult::Sent;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return SendResult::WouldBlock;
      if (errno == EINTR) continue;
      if (errno == ENOTCONN || errno == ECONNREFUSED || errno == ENOENT || errno == EPIPE ||
          errno == ECONNRESET) {
        // The syslog daemon went away or restarted: reconnect once, with a fresh socket.
        close_fd();
        continue;
      }
      return SendResult::Failed;
    }
    return SendResult::Failed;
  }

  // Sends queued datagrams until the socket would block. A datagram that cannot be delivered
  // at all (no syslog daemon) is dropped without counting: only queue overflow is "lost".
  // Returns true if entries remain queued.
  bool flush_queue() {
    for (int guard = 0; guard < 4; ++guard) {
      while (!queue.empty()) {
        SendResult r = send_dgram(queue.front());
        if (r == SendResult::WouldBlock) return true;
        queue.pop();
      }
      uint64_t lost = queue.take_lost();
      if (lost == 0) return false;
      queue.push(format_syslog(settings.facility, Level::Warning, now(), ident(Channel::Main), pid(),
                               fmt::format("overflow: {} log entries lost", lost)));
    }
    return !queue.empty();
  }

  void send_sync(const std::string& entry) {
    SendResult r = send_dgram(entry);
    if (r != SendResult::WouldBlock) return;
    // Synchronous mode blocks as dnsmasq does, but never for more than a second.
    struct pollfd p {fd, POLLOUT, 0};
    if (::poll(&p, 1, 1000) > 0) (void)send_dgram(entry);
  }

  Result<void> open_file(bool first) {
    int f = ::open(settings.file_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (f < 0) {
      int e = errno;
      return make_error(fmt::format("cannot open log {}: {}", settings.file_path, std::strerror(e)), 3);
    }
    if (first && settings.file_owner != static_cast<uid_t>(-1)) {
      // Let the run user reopen it after a rotation; failure is harmless (not root).
      (void)::fchmod(f, 0660);
      (void)::fchown(f, settings.file_owner, static_cast<gid_t>(-1));
    }
    close_fd();
    fd = f;
    return ok();
  }
};

Logger::Logger() : s_(std::make_unique<State>()) {}
Logger::~Logger() { s_->close_fd(); }

Result<void> Logger::start(const Settings& settings) {
  std::lock_guard lock(mu_);
  s_->close_fd();
  s_->settings = settings;
  if (settings.target != Settings::Target::Syslog) s_->settings.async_queue = 0;  // as dnsmasq
  s_->queue = LogQueue(s_->settings.async_queue ? s_->settings.async_queue : 1);
  if (settings.target == Settings::Target::File) {
    auto r = s_->open_file(true);
    if (!r) return r;
  } else if (settings.target == Settings::Target::Syslog) {
    (void)s_->connect_syslog();  // a missing /dev/log is retried on each message
  }
  s_->started = true;
  return ok();
}

bool Logger::started() const {
  std::lock_guard lock(mu_);
  return s_->started;
}

Settings::Target Logger::target() const {
  std::lock_guard lock(mu_);
  return s_->settings.target;
}

void Logger::write(Level level, Channel channel, std::string_view msg, bool echo) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    State& s = *s_;
    if (level == Level::Debug && !s.settings.log_debug) return;
    if (msg.size() > kMaxMessage) msg = msg.substr(0, kMaxMessage);
    std::string id = ident(channel);
    const auto target = s.settings.target;
    if (echo && s.settings.echo_stderr && target != Settings::Target::Stderr)
      write_all(STDERR_FILENO, fmt::format("{}: {}\n", id, msg));
    switch (target) {
      case Settings::Target::File:
        if (s.fd >= 0) write_all(s.fd, format_line(true, s.now(), id, s.pid(), msg));
        break;
      case Settings::Target::Stderr:
        write_all(STDERR_FILENO, format_line(s.settings.timestamp_on_stderr, s.now(), id, s.pid(), msg));
        break;
      case Settings::Target::Syslog: {
        std::string entry = format_syslog(s.settings.facility, level, s.now(), id, s.pid(), msg);
        if (s.settings.async_queue == 0) {
          s.send_sync(entry);
          break;
        }
        bool was_pending = !s.queue.empty();
        s.queue.push(std::move(entry));
        if (was_pending) break;  // wait for the socket to become writable
        if (s.flush_queue() && s.notifier) notify = s.notifier;
        break;
      }
    }
  }
  if (notify) notify();
}

Result<void> Logger::reopen() {
  std::lock_guard lock(mu_);
  if (!s_->started || s_->settings.target != Settings::Target::File) return ok();
  return s_->open_file(false);
}

int Logger::pending_fd() const {
  std::lock_guard lock(mu_);
  return s_->settings.target == Settings::Target::Syslog ? s_->fd : -1;
}

bool Logger::has_pending() const {
  std::lock_guard lock(mu_);
  return !s_->queue.empty();
}

void Logger::flush_pending() {
  std::lock_guard lock(mu_);
  (void)s_->flush_queue();
}

void Logger::set_pending_notifier(std::function<void()> notifier) {
  std::lock_guard lock(mu_);
  s_->notifier = std::move(notifier);
}

uint64_t Logger::lost_entries() const {
  std::lock_guard lock(mu_);
  return s_->queue.lost();
}

void Logger::set_fixed_pid(pid_t pid) {
  std::lock_guard lock(mu_);
  s_->fixed_pid = pid;
}

void Logger::set_clock(std::function<std::time_t()> clock) {
  std::lock_guard lock(mu_);
  s_->clock = std::move(clock);
}

Logger& logger() {
  static Logger instance;
  return instance;
}

}  // namespace masqd::log
