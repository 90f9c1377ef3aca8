#include "daemon/pid_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace masqd::daemon {
namespace {

class PidFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/masqd_pid_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string read(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  std::filesystem::path dir_;
};

TEST_F(PidFile, WritesPidLineWithMode0644) {
  auto path = (dir_ / "d.pid").string();
  ASSERT_TRUE(write_pid_file(path, 12345, std::nullopt).ok());
  EXPECT_EQ(read(path), "12345\n");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  remove_pid_file(path);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(PidFile, ReplacesStaleFileAndNeverFollowsSymlink) {
  auto target = dir_ / "victim";
  { std::ofstream(target) << "keep"; }
  auto path = (dir_ / "d.pid").string();
  std::filesystem::create_symlink(target, path);
  ASSERT_TRUE(write_pid_file(path, 7, std::nullopt).ok());
  EXPECT_EQ(read(path), "7\n");
  EXPECT_EQ(read(target), "keep");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
}

TEST_F(PidFile, MissingDirectoryIsFileSystemError) {
  auto path = (dir_ / "no" / "d.pid").string();
  auto r = write_pid_file(path, 1, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3);
  EXPECT_EQ(r.error().message, "failed to open pidfile " + path + ": No such file or directory");
}

TEST_F(PidFile, ChownedToRunUserWhenRoot) {
  if (getuid() != 0) GTEST_SKIP() << "needs root";
  auto path = (dir_ / "d.pid").string();
  ASSERT_TRUE(write_pid_file(path, 1, std::make_pair(uid_t{65534}, gid_t{65534})).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
  EXPECT_EQ(st.st_gid, 65534u);
}

}  // namespace
}  // namespace masqd::daemon
