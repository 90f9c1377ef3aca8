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

// Replaces `path` with `content`: a temporary file in the same directory, written, synced,
// renamed over `path`, then the directory fsync'd so the rename itself survives a crash.
// The new file gets the old one's permission bits, or 0644 when there was none. On error
// (code 3) the temporary file is removed and `path` is unchanged. One AtomicFileWriter call.
Result<void> replace_file_atomically(const std::string& path, std::string_view content);

// The same replacement for a file rewritten again and again (the lease file, once per batch
// of ACKs): the directory stays open between calls, the temporary file has a fixed name
// (`<path>.new`, opened without following a symlink and truncated), and the new file's
// descriptor can be kept instead of closed. Per call: openat, fchmod, write, fdatasync,
// renameat, fsync of the directory.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Replaces the file with `content` (errors: code 3, the file unchanged). With `keep`,
  // *keep receives the open (read-write) descriptor of the new file, which the caller owns.
  Result<void> replace(std::string_view content, int* keep = nullptr);

 private:
  std::string path_, dir_, name_, tmp_name_;
  int dir_fd_ = -1;
  int mode_ = -1;  // permission bits to give the new file; -1 = not read yet
};

}  // namespace masqd::dhcp
