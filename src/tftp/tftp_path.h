// Turns a requested file name into the path to open, as dnsmasq 2.90 does, pure: '\' becomes
// '/', optional lower-casing, the root (and the client's unique directory) put in front, an
// absolute name that begins with the root used as is and any other absolute name taken
// relative to the root. The result keeps dnsmasq's full path for log lines and error
// messages, and the part below the root that the opener resolves under the root's descriptor.
#pragma once

#include <string>
#include <string_view>

namespace masqd::tftp {

struct ResolvedPath {
  std::string display;   // dnsmasq's full path: log lines and error messages
  std::string relative;  // with a root: the path below it ("." for the root itself), no leading '/'
  bool has_root = false; // false: `display` is opened as it is (no root configured)
  bool traversal = false;  // a ".." component below the root: refused
};

// `root`: the --tftp-root that applies ("" = none). `unique_dir`: the client's directory
// under the root (--tftp-unique-root) when it exists, else "".
ResolvedPath resolve_path(std::string_view filename, std::string_view root,
                          std::string_view unique_dir, bool lowercase);

// The root directory as dnsmasq writes it before a file name: a leading '/' when missing,
// a trailing '/' added.
std::string root_prefix(std::string_view root);

}  // namespace masqd::tftp
