#include "net/event_loop.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace masqd::net {
namespace {

constexpr size_t kMaxEventsPerRound = 64;
constexpr size_t kMaxSignalsPerRead = 16;
constexpr int kNetworkErrorCode = 2;

Error sys_error(const char* what) {
  return make_error(std::string(what) + ": " + std::strerror(errno), kNetworkErrorCode);
}

uint64_t pack(int fd, uint32_t generation) {
  return (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(fd);
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  auto r = loop->init();
  if (!r) return r.error();
  return loop;
}

Result<void> EventLoop::init() {
  sigemptyset(&signal_mask_);
  events_.resize(kMaxEventsPerRound);
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) return sys_error("epoll_create1");
  event_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!event_fd_.valid()) return sys_error("eventfd");

  // The eventfd only wakes the loop; the posted work runs at the end of each round.
  return add_internal_fd(event_fd_.get(), [this](uint32_t) { drain_eventfd(); });
}

EventLoop::~EventLoop() = default;

Result<void> EventLoop::add_internal_fd(int fd, FdCallback cb) {
  auto r = add_fd(fd, EPOLLIN, std::move(cb));
  if (r) ++internal_fds_;
  return r;
}

Result<void> EventLoop::add_fd(int fd, uint32_t epoll_events, FdCallback cb) {
  if (fd < 0) return make_error("add_fd: invalid fd", kNetworkErrorCode);
  if (fds_.count(fd) != 0) return make_error("add_fd: fd " + std::to_string(fd) + " already registered");
  uint32_t gen = next_generation_++;
  if (next_generation_ == 0) next_generation_ = 1;
  struct epoll_event ev {};
  ev.events = epoll_events;
  ev.data.u64 = pack(fd, gen);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return sys_error("epoll_ctl(ADD)");
  fds_.emplace(fd, FdEntry{std::make_shared<FdCallback>(std::move(cb)), gen});
  return ok();
}

Result<void> EventLoop::modify_fd(int fd, uint32_t epoll_events) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return make_error("modify_fd: fd " + std::to_string(fd) + " not registered");
  struct epoll_event ev {};
  ev.events = epoll_events;
  ev.data.u64 = pack(fd, it->second.generation);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) return sys_error("epoll_ctl(MOD)");
  return ok();
}

void EventLoop::remove_fd(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  // Fails harmlessly (EBADF) if the caller already closed the fd; the kernel dropped it then.
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(it);  // a callback running right now holds its own shared_ptr copy
}

void EventLoop::forget_fd(int fd) {
  fds_.erase(fd);  // a callback running right now holds its own shared_ptr copy
}

TimerId EventLoop::add_timer(std::chrono::milliseconds delay, std::function<void()> cb) {
  return add_timer_impl(delay, std::chrono::milliseconds(0), std::move(cb));
}

TimerId EventLoop::add_periodic(std::chrono::milliseconds interval, std::function<void()> cb) {
  interval = std::max(interval, std::chrono::milliseconds(1));
  return add_timer_impl(interval, interval, std::move(cb));
}

TimerId EventLoop::add_timer_impl(std::chrono::milliseconds delay, std::chrono::milliseconds interval,
                                  std::function<void()> cb) {
  delay = std::max(delay, std::chrono::milliseconds(0));
  TimerId id = next_timer_id_++;
  // Measured from the real time, not now_: setup code may add timers long after the last round.
  Clock::time_point deadline = Clock::now() + delay;
  timers_.emplace(id, TimerEntry{std::move(cb), interval, deadline});
  heap_.push_back(HeapItem{deadline, id});
  std::push_heap(heap_.begin(), heap_.end());
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  // The heap item stays until it reaches the top (or the heap is compacted).
  if (timers_.erase(id) == 0) return;
  if (heap_.size() > 64 && heap_.size() > 2 * timers_.size()) {
    std::erase_if(heap_, [this](const HeapItem& h) {
      auto it = timers_.find(h.id);
      return it == timers_.end() || it->second.deadline != h.deadline;
    });
    std::make_heap(heap_.begin(), heap_.end());
  }
}

EventLoop::Clock::time_point EventLoop::next_deadline() {
  while (!heap_.empty()) {
    const HeapItem& top = heap_.front();
    auto it = timers_.find(top.id);
    if (it != timers_.end() && it->second.deadline == top.deadline) return top.deadline;
    std::pop_heap(heap_.begin(), heap_.end());
    heap_.pop_back();
  }
  return Clock::time_point::max();
}

int EventLoop::wait(std::chrono::milliseconds max_wait) {
  // The earliest timer bounds the wait; no timerfd, so arming, cancelling and firing a timer
  // make no system call (a forwarded query's expiry, a DHCP group commit).
  Clock::time_point until = next_deadline();
  const bool bounded = max_wait.count() >= 0;
  if (until == Clock::time_point::max() && !bounded) {
    return ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), -1);
  }
  const Clock::time_point start = Clock::now();
  if (bounded && (until == Clock::time_point::max() || until - start > max_wait)) until = start + max_wait;
  const auto left = std::max<Clock::duration>(until - start, Clock::duration::zero());
  if (have_pwait2_) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    struct timespec ts {};
    ts.tv_sec = static_cast<time_t>(ns / 1000000000);
    ts.tv_nsec = static_cast<long>(ns % 1000000000);
    const int n = ::epoll_pwait2(epoll_.get(), events_.data(), static_cast<int>(events_.size()), &ts, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    have_pwait2_ = false;  // a kernel before 5.11 (or a filter that refuses the call)
  }
  // Rounded up, so a timer is never found not yet due when the wait ends.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()),
                      static_cast<int>(std::min<int64_t>(ms, INT32_MAX)));
}

