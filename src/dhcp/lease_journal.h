// The lease journal, `<lease file>.journal`: what makes a new lease durable before its ACK
// leaves, at the cost of one small write and one fdatasync. Bytes only here; the file I/O
// is FileLeaseStore's.
//
// Why: replacing the whole lease file durably (temp file, fdatasync, rename, fsync of the
// directory) allocates a new inode and frees the old one on every write, several device
// writes each. Appending to a file whose blocks already exist (it is zero-filled when made)
// changes no metadata, so fdatasync writes one data block and flushes.
//
// Layout:
//   kJournalMagic
//   record 0: the snapshot, the whole lease file's text when the journal was made
//   record 1..n: one per flush, the lease changes since the one before
//   zero bytes up to the file's capacity
// A record is a 4-byte little-endian payload length, an 8-byte little-endian check
// (SipHash-2-4 under a fixed key of the length and payload) and the payload. Reading stops
// at the first record that is incomplete or fails its check (a write cut off by a crash,
// or the zeros after the last record). Every payload starts with "@<seconds since the
// epoch>\n", when it was written. The snapshot's text follows; a change payload is lines:
//   +<lease line as in the lease file>     the lease now at that address
//   -<address>                             no lease at that address any more
// applied in order over the snapshot. (This file's functions only frame the payloads;
// FileLeaseStore writes and reads what is inside.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace masqd::dhcp {

inline constexpr std::string_view kJournalMagic = "masqd lease journal 1\n";
inline constexpr size_t kJournalRecordHeader = 12;

// One record (header and payload).
std::string journal_record(std::string_view payload);

// A new journal: the magic, `snapshot` as record 0, zeros up to `capacity` bytes (more when
// the snapshot needs it).
std::string new_journal(std::string_view snapshot, size_t capacity);

struct JournalContents {
  bool valid = false;  // the magic and the snapshot record are intact
  std::string snapshot;
  std::vector<std::string> changes;  // change payloads, in order
  size_t end = 0;                    // offset just after the last intact record
};

// Never fails as a whole: a damaged or foreign file is `valid == false`.
JournalContents parse_journal(std::string_view bytes);

}  // namespace masqd::dhcp
