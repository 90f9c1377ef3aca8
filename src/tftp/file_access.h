// Opens the file a request names, confined to its root: openat2(RESOLVE_BENEATH) from a
// descriptor of the root, so neither "..", an absolute symlink nor a symlink that climbs out
// of the root can reach a file outside it, whatever the string checks missed. Then dnsmasq's
// permission rules: as root only world-readable files, with --tftp-secure only files owned by
// the user the server runs as; directories and other non-regular files are refused. Each
// refusal comes back with dnsmasq's TFTP error code and message.
#pragma once

#include <cstdint>
#include <string>

#include "net/fd.h"
#include "tftp/tftp_packet.h"
#include "tftp/tftp_path.h"

namespace masqd::tftp {

struct OpenedFile {
  bool ok = false;
  net::UniqueFd fd;
  uint64_t size = 0;
  uint16_t error_code = 0;  // when !ok
  std::string message;      // when !ok: the ERROR packet's text and the log line
  bool not_found = false;   // the "file not found" refusal (--quiet-tftp leaves it out)
};

struct AccessRules {
  std::string root;          // "" = no root: paths from /
  bool secure = false;       // --tftp-secure
  uid_t uid = 0;             // the user the server runs as (geteuid())
};

// `client` is the client's address as text (dnsmasq names it in "not found").
OpenedFile open_for_transfer(const ResolvedPath& path, const AccessRules& rules,
                             const std::string& client);

// --tftp-unique-root=ip: true when <root>/<dir> is a directory (looked up beneath the root).
bool unique_dir_exists(const std::string& root, const std::string& dir);

}  // namespace masqd::tftp
