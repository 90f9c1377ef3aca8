#include "daemon/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/core.h>

namespace masqd::daemon {

namespace {

constexpr const char* kDefaultUser = "nobody";
constexpr const char* kDefaultGroup = "dip";

Error unknown(const std::string& name) { return make_error("unknown user or group: " + name, 1); }

// Sets exactly `caps` as permitted and effective (inheritable cleared).
Result<void> set_caps(std::span<const cap_value_t> caps) {
  cap_t c = cap_init();
  if (!c) return make_error("cannot allocate capabilities", 4);
  bool ok_set = true;
  if (!caps.empty()) {
    std::vector<cap_value_t> v(caps.begin(), caps.end());
    int n = static_cast<int>(v.size());
    ok_set = cap_set_flag(c, CAP_PERMITTED, n, v.data(), CAP_SET) == 0 &&
             cap_set_flag(c, CAP_EFFECTIVE, n, v.data(), CAP_SET) == 0;
  }
  int rc = ok_set ? cap_set_proc(c) : -1;
  int e = errno;
  cap_free(c);
  if (rc != 0) return make_error(fmt::format("failed to set capabilities: {}", std::strerror(e)), 5);
  return ok();
}

}  // namespace

Result<RunAs> resolve_run_as(const std::optional<std::string>& user,
                             const std::optional<std::string>& group) {
  RunAs r;
  std::string uname = user.value_or(kDefaultUser);
  if (!uname.empty()) {
    const struct passwd* pw = ::getpwnam(uname.c_str());
    if (!pw) return unknown(uname);
    r.has_user = true;
    r.user_name = uname;
    r.uid = pw->pw_uid;
    r.user_gid = pw->pw_gid;
    r.gid = pw->pw_gid;
  }
  if (group && !group->empty()) {
    const struct group* gr = ::getgrnam(group->c_str());
    if (!gr) return unknown(*group);
    r.gid = gr->gr_gid;
  } else if (!group) {
    if (const struct group* gr = ::getgrnam(kDefaultGroup)) r.gid = gr->gr_gid;
  }
  return r;
}

bool should_switch_user(const RunAs& run_as) {
  return run_as.has_user && run_as.uid != 0 && ::getuid() == 0;
}

Result<void> drop_privileges(const RunAs& run_as, std::span<const cap_value_t> keep) {
  if (::setgroups(0, nullptr) != 0 || ::setgid(run_as.gid) != 0)
    return make_error(fmt::format("failed to change group-id to {}: {}", run_as.gid, std::strerror(errno)), 5);
  // Keep CAP_SETUID for the setuid call itself, and ask the kernel to keep the permitted set
  // across it; then narrow to exactly `keep`.
  std::vector<cap_value_t> with_setuid(keep.begin(), keep.end());
  with_setuid.push_back(CAP_SETUID);
  if (auto r = set_caps(with_setuid); !r) return r;
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return make_error(fmt::format("failed to keep capabilities: {}", std::strerror(errno)), 5);
  if (::setuid(run_as.uid) != 0)
    return make_error(fmt::format("failed to change user-id to {}: {}", run_as.user_name, std::strerror(errno)), 5);
  return set_caps(keep);
}

}  // namespace masqd::daemon
