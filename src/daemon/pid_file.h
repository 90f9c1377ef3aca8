// The pid file as dnsmasq writes it: unlink, then create exclusively (0644), "<pid>\n",
// owned by the run user when started as root. Not for locking or reading pid files.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

#include "base/result.h"

namespace masqd::daemon {

// Writes `pid` to `path`. `owner`: chown the file to (uid, gid), errors ignored.
// Error (code 3): "failed to open pidfile <path>: <strerror>" or "failed to write pidfile ...".
Result<void> write_pid_file(const std::string& path, pid_t pid,
                            std::optional<std::pair<uid_t, gid_t>> owner);

// Removes the pid file if permissions allow (at SIGTERM); errors are ignored, as dnsmasq.
void remove_pid_file(const std::string& path);

}  // namespace masqd::daemon
