#include "dhcp/file_lease_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string_view>

#include "dhcp/atomic_file.h"
#include "dhcp/lease_journal.h"

namespace masqd::dhcp {

namespace {

// A new journal's size: room for many flushes between two whole-file writes, at least
// 1 MiB, else twice the lease file. Never more than kMaxJournalSize, which open() reads.
constexpr size_t kJournalCapacity = 1u << 20;
constexpr size_t kMaxJournalSize = 3 * kMaxLeaseFileSize;

// Each journal record starts with "@<seconds since the epoch>\n", the time it was written.
std::string time_line() {
  return "@" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count()) + "\n";
}

// The time on a record's first line (nullopt without one), and the record without that line.
std::optional<int64_t> record_time(std::string_view& payload) {
  if (!payload.starts_with('@')) return std::nullopt;
  const size_t nl = payload.find('\n');
  const std::string_view digits = payload.substr(1, nl == std::string_view::npos ? std::string_view::npos : nl - 1);
  payload.remove_prefix(nl == std::string_view::npos ? payload.size() : nl + 1);
  int64_t t = 0;
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    t = t * 10 + (c - '0');
  }
  return t;
}

// masqd writes the lease file right after each journal record, so a lease file modified
// well after the journal's last record was written by something else after the crash
// (dnsmasq run in between, an edit): then it, not the journal, holds the leases. (The
// file's mtime on disk may be older than its last write, never newer.)
constexpr int64_t kJournalSlackSeconds = 2;

// How many leading bytes a and b share, and how many trailing: memcmp over blocks, then
// bytes, since the lease file runs to kilobytes and is compared on every flush.
constexpr size_t kCompareBlock = 64;

size_t common_prefix(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  size_t same = 0;
  while (same + kCompareBlock <= n && std::memcmp(a.data() + same, b.data() + same, kCompareBlock) == 0)
    same += kCompareBlock;
  while (same < n && a[same] == b[same]) ++same;
  return same;
}

size_t common_suffix(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  const char* ea = a.data() + a.size();
  const char* eb = b.data() + b.size();
  size_t same = 0;
  while (same + kCompareBlock <= n &&
         std::memcmp(ea - same - kCompareBlock, eb - same - kCompareBlock, kCompareBlock) == 0)
    same += kCompareBlock;
  while (same < n && ea[-1 - static_cast<std::ptrdiff_t>(same)] == eb[-1 - static_cast<std::ptrdiff_t>(same)]) ++same;
  return same;
}

// Writes all of [data, data + size) at `offset`; false with errno set when it cannot.
bool pwrite_all(int fd, const char* data, size_t size, size_t offset) {
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool lease_file_is_newer(const std::string& file, int64_t last_record) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 && static_cast<int64_t>(st.st_mtim.tv_sec) > last_record + kJournalSlackSeconds;
}

}  // namespace

Result<std::unique_ptr<FileLeaseStore>> FileLeaseStore::open(std::string path) {
  std::unique_ptr<FileLeaseStore> store(new FileLeaseStore(std::move(path)));
  auto journal = read_whole_file(store->journal_path_, kMaxJournalSize);
  if (!journal) return journal.error();
  if (*journal && !(*journal)->empty()) {
    JournalContents j = parse_journal(**journal);
    std::string_view snapshot = j.snapshot;
    int64_t last = record_time(snapshot).value_or(0);
    for (const std::string& change : j.changes) {
      std::string_view c = change;
      last = std::max(last, record_time(c).value_or(0));
    }
    if (j.valid && lease_file_is_newer(store->path_, last)) {
      store->journal_note_ = "ignored " + store->journal_path_ +
                             ": the lease file was written after it (by dnsmasq, or by hand)";
    } else if (j.valid) {
      store->load(snapshot);
      for (const std::string& change : j.changes) store->apply_change(change);
      store->dirty_ = true;
      store->journal_note_ = "leases read from " + store->journal_path_ + " (the last run did not stop cleanly): " +
                             std::to_string(j.changes.size()) + " changes after the last full write";
      return store;
    } else {
      store->journal_note_ = "ignored " + store->journal_path_ + ": not a lease journal, or damaged";
    }
  }
  auto text = read_whole_file(store->path_, kMaxLeaseFileSize);
  if (!text) return text.error();
  if (*text) store->load(**text);
  return store;
}

