#include "base/log.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace masqd::log {
namespace {

class UtcTz : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "UTC0", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_) setenv("TZ", saved_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  std::optional<std::string> saved_;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ProgramName, DnsmasqOnlyForExactBasename) {
  set_program_name("/usr/sbin/dnsmasq");
  EXPECT_EQ(program_name(), "dnsmasq");
  EXPECT_EQ(ident(Channel::Dhcp), "dnsmasq-dhcp");
  EXPECT_EQ(ident(Channel::Tftp), "dnsmasq-tftp");
  EXPECT_EQ(ident(Channel::Script), "dnsmasq-script");
  set_program_name("dnsmasq");
  EXPECT_EQ(program_name(), "dnsmasq");
  set_program_name("/tmp/dnsmasq2");
  EXPECT_EQ(program_name(), "masqd");
  set_program_name("/opt/dnsmasq/masqd");
  EXPECT_EQ(program_name(), "masqd");
  EXPECT_EQ(ident(Channel::Main), "masqd");
  EXPECT_EQ(ident(Channel::Dhcp), "masqd-dhcp");
}

TEST_F(UtcTz, TimestampLikeCtime) {
  EXPECT_EQ(format_timestamp(0), "Jan  1 00:00:00");
  EXPECT_EQ(format_timestamp(1795469444), "Nov 23 21:30:44");  // seen in a dnsmasq log
  EXPECT_EQ(format_timestamp(1700000000), "Nov 14 22:13:20");
}

TEST_F(UtcTz, SyslogDatagram) {
  // DAEMON (3<<3) | INFO (6) = 30, as dnsmasq sends "started" lines.
  EXPECT_EQ(format_syslog(kFacilityDaemon, Level::Info, 0, "dnsmasq", 5060, "started"),
            "<30>Jan  1 00:00:00 dnsmasq[5060]: started");
  // DAEMON | CRIT = 26, dnsmasq's start-up failures.
  EXPECT_EQ(format_syslog(kFacilityDaemon, Level::Crit, 0, "masqd", 1, "FAILED to start up"),
            "<26>Jan  1 00:00:00 masqd[1]: FAILED to start up");
  EXPECT_EQ(format_syslog(kFacilityLocal0, Level::Warning, 0, "masqd-dhcp", 7, "x"),
            "<132>Jan  1 00:00:00 masqd-dhcp[7]: x");
}

TEST_F(UtcTz, FileAndStderrLines) {
  EXPECT_EQ(format_line(true, 0, "dnsmasq", 16861, "time 1795469444"),
            "Jan  1 00:00:00 dnsmasq[16861]: time 1795469444\n");
  EXPECT_EQ(format_line(false, 0, "dnsmasq", 4668, "started"), "dnsmasq[4668]: started\n");
}

TEST(Facility, DefaultsAsDnsmasq) {
  EXPECT_EQ(default_facility(false), 3 << 3);   // LOG_DAEMON
  EXPECT_EQ(default_facility(true), 16 << 3);   // LOG_LOCAL0 with -d
}

TEST(LogQueue, OverflowIsCountedAndTakenOnce) {
  LogQueue q(5);
  for (int i = 0; i < 7; ++i) q.push("m" + std::to_string(i));
  EXPECT_EQ(q.size(), 5u);
  EXPECT_EQ(q.lost(), 2u);
  EXPECT_EQ(q.front(), "m0");  // the newest entries are the ones dropped
  EXPECT_EQ(q.take_lost(), 2u);
  EXPECT_EQ(q.take_lost(), 0u);
  q.pop();
  EXPECT_TRUE(q.push("again"));
  EXPECT_FALSE(q.push("full"));
  EXPECT_EQ(q.lost(), 1u);
}

class LoggerFiles : public UtcTz {
 protected:
  void SetUp() override {
    UtcTz::SetUp();
    char tmpl[] = "/tmp/masqd_log_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    set_program_name("masqd");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    UtcTz::TearDown();
  }
  std::filesystem::path dir_;
};

TEST_F(LoggerFiles, FileTargetWritesDnsmasqLinesAndReopens) {
  Logger lg;
  lg.set_fixed_pid(4242);
  lg.set_clock([] { return std::time_t{60}; });
  Settings s;
  s.target = Settings::Target::File;
  s.file_path = (dir_ / "m.log").string();
  ASSERT_TRUE(lg.start(s).ok());
  lg.write(Level::Info, Channel::Main, "started");
  lg.write(Level::Warning, Channel::Dhcp, "DHCPACK");
  lg.write(Level::Debug, Channel::Main, "hidden without --log-debug");
  EXPECT_EQ(slurp(dir_ / "m.log"),
            "Jan  1 00:01:00 masqd[4242]: started\nJan  1 00:01:00 masqd-dhcp[4242]: DHCPACK\n");
  struct stat st {};
  ASSERT_EQ(stat(s.file_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);

  std::filesystem::rename(dir_ / "m.log", dir_ / "m.log.1");
  lg.write(Level::Info, Channel::Main, "before reopen");
  ASSERT_TRUE(lg.reopen().ok());
  lg.write(Level::Info, Channel::Main, "after reopen");
  EXPECT_NE(slurp(dir_ / "m.log.1").find("before reopen"), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "m.log"), "Jan  1 00:01:00 masqd[4242]: after reopen\n");
}

