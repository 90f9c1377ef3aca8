#include "dhcp/script_helper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace masqd::dhcp {

namespace {

constexpr size_t kMaxQueued = 1 << 20;

// In a forked child: signals back to defaults and unblocked (the daemon blocks the ones its
// signalfd reads), every descriptor above 2 closed except `keep`.
void child_setup(int keep) {
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
  for (int s : {SIGTERM, SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGPIPE, SIGCHLD}) ::signal(s, SIG_DFL);
  // close_range when the kernel has it (one call), else one close per possible descriptor.
  const auto first = static_cast<unsigned>(3);
  bool done = false;
  if (keep < 3) {
    done = ::close_range(first, ~0u, 0) == 0;
  } else {
    done = (keep == 3 || ::close_range(first, static_cast<unsigned>(keep - 1), 0) == 0) &&
           ::close_range(static_cast<unsigned>(keep + 1), ~0u, 0) == 0;
  }
  if (done) return;
  const long max = ::sysconf(_SC_OPEN_MAX);
  for (int fd = 3; fd < (max > 0 ? max : 1024); ++fd)
    if (fd != keep) ::close(fd);
}

// Runs the script for one event and waits for it.
void run_event(const std::string& script, const ScriptEvent& e) {
  std::vector<std::string> envs;
  for (char** p = environ; p && *p; ++p)
    if (std::strncmp(*p, "DNSMASQ_", 8) != 0) envs.emplace_back(*p);
  envs.insert(envs.end(), e.env.begin(), e.env.end());
  std::vector<char*> argv{const_cast<char*>(script.c_str()), const_cast<char*>(e.action.c_str())};
  for (const auto& a : e.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& v : envs) envp.push_back(v.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    child_setup(-1);
    ::execve(script.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  if (pid < 0) return;
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void helper_main(const std::string& script, int fd) {
  // The helper outlives nothing: it ends when the daemon closes (or loses) the pipe.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGUSR1, SIG_IGN);
  ::signal(SIGUSR2, SIG_IGN);
  std::vector<uint8_t> buf;
  uint8_t chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(0);
    buf.insert(buf.end(), chunk, chunk + n);
    for (;;) {
      auto r = decode_script_event(buf);
      if (!r) ::_exit(1);  // not our format: stop rather than guess
      if (!*r) break;
      run_event(script, (*r)->first);
      buf.erase(buf.begin(), buf.begin() + static_cast<long>((*r)->second));
    }
  }
}

}  // namespace

Result<std::unique_ptr<ScriptHelper>> ScriptHelper::start(const std::string& script, net::EventLoop& loop) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return make_error(fmt::format("cannot create pipe for the script helper: {}", std::strerror(errno)), 5);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return make_error(fmt::format("cannot fork script helper: {}", std::strerror(errno)), 5);
  }
  if (pid == 0) {
    ::close(fds[1]);
    child_setup(fds[0]);
    helper_main(script, fds[0]);
  }
  ::close(fds[0]);
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  return std::unique_ptr<ScriptHelper>(new ScriptHelper(loop, fds[1], pid));
}

ScriptHelper::~ScriptHelper() {
  if (watching_) loop_.remove_fd(fd_);
  if (fd_ >= 0) {
    // What is still queued goes out with one last blocking write (bounded: 1 MiB).
    if (!queue_.empty()) {
      ::fcntl(fd_, F_SETFL, 0);
      (void)!::write(fd_, queue_.data(), queue_.size());
    }
    ::close(fd_);
  }
  // Not waited for: the helper finishes the queued scripts on its own.
}

void ScriptHelper::post(const ScriptEvent& e) {
  std::string frame = encode_script_event(e);
  if (frame.size() > 4 + kMaxScriptFrame || queue_.size() + frame.size() > kMaxQueued) {
    ++dropped_;
    return;
  }
  queue_ += frame;
  drain();
}

void ScriptHelper::drain() {
  while (!queue_.empty()) {
    const ssize_t n = ::write(fd_, queue_.data(), queue_.size());
    if (n > 0) {
      queue_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    queue_.clear();  // the helper is gone: nothing more can run
    ++dropped_;
    break;
  }
  if (!queue_.empty() && !watching_) {
    watching_ = loop_.add_fd(fd_, EPOLLOUT, [this](uint32_t) { drain(); }).ok();
  } else if (queue_.empty() && watching_) {
    loop_.remove_fd(fd_);
    watching_ = false;
  }
}

Result<std::string> run_script_init(const std::string& script) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(fmt::format("cannot create pipe: {}", std::strerror(errno)), 5);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return make_error(fmt::format("cannot fork: {}", std::strerror(errno)), 5);
  }
  if (pid == 0) {
    ::dup2(fds[1], 1);
    child_setup(-1);
    const char* argv[] = {script.c_str(), "init", nullptr};
    ::execve(script.c_str(), const_cast<char* const*>(argv), environ);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() < (16u << 20)) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return out;
  const int code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
  return make_error(fmt::format("failed to execute {}: exit status {}", script, code), 10 + code);
}

}  // namespace masqd::dhcp