void FileLeaseStore::load(std::string_view text) {
  LeaseFileContents c = parse_lease_file(text);
  for (const Lease& l : c.leases) leases_.append(l);
  kept_lines_ = std::move(c.kept_lines);
  problems_ = std::move(c.problems);
}

void FileLeaseStore::apply_change(std::string_view payload) {
  (void)record_time(payload);
  size_t n = 0;
  while (!payload.empty()) {
    const size_t nl = payload.find('\n');
    const std::string_view line = payload.substr(0, nl);
    payload.remove_prefix(nl == std::string_view::npos ? payload.size() : nl + 1);
    ++n;
    if (line.starts_with('+')) {
      auto l = parse_lease_line(line.substr(1));
      if (l) leases_.upsert(*l);
      else problems_.push_back({n, "journal: " + l.error().message});
    } else if (auto a = line.starts_with('-') ? IpAddr::parse(line.substr(1)) : std::nullopt) {
      leases_.remove(*a);
    } else {
      problems_.push_back({n, "journal: not a lease change"});
    }
  }
}

void FileLeaseStore::upsert(const Lease& lease) {
  leases_.upsert(lease);
  dirty_ = true;
  if (jfd_ >= 0) changes_.emplace_back(lease.address, false);
}

bool FileLeaseStore::remove(const IpAddr& address) {
  if (!leases_.remove(address)) return false;
  dirty_ = true;
  if (jfd_ >= 0) changes_.emplace_back(address, true);
  return true;
}

std::string FileLeaseStore::render() const {
  std::string out;
  out.reserve(rendered_size_ + 256);
  leases_.for_each_memo([&](const Lease& l, std::string& line) {  // the memo: the lease's line
    if (line.empty()) line = format_lease_line(l);
    out += line;
  });
  for (const std::string& line : kept_lines_) {
    out += line;
    out += '\n';
  }
  rendered_size_ = out.size();
  return out;
}

FileLeaseStore::~FileLeaseStore() {
  if (fd_ >= 0) ::close(fd_);
  if (jfd_ >= 0) ::close(jfd_);  // left as it is: without finish(), the next open() replays it
}

Result<void> FileLeaseStore::hold_descriptor() {
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return make_error("cannot open or create lease file " + path_ + ": " + std::strerror(errno), 3);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return ok();
}

Result<void> FileLeaseStore::write_in_place(const std::string& text) {
  if (!pwrite_all(fd_, text.data(), text.size(), 0) || ::ftruncate(fd_, static_cast<off_t>(text.size())) != 0 ||
      ::fdatasync(fd_) != 0)
    return make_error("failed to write " + path_ + ": " + std::strerror(errno), 3);
  return ok();
}

Result<void> FileLeaseStore::write_plain(const std::string& text) {
  if (!in_place_) {
    // With a held descriptor, the new file's descriptor replaces it (it must follow the
    // file the name points at, for writing in place later).
    int kept = -1;
    auto r = writer_.replace(text, fd_ >= 0 ? &kept : nullptr);
    if (r) {
      if (kept >= 0) {
        ::close(fd_);
        fd_ = kept;
      }
      on_file_ = text;
      return ok();
    }
    if (fd_ < 0) return r;
    in_place_ = true;  // no permission for the temp file or the rename: from now on in place
  }
  on_file_.reset();
  if (auto r = write_in_place(text); !r) return r;
  on_file_ = text;
  return ok();
}

Result<void> FileLeaseStore::write_view(std::string text) {
  // Only the bytes that differ from what is on file: a renewal changes one line's expiry
  // and nothing moves, so most flushes write a few bytes, not the whole file.
  size_t first = 0, last = text.size();  // the bytes to write: [first, last)
  const bool resize = !on_file_ || on_file_->size() != text.size();
  if (on_file_) {
    const std::string_view now(text), before(*on_file_);
    first = common_prefix(now, before);
    if (!resize) last -= common_suffix(now.substr(first), before.substr(first));
  }
  on_file_.reset();  // unknown until the write is done
  if (!pwrite_all(fd_, text.data() + first, last - first, first) ||
      (resize && ::ftruncate(fd_, static_cast<off_t>(text.size())) != 0))
    return make_error("failed to write " + path_ + ": " + std::strerror(errno), 3);
  on_file_ = std::move(text);
  return ok();
}