int EventLoop::poll_busily(std::chrono::milliseconds max_wait) {
  const Clock::time_point start = Clock::now();
  Clock::time_point until = std::min(start + busy_poll_, next_deadline());
  if (max_wait.count() >= 0) until = std::min<Clock::time_point>(until, start + max_wait);
  int n = 0;
  do {
    n = ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), 0);
  } while (n == 0 && Clock::now() < until);
  return n;
}

void EventLoop::run_due_timers() {
  // Collect first so that timers added by callbacks (even with zero delay) wait for the next
  // round: a callback that re-adds itself cannot starve the loop.
  std::vector<HeapItem> due;
  while (!heap_.empty() && heap_.front().deadline <= now_) {
    due.push_back(heap_.front());
    std::pop_heap(heap_.begin(), heap_.end());
    heap_.pop_back();
  }
  for (const HeapItem& item : due) {
    auto it = timers_.find(item.id);
    if (it == timers_.end() || it->second.deadline != item.deadline) continue;  // cancelled/stale
    std::function<void()> cb;
    if (it->second.interval.count() == 0) {
      cb = std::move(it->second.cb);
      timers_.erase(it);
    } else {
      // Keep the schedule, but do not burst to catch up after a long stall.
      TimerEntry& t = it->second;
      t.deadline += t.interval;
      if (t.deadline <= now_) t.deadline = now_ + t.interval;
      heap_.push_back(HeapItem{t.deadline, item.id});
      std::push_heap(heap_.begin(), heap_.end());
      cb = t.cb;  // a copy: the callback may cancel (erase) its own entry
    }
    cb();
  }
}

void EventLoop::drain_eventfd() {
  uint64_t value = 0;
  [[maybe_unused]] ssize_t n = ::read(event_fd_.get(), &value, sizeof value);
}

void EventLoop::wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(event_fd_.get(), &one, sizeof one);
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    posted_.push_back(std::move(fn));
  }
  wake();
}

void EventLoop::run_posted() {
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    if (posted_.empty()) return;
    running_posted_.swap(posted_);
  }
  for (auto& fn : running_posted_) fn();  // posts made now land in posted_ and wake the loop
  running_posted_.clear();
}

void EventLoop::stop() {
  stopped_.store(true, std::memory_order_release);
  wake();
}

bool EventLoop::stopped() const { return stopped_.load(std::memory_order_acquire); }

Result<void> EventLoop::watch_signals(std::initializer_list<int> signals, SignalCallback cb) {
  sigset_t add;
  sigemptyset(&add);
  for (int sig : signals) {
    if (sigaddset(&add, sig) != 0) return sys_error("sigaddset");
    sigaddset(&signal_mask_, sig);
  }
  int rc = ::pthread_sigmask(SIG_BLOCK, &add, nullptr);
  if (rc != 0) return make_error(std::string("pthread_sigmask: ") + std::strerror(rc), kNetworkErrorCode);
  signal_cb_ = std::move(cb);
  if (signal_fd_.valid()) {
    if (::signalfd(signal_fd_.get(), &signal_mask_, 0) < 0) return sys_error("signalfd(update)");
    return ok();
  }
  signal_fd_.reset(::signalfd(-1, &signal_mask_, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signal_fd_.valid()) return sys_error("signalfd");
  return add_internal_fd(signal_fd_.get(), [this](uint32_t) { on_signalfd(); });
}

void EventLoop::on_signalfd() {
  struct signalfd_siginfo infos[kMaxSignalsPerRead];
  ssize_t n = ::read(signal_fd_.get(), infos, sizeof infos);
  if (n <= 0) return;
  size_t count = static_cast<size_t>(n) / sizeof(struct signalfd_siginfo);
  for (size_t i = 0; i < count; ++i) {
    if (signal_cb_) signal_cb_(infos[i]);
  }
}

bool EventLoop::run_once(std::chrono::milliseconds max_wait) {
  if (stopped()) return false;
  // Negative max_wait = no limit (timers, posts and stop() still wake the loop).
  int n = last_round_busy_ && busy_poll_.count() > 0 ? poll_busily(max_wait) : 0;
  if (n == 0) n = wait(max_wait);
  last_round_busy_ = n > 0;
  now_ = Clock::now();
  // Work posted before this wake-up (a reload's new servers, say) runs before the packets
  // that woke the loop with it, so nothing that arrives after a post sees the old state.
  run_posted();
  for (int i = 0; i < n; ++i) {
    uint64_t data = events_[static_cast<size_t>(i)].data.u64;
    int fd = static_cast<int>(static_cast<uint32_t>(data));
    uint32_t gen = static_cast<uint32_t>(data >> 32);
    auto it = fds_.find(fd);
    // Skip fds removed (or removed and re-added) by an earlier callback in this round.
    if (it == fds_.end() || it->second.generation != gen) continue;
    std::shared_ptr<FdCallback> cb = it->second.cb;
    (*cb)(events_[static_cast<size_t>(i)].events);
  }
  run_due_timers();
  run_posted();
  return !stopped();
}

void EventLoop::run() {
  while (run_once(std::chrono::milliseconds(-1))) {
  }
}

}  // namespace masqd::net
