#include "daemon/startup_pipe.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace masqd::daemon {
namespace {

TEST(StartupReport, RoundTrips) {
  auto ready = decode_report(encode_report(StartupReport{true, {}, false}));
  ASSERT_TRUE(ready);
  EXPECT_TRUE(ready->ready);

  StartupReport f{false, make_error("failed to open pidfile /x: No such file or directory", 3), true};
  auto back = decode_report(encode_report(f));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->ready);
  EXPECT_EQ(back->error.code, 3);
  EXPECT_EQ(back->error.message, f.error.message);
  EXPECT_TRUE(back->logged);
}

TEST(StartupReport, TruncatedOrEmptyIsNoReport) {
  EXPECT_FALSE(decode_report(""));
  EXPECT_FALSE(decode_report("F"));
  std::string s = encode_report(StartupReport{false, make_error("x", 2), false});
  EXPECT_FALSE(decode_report(std::string_view(s).substr(0, s.size() - 1)));  // no terminator
  EXPECT_FALSE(decode_report("X123"));
}

TEST(StartupPipe, ChildFailureReachesParent) {
  auto p = StartupPipe::create();
  ASSERT_TRUE(p.ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    p->become_writer();
    p->send(StartupReport{false, make_error("unknown user or group: x", 1), false});
    _exit(0);
  }
  auto r = p->wait_for_report();
  int st = 0;
  waitpid(child, &st, 0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ready);
  EXPECT_EQ(r->error.code, 1);
  EXPECT_EQ(r->error.message, "unknown user or group: x");
}

TEST(StartupPipe, ChildDyingSilentlyIsNoReport) {
  auto p = StartupPipe::create();
  ASSERT_TRUE(p.ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  auto r = p->wait_for_report();
  int st = 0;
  waitpid(child, &st, 0);
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace masqd::daemon
