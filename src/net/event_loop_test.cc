#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

namespace masqd::net {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<EventLoop> make_loop() {
  auto r = EventLoop::create();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

// Runs rounds until pred() holds or the bound is hit; returns pred().
template <typename Pred>
bool run_until(EventLoop& loop, Pred pred, int max_rounds = 200) {
  for (int i = 0; i < max_rounds && !pred(); ++i) {
    if (!loop.run_once(10ms)) break;
  }
  return pred();
}

TEST(EventLoop, TimersFireInDeadlineOrder) {
  auto loop = make_loop();
  std::vector<int> order;
  // Taken before the timers are added: each deadline is at least its delay after this.
  auto start = std::chrono::steady_clock::now();
  loop->add_timer(30ms, [&] { order.push_back(3); });
  loop->add_timer(10ms, [&] { order.push_back(1); });
  loop->add_timer(20ms, [&] { order.push_back(2); });
  loop->add_timer(20ms, [&] { order.push_back(22); });  // same delay: after the earlier add
  ASSERT_TRUE(run_until(*loop, [&] { return order.size() == 4; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 22, 3}));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, TimerDoesNotFireEarly) {
  auto loop = make_loop();
  bool fired = false;
  auto start = std::chrono::steady_clock::now();
  loop->add_timer(50ms, [&] { fired = true; });
  loop->run_once(5ms);
  EXPECT_FALSE(fired);
  ASSERT_TRUE(run_until(*loop, [&] { return fired; }));
  EXPECT_GE(loop->now() - start, 50ms);
}

// Without epoll_pwait2 (kernels before 5.11) the wait is in whole milliseconds, rounded up:
// a timer still never fires early, and one due in under a millisecond takes one or two
// rounds, not a spin of zero-timeout rounds that find it not yet due.
TEST(EventLoop, MillisecondWaitWithoutPwait2) {
  auto loop = make_loop();
  loop->use_epoll_wait_for_testing();
  bool fired = false;
  auto start = std::chrono::steady_clock::now();
  loop->add_timer(30ms, [&] { fired = true; });
  ASSERT_TRUE(run_until(*loop, [&] { return fired; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);

  fired = false;
  loop->add_timer(1ms, [&] { fired = true; });
  int rounds = 0;
  while (!fired && rounds < 100) {
    loop->run_once(-1ms);
    ++rounds;
  }
  EXPECT_TRUE(fired);
  EXPECT_LE(rounds, 2);
}

TEST(EventLoop, CancelBeforeFiring) {
  auto loop = make_loop();
  int a = 0, b = 0;
  TimerId ta = loop->add_timer(5ms, [&] { ++a; });
  loop->add_timer(15ms, [&] { ++b; });
  loop->cancel_timer(ta);
  loop->cancel_timer(ta);      // twice is harmless
  loop->cancel_timer(999999);  // unknown is harmless
  ASSERT_TRUE(run_until(*loop, [&] { return b == 1; }));
  loop->run_once(10ms);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, CancelFromAnotherTimerDueInSameRound) {
  auto loop = make_loop();
  int second = 0;
  TimerId t2 = 0;
  bool first = false;
  loop->add_timer(5ms, [&] {
    first = true;
    loop->cancel_timer(t2);
  });
  t2 = loop->add_timer(5ms, [&] { ++second; });
  // Both are due in the same round; the first cancels the second before it runs.
  std::this_thread::sleep_for(10ms);
  loop->run_once(0ms);
  ASSERT_TRUE(first);
  loop->run_once(20ms);
  EXPECT_EQ(second, 0);
}

TEST(EventLoop, PeriodicFiresRepeatedlyAndCancelsItself) {
  auto loop = make_loop();
  int count = 0;
  TimerId id = 0;
  id = loop->add_periodic(5ms, [&] {
    if (++count == 3) loop->cancel_timer(id);
  });
  ASSERT_TRUE(run_until(*loop, [&] { return count >= 3; }));
  for (int i = 0; i < 3; ++i) loop->run_once(10ms);
  EXPECT_EQ(count, 3);
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, ManyCancelledTimersDoNotAccumulate) {
  auto loop = make_loop();
  int fired = 0;
  for (int i = 0; i < 1000; ++i) loop->cancel_timer(loop->add_timer(1h, [&] { ++fired; }));
  loop->add_timer(1ms, [&] { ++fired; });
  ASSERT_TRUE(run_until(*loop, [&] { return fired == 1; }));
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, TimerAddedFromCallbackWithZeroDelayRunsNextRound) {
  auto loop = make_loop();
  int runs = 0;
  std::function<void()> again = [&] {
    ++runs;
    loop->add_timer(0ms, again);
  };
  loop->add_timer(0ms, again);
  loop->run_once(10ms);
  EXPECT_EQ(runs, 1);  // no starvation: the re-added timer waits for the next round
  loop->run_once(10ms);
  EXPECT_EQ(runs, 2);
}

TEST(EventLoop, PostFromAnotherThreadWakesLoop) {
  auto loop = make_loop();
  std::atomic<bool> ran{false};
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    loop->post([&] { ran = true; });
  });
  auto start = std::chrono::steady_clock::now();
  // A long wait that only the post can cut short.
  for (int i = 0; i < 5 && !ran; ++i) loop->run_once(2000ms);
  t.join();
  EXPECT_TRUE(ran);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
  auto loop = make_loop();
  int ticks = 0;
  loop->add_periodic(2ms, [&] { ++ticks; });
  std::thread t([&] {
    std::this_thread::sleep_for(30ms);
    loop->stop();
  });
  loop->run();
  t.join();
  EXPECT_TRUE(loop->stopped());
  EXPECT_GT(ticks, 0);
  EXPECT_FALSE(loop->run_once(1ms));
}

TEST(EventLoop, PostedFunctionsRunInOrderAndCanStop) {
  auto loop = make_loop();
  std::vector<int> seen;
  loop->post([&] { seen.push_back(1); });
  loop->post([&] {
    seen.push_back(2);
    loop->stop();
  });
  loop->run();  // returns because the posted function stopped it
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST(EventLoop, SignalDeliveredThroughSignalfd) {
  auto loop = make_loop();
  std::vector<int> got;
  auto r = loop->watch_signals({SIGUSR1, SIGUSR2}, [&](const signalfd_siginfo& si) {
    got.push_back(static_cast<int>(si.ssi_signo));
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  sigset_t cur;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &cur), 0);
  EXPECT_EQ(sigismember(&cur, SIGUSR1), 1);
  ASSERT_EQ(raise(SIGUSR1), 0);  // blocked: stays pending until the signalfd reads it
  ASSERT_EQ(raise(SIGUSR2), 0);
  ASSERT_TRUE(run_until(*loop, [&] { return got.size() == 2; }));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{SIGUSR1, SIGUSR2}));
}

struct EventFd {
  UniqueFd fd{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
  void signal() const {
    uint64_t one = 1;
    ASSERT_EQ(::write(fd.get(), &one, sizeof one), 8);
  }
  void drain() const {
    uint64_t v;
    [[maybe_unused]] ssize_t n = ::read(fd.get(), &v, sizeof v);
  }
};

TEST(EventLoop, FdCallbackGetsEventsAndModify) {
  auto loop = make_loop();
  EventFd e;
  int reads = 0;
  uint32_t last = 0;
  ASSERT_TRUE(loop->add_fd(e.fd.get(), EPOLLIN, [&](uint32_t ev) {
    last = ev;
    ++reads;
    e.drain();
  }).ok());
  EXPECT_EQ(loop->fd_count(), 1u);
  EXPECT_FALSE(loop->add_fd(e.fd.get(), EPOLLIN, [](uint32_t) {}).ok());  // duplicate
  loop->run_once(0ms);
  EXPECT_EQ(reads, 0);
  e.signal();
  ASSERT_TRUE(run_until(*loop, [&] { return reads == 1; }));
  EXPECT_TRUE(last & EPOLLIN);
  // An eventfd is always writable: switching to EPOLLOUT gives an event without a signal.
  ASSERT_TRUE(loop->modify_fd(e.fd.get(), EPOLLOUT).ok());
  ASSERT_TRUE(run_until(*loop, [&] { return reads == 2; }));
  EXPECT_TRUE(last & EPOLLOUT);
  loop->remove_fd(e.fd.get());
  EXPECT_EQ(loop->fd_count(), 0u);
  EXPECT_FALSE(loop->modify_fd(e.fd.get(), EPOLLIN).ok());
  loop->run_once(5ms);
  EXPECT_EQ(reads, 2);
}

// A post made before an fd became ready runs before that fd's callback in the same round.
TEST(EventLoop, PostedBeforeAnFdEventRunsFirst) {
  auto loop = make_loop();
  EventFd e;
  std::vector<std::string> order;
  ASSERT_TRUE(loop->add_fd(e.fd.get(), EPOLLIN, [&](uint32_t) {
    order.push_back("fd");
    e.drain();
  }).ok());
  loop->post([&] { order.push_back("posted"); });
  e.signal();
  ASSERT_TRUE(run_until(*loop, [&] { return order.size() == 2; }));
  EXPECT_EQ(order, (std::vector<std::string>{"posted", "fd"}));
}

TEST(EventLoop, RemoveInOwnCallback) {
  auto loop = make_loop();
  EventFd e;
  int calls = 0;
  std::string captured = "keep me alive";
  ASSERT_TRUE(loop->add_fd(e.fd.get(), EPOLLIN, [&, captured](uint32_t) {
    ++calls;
    loop->remove_fd(e.fd.get());
    EXPECT_EQ(captured, "keep me alive");  // the callback's state outlives its removal
  }).ok());
  e.signal();  // never drained: would fire every round if still registered
  for (int i = 0; i < 5; ++i) loop->run_once(5ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->fd_count(), 0u);
}

TEST(EventLoop, FdRemovedByEarlierCallbackGetsNoEventsThatRound) {
  auto loop = make_loop();
  EventFd a, b;
  int a_calls = 0, b_calls = 0;
  // Whichever runs first removes the other; both are ready in the same round.
  ASSERT_TRUE(loop->add_fd(a.fd.get(), EPOLLIN, [&](uint32_t) {
    ++a_calls;
    loop->remove_fd(b.fd.get());
    a.drain();
  }).ok());
  ASSERT_TRUE(loop->add_fd(b.fd.get(), EPOLLIN, [&](uint32_t) {
    ++b_calls;
    loop->remove_fd(a.fd.get());
    b.drain();
  }).ok());
  a.signal();
  b.signal();
  loop->run_once(50ms);
  EXPECT_EQ(a_calls + b_calls, 1);
}

TEST(EventLoop, FdReaddedWithSameNumberIgnoresStaleEvent) {
  auto loop = make_loop();
  EventFd a, b;
  int old_calls = 0, new_calls = 0, b_calls = 0;
  int a_num = a.fd.get();
  ASSERT_TRUE(loop->add_fd(b.fd.get(), EPOLLIN, [&](uint32_t) {
    ++b_calls;
    b.drain();
    // Replace a's registration by a new one (same fd number, only interested in nothing yet).
    loop->remove_fd(a_num);
    ASSERT_TRUE(loop->add_fd(a_num, 0, [&](uint32_t) { ++new_calls; }).ok());
  }).ok());
  ASSERT_TRUE(loop->add_fd(a_num, EPOLLIN, [&](uint32_t) { ++old_calls; }).ok());
  b.signal();  // epoll reports ready fds in the order they became ready: b first
  a.signal();
  loop->run_once(50ms);
  ASSERT_EQ(b_calls, 1);
  EXPECT_EQ(old_calls, 0);  // removed before its turn
  EXPECT_EQ(new_calls, 0);  // the old registration's event must not reach the new one
  loop->run_once(5ms);
  EXPECT_EQ(new_calls, 0);  // interest set is empty: never called
  loop->remove_fd(a_num);
}

TEST(EventLoop, TimerAndFdCallbacksMayAddEachOther) {
  auto loop = make_loop();
  EventFd e;
  bool fd_seen = false, timer_from_fd = false;
  loop->add_timer(1ms, [&] {
    ASSERT_TRUE(loop->add_fd(e.fd.get(), EPOLLIN, [&](uint32_t) {
      fd_seen = true;
      e.drain();
      loop->remove_fd(e.fd.get());
      loop->add_timer(1ms, [&] { timer_from_fd = true; });
    }).ok());
    e.signal();
  });
  ASSERT_TRUE(run_until(*loop, [&] { return timer_from_fd; }));
  EXPECT_TRUE(fd_seen);
}

// Busy polling picks up an event that comes while it polls, and never holds the loop past
// a due timer or past run_once's max_wait, however long its window.
TEST(EventLoop, BusyPollKeepsTimersAndMaxWait) {
  auto loop = make_loop();
  EventFd e;
  int reads = 0;
  ASSERT_TRUE(loop->add_fd(e.fd.get(), EPOLLIN, [&](uint32_t) {
    ++reads;
    e.drain();
  }).ok());
  loop->set_busy_poll(std::chrono::seconds(5));
  e.signal();
  ASSERT_TRUE(run_until(*loop, [&] { return reads == 1; }));  // a round with events: polling is on

  // An event from another thread during the polling is handled in that round.
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    e.signal();
  });
  auto start = std::chrono::steady_clock::now();
  loop->run_once(-1ms);
  t.join();
  EXPECT_EQ(reads, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

  // A timer due in 30 ms ends the polling then, not after the 5 s window (no max_wait here).
  bool fired = false;
  loop->add_timer(30ms, [&] { fired = true; });
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3 && !fired; ++i) loop->run_once(-1ms);
  EXPECT_TRUE(fired);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

  // max_wait bounds it too.
  e.signal();
  ASSERT_TRUE(run_until(*loop, [&] { return reads == 3; }));
  start = std::chrono::steady_clock::now();
  loop->run_once(20ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

  // Off again: an idle round sleeps until max_wait as before.
  loop->set_busy_poll(0us);
  e.signal();
  ASSERT_TRUE(run_until(*loop, [&] { return reads == 4; }));
  start = std::chrono::steady_clock::now();
  loop->run_once(30ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

}  // namespace
}  // namespace masqd::net
