// Unit tests of path resolution (pure) and confined opening (a temporary root with files,
// a directory, symlinks in and out of it).
#include "tftp/file_access.h"
#include "tftp/tftp_path.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace masqd::tftp {
namespace {

TEST(TftpPath, RelativeNameUnderTheRoot) {
  auto r = resolve_path("pxelinux.0", "/srv/tftp", "", false);
  EXPECT_EQ(r.display, "/srv/tftp/pxelinux.0");
  EXPECT_EQ(r.relative, "pxelinux.0");
  EXPECT_TRUE(r.has_root);
  EXPECT_FALSE(r.traversal);
  EXPECT_EQ(resolve_path("a", "/srv/tftp/", "", false).display, "/srv/tftp/a");
  EXPECT_EQ(resolve_path("a", "srv", "", false).display, "/srv/a");
}

TEST(TftpPath, AbsoluteNames) {
  // Beginning with the root: used as it is.
  auto r = resolve_path("/srv/tftp/a.txt", "/srv/tftp", "", false);
  EXPECT_EQ(r.display, "/srv/tftp/a.txt");
  EXPECT_EQ(r.relative, "a.txt");
  // Any other absolute name is taken relative to the root.
  r = resolve_path("/etc/passwd", "/srv/tftp", "", false);
  EXPECT_EQ(r.display, "/srv/tftp/etc/passwd");
  EXPECT_EQ(r.relative, "etc/passwd");
  r = resolve_path("//etc/passwd", "/srv/tftp", "", false);
  EXPECT_EQ(r.relative, "etc/passwd");
  // A root that is a prefix of a sibling directory is not "beginning with the root".
  r = resolve_path("/srv/tftpx/a", "/srv/tftp", "", false);
  EXPECT_EQ(r.display, "/srv/tftp/srv/tftpx/a");
  EXPECT_EQ(resolve_path("/srv/tftp/", "/srv/tftp", "", false).relative, ".");
}

TEST(TftpPath, NoRootServesFromSlash) {
  auto r = resolve_path("etc/x", "", "", false);
  EXPECT_FALSE(r.has_root);
  EXPECT_EQ(r.display, "/etc/x");
  EXPECT_EQ(resolve_path("/etc/x", "", "", false).display, "/etc/x");
}

TEST(TftpPath, BackslashesLowercaseAndTraversal) {
  auto r = resolve_path("A\\..\\..\\Outside", "/srv", "", true);
  EXPECT_EQ(r.display, "/srv/a/../../outside");
  EXPECT_TRUE(r.traversal);
  EXPECT_TRUE(resolve_path("..", "/srv", "", false).traversal);
  EXPECT_TRUE(resolve_path("sub/..", "/srv", "", false).traversal);
  EXPECT_TRUE(resolve_path("/srv/../etc/passwd", "/srv", "", false).traversal);
  EXPECT_FALSE(resolve_path("..a/b..", "/srv", "", false).traversal);
  EXPECT_FALSE(resolve_path("A.TXT", "/srv", "", false).display.ends_with("a.txt"));
}

TEST(TftpPath, UniqueDirectory) {
  auto r = resolve_path("f", "/srv", "192.0.2.2", false);
  EXPECT_EQ(r.display, "/srv/192.0.2.2/f");
  EXPECT_EQ(r.relative, "192.0.2.2/f");
  EXPECT_EQ(resolve_path("/srv/192.0.2.2/g", "/srv", "192.0.2.2", false).relative, "192.0.2.2/g");
}

class TftpOpen : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/masqd-tftp-test-XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    base = tmpl;
    root = base + "/root";
    std::filesystem::create_directories(root + "/sub");
    std::ofstream(root + "/a.txt") << "hello\n";
    std::ofstream(base + "/outside") << "secret\n";
    std::filesystem::create_symlink(base + "/outside", root + "/abs-escape");
    std::filesystem::create_symlink("../outside", root + "/rel-escape");
    std::filesystem::create_symlink("a.txt", root + "/inlink");
    std::filesystem::create_symlink("..", root + "/up");
    ::chmod(root.c_str(), 0755);
    ::chmod((root + "/sub").c_str(), 0755);
    ::chmod((root + "/a.txt").c_str(), 0644);
    ::chmod((base + "/outside").c_str(), 0644);
    ::chmod(base.c_str(), 0755);
  }
  void TearDown() override { std::filesystem::remove_all(base); }

  OpenedFile open(const std::string& name) {
    return open_for_transfer(resolve_path(name, root, "", false), AccessRules{root, false, ::geteuid()}, "192.0.2.2");
  }

  std::string base, root;
};

TEST_F(TftpOpen, ServesAFileAndALinkInsideTheRoot) {
  auto f = open("a.txt");
  ASSERT_TRUE(f.ok) << f.message;
  EXPECT_EQ(f.size, 6u);
  EXPECT_TRUE(open("inlink").ok);
  EXPECT_TRUE(open(root + "/a.txt").ok);
  EXPECT_TRUE(open("/a.txt").ok);
}

TEST_F(TftpOpen, RefusesEscapes) {
  for (const char* name : {"abs-escape", "rel-escape", "up/outside", "../outside", "sub/../../outside"}) {
    auto f = open(name);
    EXPECT_FALSE(f.ok) << name;
    EXPECT_EQ(f.error_code, kErrAccess) << name;
    EXPECT_EQ(f.message, "cannot access " + root + "/" + name + ": Permission denied");
  }
  // An absolute name outside the root is looked up inside it.
  auto f = open(base + "/outside");
  EXPECT_EQ(f.error_code, kErrNotFound);
  EXPECT_EQ(f.message, "file " + root + base + "/outside not found for 192.0.2.2");
  EXPECT_TRUE(f.not_found);
}

TEST_F(TftpOpen, MissingAndDirectory) {
  auto f = open("missing");
  EXPECT_EQ(f.error_code, kErrNotFound);
  EXPECT_EQ(f.message, "file " + root + "/missing not found for 192.0.2.2");
  f = open("sub");
  EXPECT_EQ(f.error_code, kErrNotDefined);
  EXPECT_EQ(f.message, "cannot read " + root + "/sub: Is a directory");
  f = open("a.txt/x");
  EXPECT_EQ(f.error_code, kErrNotDefined);
}

TEST_F(TftpOpen, RootOnlyServesWorldReadable) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ::chmod((root + "/a.txt").c_str(), 0640);
  auto f = open("a.txt");
  EXPECT_EQ(f.error_code, kErrAccess);
}

TEST_F(TftpOpen, SecureModeServesOnlyOwnFiles) {
  auto rel = resolve_path("a.txt", root, "", false);
  auto f = open_for_transfer(rel, AccessRules{root, true, 4242}, "192.0.2.2");
  EXPECT_EQ(f.error_code, kErrAccess);
  f = open_for_transfer(rel, AccessRules{root, true, ::geteuid()}, "192.0.2.2");
  EXPECT_TRUE(f.ok);
}

TEST_F(TftpOpen, UniqueDirLookup) {
  std::filesystem::create_directories(root + "/192.0.2.2");
  EXPECT_TRUE(unique_dir_exists(root, "192.0.2.2"));
  EXPECT_FALSE(unique_dir_exists(root, "192.0.2.3"));
  EXPECT_FALSE(unique_dir_exists(root, "a.txt"));
}

}  // namespace
}  // namespace masqd::tftp
