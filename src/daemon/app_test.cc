#include "daemon/app.h"

#include <vector>

#include <gtest/gtest.h>

#include "config/loader.h"

namespace masqd::daemon {
namespace {

config::Config load(std::vector<std::string> args) {
  args.insert(args.begin(), "masqd");
  args.insert(args.begin() + 1, "-C");
  args.insert(args.begin() + 2, "/dev/null");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto r = config::load(std::span<char* const>(argv.data(), argv.size()));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->config : config::Config{};
}

TEST(LogSettings, FacilityDefaultsAndNames) {
  EXPECT_EQ(log_settings(load({}).process, nullptr).facility, 3 << 3);       // daemon
  EXPECT_EQ(log_settings(load({"-d"}).process, nullptr).facility, 16 << 3);  // local0 with -d
  EXPECT_EQ(log_settings(load({"--log-facility=local3"}).process, nullptr).facility, 19 << 3);
  EXPECT_EQ(log_settings(load({"-d", "-8", "user"}).process, nullptr).facility, 1 << 3);
  EXPECT_EQ(log_settings(load({}).process, nullptr).target, log::Settings::Target::Syslog);
}

TEST(LogSettings, FileStderrAsyncAndEcho) {
  auto f = log_settings(load({"--log-facility=/tmp/x.log", "--log-async"}).process, nullptr);
  EXPECT_EQ(f.target, log::Settings::Target::File);
  EXPECT_EQ(f.file_path, "/tmp/x.log");
  EXPECT_EQ(f.async_queue, 5u);
  EXPECT_FALSE(f.echo_stderr);
  auto a = log_settings(load({"--log-async=100"}).process, nullptr);
  EXPECT_EQ(a.async_queue, 100u);
  auto d = log_settings(load({"-d", "-8", "-"}).process, nullptr);
  EXPECT_EQ(d.target, log::Settings::Target::Stderr);
  EXPECT_TRUE(d.echo_stderr);
  EXPECT_TRUE(d.timestamp_on_stderr);
  // dnsmasq -k -8 - (and -d -k) writes "dnsmasq[pid]: msg" without the time.
  EXPECT_FALSE(log_settings(load({"-k", "-8", "-"}).process, nullptr).timestamp_on_stderr);
  EXPECT_FALSE(log_settings(load({"-d", "-k", "-8", "-"}).process, nullptr).timestamp_on_stderr);
}

TEST(StartedLine, CacheAndDnsVariants) {
  EXPECT_EQ(started_line(load({})), "started, version 0.1.0 cachesize 150");
  EXPECT_EQ(started_line(load({"--cache-size=0"})), "started, version 0.1.0 cache disabled");
  EXPECT_EQ(started_line(load({"-c", "20"})), "started, version 0.1.0 cachesize 20");
  EXPECT_EQ(started_line(load({"--port=0"})), "started, version 0.1.0 DNS disabled");
}

}  // namespace
}  // namespace masqd::daemon
