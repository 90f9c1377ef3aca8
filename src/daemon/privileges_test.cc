#include "daemon/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace masqd::daemon {
namespace {

TEST(ResolveRunAs, DefaultsAreNobodyAndDipOrPrimaryGroup) {
  const struct passwd* pw = getpwnam("nobody");
  if (!pw) GTEST_SKIP() << "no user nobody here";
  uid_t uid = pw->pw_uid;
  gid_t primary = pw->pw_gid;
  const struct group* dip = getgrnam("dip");
  gid_t expected_gid = dip ? dip->gr_gid : primary;
  auto r = resolve_run_as(std::nullopt, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_user);
  EXPECT_EQ(r->user_name, "nobody");
  EXPECT_EQ(r->uid, uid);
  EXPECT_EQ(r->user_gid, primary);
  EXPECT_EQ(r->gid, expected_gid);
}

TEST(ResolveRunAs, ExplicitGroupAndEmptyUser) {
  auto r = resolve_run_as(std::string("root"), std::string("root"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, 0u);
  EXPECT_EQ(r->gid, 0u);
  EXPECT_FALSE(should_switch_user(*r));  // switching to root is no switch
  auto none = resolve_run_as(std::string(""), std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_user);
  EXPECT_FALSE(should_switch_user(*none));
}

TEST(ResolveRunAs, UnknownNamesAreConfigErrors) {
  auto u = resolve_run_as(std::string("nosuchuser-masqd"), std::nullopt);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message, "unknown user or group: nosuchuser-masqd");
  EXPECT_EQ(u.error().code, 1);
  auto g = resolve_run_as(std::string("root"), std::string("nosuchgroup-masqd"));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, "unknown user or group: nosuchgroup-masqd");
}

// In a child process: drop to nobody keeping CAP_NET_BIND_SERVICE only, then report
// through the exit status what the kernel says we are.
TEST(DropPrivileges, SwitchesUserGroupsAndCaps) {
  if (getuid() != 0) GTEST_SKIP() << "needs root";
  auto r = resolve_run_as(std::nullopt, std::nullopt);
  if (!r.ok()) GTEST_SKIP() << "no user nobody here";
  RunAs ra = *r;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const cap_value_t keep[] = {CAP_NET_BIND_SERVICE};
    if (!drop_privileges(ra, keep).ok()) _exit(10);
    if (getuid() != ra.uid || geteuid() != ra.uid) _exit(11);
    if (getgid() != ra.gid) _exit(12);
    if (getgroups(0, nullptr) != 0) _exit(13);
    cap_t c = cap_get_proc();
    cap_flag_value_t v = CAP_CLEAR;
    cap_get_flag(c, CAP_NET_BIND_SERVICE, CAP_EFFECTIVE, &v);
    if (v != CAP_SET) _exit(14);
    cap_get_flag(c, CAP_SETUID, CAP_PERMITTED, &v);
    if (v != CAP_CLEAR) _exit(15);
    cap_get_flag(c, CAP_NET_ADMIN, CAP_PERMITTED, &v);
    if (v != CAP_CLEAR) _exit(16);
    cap_free(c);
    if (setuid(0) == 0) _exit(17);  // no way back
    _exit(0);
  }
  int st = 0;
  ASSERT_EQ(waitpid(child, &st, 0), child);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

}  // namespace
}  // namespace masqd::daemon