Result<void> FileLeaseStore::flush() {
  if (!dirty_) return ok();
  std::string text = render();
  if (jfd_ < 0) {
    auto r = write_plain(text);
    if (r) dirty_ = false;
    return r;
  }
  // The changes in order, each upsert with the lease as it is now (render() has just made
  // the line of every live lease). An upsert of an address that has no lease now is left out: a removal
  // follows it. Repeats in a row are written once.
  std::string payload = time_line();
  for (size_t i = 0; i < changes_.size(); ++i) {
    const auto& [address, removed] = changes_[i];
    if (i + 1 < changes_.size() && changes_[i + 1] == changes_[i]) continue;
    if (removed) {
      payload += '-';
      payload += address.to_string();
      payload += '\n';
    } else if (const std::string* line = leases_.memo(address)) {  // only live leases have lines
      payload += '+';
      payload += *line;
    }
  }
  const std::string record = journal_record(payload);
  if (jend_ + record.size() > jcap_) {  // full: the whole file, and a new journal from it
    auto r = checkpoint(text);
    if (r) dirty_ = false;
    return r;
  }
  if (!pwrite_all(jfd_, record.data(), record.size(), jend_) || ::fdatasync(jfd_) != 0) {
    const std::string why = std::strerror(errno);
    // The whole file durably instead; only then is the journal given up.
    auto r = write_plain(text);
    if (!r) return r;
    stop_journal();
    journal_note_ = "cannot write " + journal_path_ + ": " + why + "; the lease file is synced on every write instead";
    dirty_ = false;
    return ok();
  }
  jend_ += record.size();
  changes_.clear();
  // The lease file for its readers; the journal already holds these changes.
  if (auto r = write_view(std::move(text)); !r) return r;
  dirty_ = false;
  return ok();
}

Result<void> FileLeaseStore::checkpoint(const std::string& text) {
  if (auto r = write_plain(text); !r) return r;
  const size_t capacity = std::max(kJournalCapacity, 2 * text.size());
  if (capacity > kMaxJournalSize) {  // a lease file this large could not be read back either
    stop_journal();
    journal_note_ = "the lease file is too large for " + journal_path_ + "; the lease file is synced on every write instead";
    return ok();
  }
  const std::string snapshot = time_line() + text;
  const std::string journal = new_journal(snapshot, capacity);
  int fd = -1;
  if (auto r = journal_writer_.replace(journal, &fd); !r) {
    // No new file (after the privilege drop the directory is root's): start the journal
    // we hold again, in place. Safe at every step: the lease file now holds everything and
    // is synced, and a journal that is empty or cut short reads as no journal.
    if (jfd_ < 0 || !rewrite_journal_in_place(journal)) {
      stop_journal();
      journal_note_ = r.error().message + "; the lease file is synced on every write instead";
      return ok();
    }
    fd = jfd_;
  }
  if (jfd_ >= 0 && jfd_ != fd) ::close(jfd_);
  jfd_ = fd;
  jcap_ = journal.size();
  jend_ = kJournalMagic.size() + kJournalRecordHeader + snapshot.size();
  changes_.clear();
  return ok();
}

bool FileLeaseStore::rewrite_journal_in_place(const std::string& journal) {
  return ::ftruncate(jfd_, 0) == 0 && ::fdatasync(jfd_) == 0 && pwrite_all(jfd_, journal.data(), journal.size(), 0) &&
         ::fdatasync(jfd_) == 0;
}

void FileLeaseStore::stop_journal() {
  if (jfd_ < 0) return;
  // An empty journal is no journal: the next open() reads the lease file.
  (void)!::ftruncate(jfd_, 0);
  (void)::fdatasync(jfd_);
  ::close(jfd_);
  jfd_ = -1;
  changes_.clear();
}

Result<void> FileLeaseStore::start_journal() {
  if (fd_ < 0) return make_error("the lease journal needs the lease file held open", 3);
  auto r = checkpoint(render());
  if (r) dirty_ = false;
  return r;
}

Result<void> FileLeaseStore::finish() {
  auto r = flush();
  if (!r || jfd_ < 0) return r;
  if (::fdatasync(fd_) != 0) return make_error("failed to write " + path_ + ": " + std::strerror(errno), 3);
  stop_journal();
  (void)::unlink(journal_path_.c_str());  // may be refused after dropping privileges: empty is enough
  return ok();
}

}  // namespace masqd::dhcp
