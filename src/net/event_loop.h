// EventLoop: one epoll loop per thread with fd callbacks, timers (a min-heap whose earliest
// deadline is the epoll_pwait2 timeout, so a timer costs no system call),
// signals (signalfd) and cross-thread post()/stop() (eventfd). Not a thread pool, no I/O policy.
#pragma once

#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "net/fd.h"

namespace masqd::net {

using TimerId = uint64_t;

// One per thread. All methods except post() and stop() must be called on the owning thread
// (the one calling run()/run_once()). Callbacks run on that thread and may re-entrantly add,
// modify and remove fds and timers; an fd removed during a round gets no further events in
// that round. The loop does not own the fds given to add_fd (except its own internal fds).
class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t epoll_events)>;
  using SignalCallback = std::function<void(const struct signalfd_siginfo&)>;

  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers fd for `epoll_events` (EPOLLIN, EPOLLOUT, EPOLLET, ...). Error if fd is
  // already registered or epoll_ctl fails.
  Result<void> add_fd(int fd, uint32_t epoll_events, FdCallback cb);
  // Changes the interest set of a registered fd. Error if unknown fd.
  Result<void> modify_fd(int fd, uint32_t epoll_events);
  // Unregisters fd (no-op if unknown). Safe inside any callback, including fd's own; the
  // callback object is destroyed only after it returns. Call before closing the fd.
  void remove_fd(int fd);
  // As remove_fd, without the epoll_ctl(DEL) system call: for an fd the caller closes right
  // away and never shared (dup, fork), whose last close drops it from the epoll set anyway.
  // Until it is closed, the fd must not be readable (its events would be ignored).
  void forget_fd(int fd);

  // One-shot timer; fires once, `delay` after the call (not before the next round). Ids are never
  // reused. Timers with equal deadlines fire in the order they were added.
  TimerId add_timer(std::chrono::milliseconds delay, std::function<void()> cb);
  // Fires every `interval` (minimum 1 ms) until cancelled; next deadline = previous + interval.
  TimerId add_periodic(std::chrono::milliseconds interval, std::function<void()> cb);
  // Cancels a pending timer (no-op if unknown or already fired). Safe from inside callbacks,
  // including the timer's own.
  void cancel_timer(TimerId id);

  // Blocks the signals in the calling thread (call before starting other threads so they
  // inherit the mask) and delivers them through a signalfd to cb on this loop. Calling it
  // again adds signals; the latest cb receives all of them. The signals stay blocked in the
  // thread after the loop is destroyed.
  Result<void> watch_signals(std::initializer_list<int> signals, SignalCallback cb);

  // Thread-safe: queues fn to run on the loop thread (in post order, at the end of a round) and
  // wakes the loop through an eventfd. Functions still queued when the loop dies are dropped.
  void post(std::function<void()> fn);
  // Runs rounds until stop(). Returns immediately if already stopped.
  void run();
  // One epoll_wait round (waits at most max_wait, less if a timer is due sooner), then runs
  // ready fd callbacks, due timers and posted functions. A negative max_wait waits without limit.
  // Returns false if stopped.
  bool run_once(std::chrono::milliseconds max_wait);
  // Busy polling: after a round that handled events, the next one first polls without
  // sleeping for up to `window` (zero, the default, turns it off). It spends this thread's
  // CPU to save sleeps and wake-ups, and a wake-up costs the sender that makes it as well;
  // TftpService turns it on while transfers run (docs/adr/0007-tftp-busy-poll.md).
  void set_busy_poll(std::chrono::microseconds window) { busy_poll_ = window; }
  // Tests: wait with epoll_wait in whole milliseconds, as on a kernel without epoll_pwait2.
  void use_epoll_wait_for_testing() { have_pwait2_ = false; }
  // Thread-safe: makes run() return after the current round; later rounds return false.
  void stop();
  bool stopped() const;

  // Cached steady_clock time, refreshed at the start of each round (after epoll_wait).
  std::chrono::steady_clock::time_point now() const { return now_; }
  // Pending timers, and fds registered through add_fd (not counting the loop's own).
  size_t timer_count() const { return timers_.size(); }
  size_t fd_count() const { return fds_.size() - internal_fds_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct FdEntry {
    std::shared_ptr<FdCallback> cb;  // shared so a callback that removes itself stays alive
    uint32_t generation = 0;         // distinguishes a re-added fd from a removed one
  };
  struct TimerEntry {
    std::function<void()> cb;
    std::chrono::milliseconds interval{0};  // 0 = one-shot
    Clock::time_point deadline;
  };
  struct HeapItem {
    Clock::time_point deadline;
    TimerId id;
    // std::push_heap builds a max-heap; invert so the earliest deadline (then lowest id) is on top.
    bool operator<(const HeapItem& o) const {
      return deadline != o.deadline ? deadline > o.deadline : id > o.id;
    }
  };

  EventLoop() = default;
  Result<void> init();
  TimerId add_timer_impl(std::chrono::milliseconds delay, std::chrono::milliseconds interval,
                         std::function<void()> cb);
  Clock::time_point next_deadline();  // the earliest live timer's; drops stale heap tops
  int wait(std::chrono::milliseconds max_wait);  // epoll_pwait2 until an event, a timer or max_wait
  int poll_busily(std::chrono::milliseconds max_wait);  // set_busy_poll's polling; 0 = nothing came
  void run_due_timers();
  void run_posted();
  void on_signalfd();
  void drain_eventfd();
  Result<void> add_internal_fd(int fd, FdCallback cb);
  void wake();

  UniqueFd epoll_;
  UniqueFd event_fd_;
  UniqueFd signal_fd_;
  sigset_t signal_mask_{};
  SignalCallback signal_cb_;

  std::unordered_map<int, FdEntry> fds_;
  uint32_t next_generation_ = 1;  // goes into the high half of epoll_event.data.u64
  size_t internal_fds_ = 0;

  std::unordered_map<TimerId, TimerEntry> timers_;
  std::vector<HeapItem> heap_;  // may hold stale items for cancelled timers; skipped lazily
  TimerId next_timer_id_ = 1;
  std::chrono::microseconds busy_poll_{0};
  bool last_round_busy_ = false;  // the last round had events: busy polling applies
  bool have_pwait2_ = true;  // false after ENOSYS: epoll_wait with milliseconds instead

  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by post_mu_
  std::vector<std::function<void()>> running_posted_;
  std::atomic<bool> stopped_{false};

  Clock::time_point now_ = Clock::now();
  std::vector<struct epoll_event> events_;
};

}  // namespace masqd::net
