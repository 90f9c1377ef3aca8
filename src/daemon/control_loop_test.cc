#include "daemon/control_loop.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/log.h"
#include "daemon/pid_file.h"

namespace masqd::daemon {
namespace {

using std::chrono::milliseconds;

class ControlLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/masqd_ctl_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_path_ = (dir_ / "c.log").string();
    log::Settings s;
    s.target = log::Settings::Target::File;
    s.file_path = log_path_;
    ASSERT_TRUE(log::logger().start(s).ok());
    auto l = net::EventLoop::create();
    ASSERT_TRUE(l.ok());
    loop_ = std::move(*l);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string log_text() {
    std::ifstream f(log_path_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  std::filesystem::path dir_;
  std::string log_path_;
  std::unique_ptr<net::EventLoop> loop_;
};

TEST_F(ControlLoopTest, TermRunsShutdownRemovesPidFileAndLogs) {
  auto pid_path = (dir_ / "c.pid").string();
  ASSERT_TRUE(write_pid_file(pid_path, getpid(), std::nullopt).ok());
  LifecycleHooks hooks;
  int shut = 0;
  hooks.on_shutdown([&] { ++shut; });
  ControlLoop c(*loop_, ControlOptions{false, pid_path}, hooks);
  c.handle_signal(SIGTERM);
  EXPECT_EQ(shut, 1);
  EXPECT_TRUE(loop_->stopped());
  EXPECT_EQ(c.exit_code(), 0);
  EXPECT_FALSE(std::filesystem::exists(pid_path));
  EXPECT_NE(log_text().find("exiting on receipt of SIGTERM\n"), std::string::npos);
}

TEST_F(ControlLoopTest, IntOnlyEndsDebugRuns) {
  LifecycleHooks hooks;
  ControlLoop daemon(*loop_, ControlOptions{false, ""}, hooks);
  daemon.handle_signal(SIGINT);
  EXPECT_FALSE(loop_->stopped());
  ControlLoop debug(*loop_, ControlOptions{true, ""}, hooks);
  debug.handle_signal(SIGINT);
  EXPECT_TRUE(loop_->stopped());
  EXPECT_EQ(debug.exit_code(), 5);
  EXPECT_EQ(log_text().find("exiting"), std::string::npos);
}

TEST_F(ControlLoopTest, Usr1LogsTimeThenRunsStatsHooks) {
  LifecycleHooks hooks;
  int stats = 0;
  hooks.on_stats([&] { ++stats; });
  ControlLoop with(*loop_, ControlOptions{false, ""}, hooks);
  with.handle_signal(SIGUSR1);
  EXPECT_EQ(stats, 1);
  EXPECT_NE(log_text().find("]: time "), std::string::npos);
}

TEST_F(ControlLoopTest, RealSignalsReachHooksThroughTheLoop) {
  LifecycleHooks hooks;
  int reloads = 0;
  hooks.on_reload([&] { ++reloads; });
  ControlLoop c(*loop_, ControlOptions{false, ""}, hooks);
  ASSERT_TRUE(c.install().ok());
  raise(SIGHUP);
  for (int i = 0; i < 50 && reloads == 0; ++i) loop_->run_once(milliseconds(20));
  EXPECT_EQ(reloads, 1);

  std::filesystem::rename(log_path_, log_path_ + ".1");
  raise(SIGUSR2);
  for (int i = 0; i < 50 && !std::filesystem::exists(log_path_); ++i) loop_->run_once(milliseconds(20));
  log::info("after rotation");
  EXPECT_NE(log_text().find("after rotation"), std::string::npos);
}

}  // namespace
}  // namespace masqd::daemon
