// Whole-file reads and crash-safe replacement of a file, for the lease file. The reader of
// the file (dnsmasq tools, scripts) always sees either the old or the new contents.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace masqd::dhcp {

// Reads all of `path`. nullopt when it does not exist; an error (code 3) when it cannot be
// read or is larger than `max_size`.
Result<std::optional<std::string>> read_whole_file(const std::string& path, size_t max_size);

// Replaces `path` with `content`: a temporary file in the same directory, written, fsync'd,
// renamed over `path`, then the directory fsync'd so the rename itself survives a crash.
// The new file gets the old one's permission bits, or 0644 when there was none. On error
// (code 3) the temporary file is removed and `path` is unchanged.
Result<void> replace_file_atomically(const std::string& path, std::string_view content);

}  // namespace masqd::dhcp
