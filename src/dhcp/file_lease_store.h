// LeaseStore backed by a dnsmasq-format lease file. Changes are held in memory until
// flush(). Two ways to make them durable:
//  - plain: flush() rewrites the whole file atomically (temp file, fdatasync, rename, fsync
//    of the directory), so a reader or a crash never sees a half-written file;
//  - journal (start_journal(), what the DHCP service uses): flush() appends the changes to
//    `<path>.journal` (lease_journal.h) and fdatasyncs that alone, then rewrites the lease
//    file in place without a sync, as dnsmasq does. After a crash, open() rebuilds the
//    leases from the journal; finish() syncs the lease file and empties the journal.
// Not thread-safe: one owner.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dhcp/atomic_file.h"
#include "dhcp/lease_file.h"
#include "dhcp/memory_lease_store.h"

namespace masqd::dhcp {

// Refuse to load lease files beyond this (about 300 000 leases): surely not ours.
inline constexpr size_t kMaxLeaseFileSize = 32u << 20;

class FileLeaseStore : public LeaseStore {
 public:
  // Loads `path`; a missing file is an empty store (created on the first flush). Damaged
  // lines are skipped and listed in load_problems() for the caller to log; a later line
  // for the same address replaces an earlier one. When `<path>.journal` holds leases (the
  // last run did not stop cleanly), they are loaded instead of the file's, and
  // journal_note() says so. Errors (code 3): unreadable file.
  static Result<std::unique_ptr<FileLeaseStore>> open(std::string path);

  const std::vector<LeaseFileProblem>& load_problems() const { return problems_; }
  const std::string& path() const { return path_; }

  std::optional<Lease> find(const IpAddr& address) const override { return leases_.find(address); }
  std::optional<Lease> find(const ClientKey& key) const override { return leases_.find(key); }
  void upsert(const Lease& lease) override;
  bool remove(const IpAddr& address) override;
  void for_each(const std::function<void(const Lease&)>& fn) const override {
    leases_.for_each(fn);
  }
  size_t size() const override { return leases_.size(); }
  // Writes the file when anything changed since the last successful flush: IPv4 leases in
  // for_each order, then the DUID and IPv6 lines as they were read.
  Result<void> flush() override;

  // Opens (creating) the lease file and keeps that descriptor, as dnsmasq does before it drops
  // privileges. flush() still replaces the file atomically while it can; once that fails
  // for lack of permission (the run user may not write the lease directory), it rewrites
  // the file in place through this descriptor (write, truncate, fdatasync): durable, but a
  // crash in the middle can leave a mixed file, whose bad lines the next load skips.
  // Errors (code 3): "cannot open or create lease file <path>: <reason>".
  Result<void> hold_descriptor();
  bool writes_in_place() const { return in_place_; }

  // Journal mode, after hold_descriptor(): writes the lease file durably and a new journal
  // holding it. Errors (code 3) are the lease file's; when the journal cannot be made, the
  // store stays in plain mode and journal_note() says why.
  Result<void> start_journal();
  bool journaling() const { return jfd_ >= 0; }
  // Clean stop in journal mode: flushes, syncs the lease file, then empties and removes
  // the journal, so the next start (or dnsmasq) reads the lease file alone.
  Result<void> finish();
  // What the journal did that the log should show (recovery at open(), a switch back to
  // plain mode), once; empty when nothing.
  std::string take_journal_note() { return std::exchange(journal_note_, {}); }
  ~FileLeaseStore() override;

  // The file's text as flush() would write it now.
  std::string render() const;

 private:
  explicit FileLeaseStore(std::string path)
      : path_(path), journal_path_(path + ".journal"), writer_(path), journal_writer_(path + ".journal") {}

  std::string path_, journal_path_;
  MemoryLeaseStore leases_;
  std::vector<std::string> kept_lines_;
  std::vector<LeaseFileProblem> problems_;
  bool dirty_ = false;
  // leases_ keeps each lease's line as last rendered as its memo, emptied when the lease
  // changes, so a flush formats only the changed leases.
  mutable size_t rendered_size_ = 0;
  AtomicFileWriter writer_;
  int fd_ = -1;            // held descriptor (hold_descriptor), -1 = none
  bool in_place_ = false;  // atomic replacement was refused: write through fd_
  Result<void> write_in_place(const std::string& text);
  void load(std::string_view text);            // a lease file's text into the store
  void apply_change(std::string_view payload);  // one journal change record
  Result<void> write_plain(const std::string& text);  // the plain-mode write
  Result<void> write_view(std::string text);          // journal mode: the changed bytes, no sync
  Result<void> checkpoint(const std::string& text);   // lease file durable, then a new journal
  void stop_journal();                                 // empties the journal, back to plain mode
  bool rewrite_journal_in_place(const std::string& journal);  // through jfd_, synced

  // Journal mode state: the journal's descriptor, where the next record goes, its size, and
  // the changes (address, removed?) since the last flush, in order.
  AtomicFileWriter journal_writer_;
  int jfd_ = -1;
  size_t jend_ = 0, jcap_ = 0;
  std::vector<std::pair<IpAddr, bool>> changes_;
  std::string journal_note_;
  std::optional<std::string> on_file_;  // the lease file's contents as last written, if known
};

}  // namespace masqd::dhcp
