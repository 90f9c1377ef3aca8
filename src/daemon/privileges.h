// Whom the daemon runs as (--user/--group, dnsmasq's defaults) and the switch to that user
// keeping only the capabilities a feature asks for. Not for deciding which caps are needed.
#pragma once

#include <sys/capability.h>
#include <sys/types.h>

#include <optional>
#include <span>
#include <string>

#include "base/result.h"

namespace masqd::daemon {

struct RunAs {
  bool has_user = false;  // false: --user= (empty) or nothing to change to
  std::string user_name;
  uid_t uid = 0;
  gid_t user_gid = 0;  // the user's primary group (pid file group owner)
  gid_t gid = 0;       // group to switch to: --group, else "dip" if it exists, else user_gid
};

// Looks up the run user and group as dnsmasq does at start-up (also with -d, never for --test).
// `user`/`group` nullopt: the defaults ("nobody"; "dip" or the user's primary group).
// Empty user: no change. Error (code 1): "unknown user or group: <name>".
Result<RunAs> resolve_run_as(const std::optional<std::string>& user,
                             const std::optional<std::string>& group);

// True when start-up should switch to run_as: started as root, a user was named, and it is
// not root itself.
bool should_switch_user(const RunAs& run_as);

// Drops supplementary groups, switches gid and uid, and keeps only `keep` as permitted and
// effective capabilities (PR_SET_KEEPCAPS across setuid). Call only when
// should_switch_user(). Error code 5 with dnsmasq-like text on failure.
Result<void> drop_privileges(const RunAs& run_as, std::span<const cap_value_t> keep);

}  // namespace masqd::daemon