TEST_F(LoggerFiles, FileOpenFailureIsFileSystemError) {
  Logger lg;
  Settings s;
  s.target = Settings::Target::File;
  s.file_path = (dir_ / "no" / "m.log").string();
  auto r = lg.start(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3);
  EXPECT_EQ(r.error().message, "cannot open log " + s.file_path + ": No such file or directory");
}

TEST_F(LoggerFiles, DebugLinesOnlyWithLogDebug) {
  Logger lg;
  Settings s;
  s.target = Settings::Target::File;
  s.file_path = (dir_ / "d.log").string();
  s.log_debug = true;
  ASSERT_TRUE(lg.start(s).ok());
  lg.write(Level::Debug, Channel::Main, "detail");
  EXPECT_NE(slurp(dir_ / "d.log").find("detail"), std::string::npos);
}

// A receiving syslog socket that is not read until asked: the sender sees EAGAIN once the
// kernel's datagram queue is full, which is what --log-async is for.
class FakeSyslog {
 public:
  explicit FakeSyslog(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_un sa {};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
    bound_ = bind(fd_, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa) == 0;
  }
  ~FakeSyslog() {
    close(fd_);
    unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  std::vector<std::string> drain() {
    std::vector<std::string> out;
    char buf[2048];
    for (int i = 0; i < 100000; ++i) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n < 0) break;
      out.emplace_back(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST_F(LoggerFiles, SyncSyslogSendsRfc3164Datagrams) {
  FakeSyslog sink((dir_ / "log.sock").string());
  ASSERT_TRUE(sink.bound());
  Logger lg;
  lg.set_fixed_pid(99);
  lg.set_clock([] { return std::time_t{0}; });
  Settings s;
  s.target = Settings::Target::Syslog;
  s.facility = kFacilityLocal0 + (3 << 3);  // local3
  s.syslog_path = (dir_ / "log.sock").string();
  ASSERT_TRUE(lg.start(s).ok());
  lg.write(Level::Info, Channel::Tftp, "sent /x to 127.0.0.1");
  auto got = sink.drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "<158>Jan  1 00:00:00 masqd-tftp[99]: sent /x to 127.0.0.1");
}

TEST_F(LoggerFiles, AsyncQueueOverflowIsReportedWhenDrained) {
  FakeSyslog sink((dir_ / "log.sock").string());
  ASSERT_TRUE(sink.bound());
  Logger lg;
  lg.set_fixed_pid(7);
  lg.set_clock([] { return std::time_t{0}; });
  int notified = 0;
  lg.set_pending_notifier([&] { ++notified; });
  Settings s;
  s.target = Settings::Target::Syslog;
  s.syslog_path = (dir_ / "log.sock").string();
  s.async_queue = 5;
  ASSERT_TRUE(lg.start(s).ok());
  constexpr int kTotal = 3000;  // far more than the kernel queues for an unread socket
  for (int i = 0; i < kTotal; ++i) lg.write(Level::Info, Channel::Main, "line " + std::to_string(i));
  EXPECT_TRUE(lg.has_pending());
  EXPECT_EQ(notified, 1);  // once, when entries first became pending
  auto first = sink.drain();
  const size_t delivered = first.size();
  ASSERT_GT(delivered, 0u);
  ASSERT_LT(delivered, static_cast<size_t>(kTotal) - 5);
  EXPECT_EQ(lg.lost_entries(), kTotal - delivered - 5);

  lg.flush_pending();  // the socket is writable again
  EXPECT_FALSE(lg.has_pending());
  auto second = sink.drain();
  ASSERT_EQ(second.size(), 6u);  // the 5 queued lines, then the overflow report
  EXPECT_EQ(second[0], "<30>Jan  1 00:00:00 masqd[7]: line " + std::to_string(delivered));
  EXPECT_EQ(second[4], "<30>Jan  1 00:00:00 masqd[7]: line " + std::to_string(delivered + 4));
  EXPECT_EQ(second[5], "<28>Jan  1 00:00:00 masqd[7]: overflow: " + std::to_string(kTotal - delivered - 5) +
                           " log entries lost");
  EXPECT_EQ(lg.lost_entries(), 0u);
}

TEST_F(LoggerFiles, MissingSyslogSocketDropsQuietly) {
  Logger lg;
  Settings s;
  s.target = Settings::Target::Syslog;
  s.syslog_path = (dir_ / "absent.sock").string();
  s.async_queue = 3;
  ASSERT_TRUE(lg.start(s).ok());
  for (int i = 0; i < 10; ++i) lg.write(Level::Info, Channel::Main, "nobody listens");
  EXPECT_FALSE(lg.has_pending());
  EXPECT_EQ(lg.lost_entries(), 0u);
}

}  // namespace
}  // namespace masqd::log
