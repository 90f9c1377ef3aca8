#include "dhcp/file_lease_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dhcp/atomic_file.h"

namespace masqd::dhcp {

Result<std::unique_ptr<FileLeaseStore>> FileLeaseStore::open(std::string path) {
  auto text = read_whole_file(path, kMaxLeaseFileSize);
  if (!text) return text.error();
  std::unique_ptr<FileLeaseStore> store(new FileLeaseStore(std::move(path)));
  if (*text) {
    LeaseFileContents c = parse_lease_file(**text);
    for (const Lease& l : c.leases) store->leases_.append(l);
    store->kept_lines_ = std::move(c.kept_lines);
    store->problems_ = std::move(c.problems);
  }
  return store;
}

void FileLeaseStore::upsert(const Lease& lease) {
  leases_.upsert(lease);
  dirty_ = true;
}

bool FileLeaseStore::remove(const IpAddr& address) {
  if (!leases_.remove(address)) return false;
  dirty_ = true;
  return true;
}

std::string FileLeaseStore::render() const {
  std::string out;
  size_t live = 0;
  leases_.for_each([&](const Lease& l) {
    ++live;
    auto [it, added] = lines_.try_emplace(l.address);
    if (added || !(it->second.first == l)) it->second = {l, format_lease_line(l)};
    out += it->second.second;
  });
  // Forget the lines of leases that are gone once they outnumber the live ones.
  if (lines_.size() > 2 * live + 64) {
    std::map<IpAddr, std::pair<Lease, std::string>> kept;
    leases_.for_each([&](const Lease& l) {
      if (auto it = lines_.find(l.address); it != lines_.end()) kept.insert(lines_.extract(it));
    });
    lines_ = std::move(kept);
  }
  for (const std::string& line : kept_lines_) {
    out += line;
    out += '\n';
  }
  return out;
}

FileLeaseStore::~FileLeaseStore() {
  if (fd_ >= 0) ::close(fd_);
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
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("failed to write " + path_ + ": " + std::strerror(errno), 3);
    done += static_cast<size_t>(n);
  }
  if (::ftruncate(fd_, static_cast<off_t>(text.size())) != 0 || ::fdatasync(fd_) != 0)
    return make_error("failed to write " + path_ + ": " + std::strerror(errno), 3);
  return ok();
}

Result<void> FileLeaseStore::flush() {
  if (!dirty_) return ok();
  const std::string text = render();
  if (!in_place_) {
    // With a held descriptor, the new file's descriptor replaces it (it must follow the
    // file the name points at, for writing in place later).
    int kept = -1;
    auto r = writer_.replace(text, fd_ >= 0 ? &kept : nullptr);
    if (r) {
      dirty_ = false;
      if (kept >= 0) {
        ::close(fd_);
        fd_ = kept;
      }
      return ok();
    }
    if (fd_ < 0) return r;
    in_place_ = true;  // no permission for the temp file or the rename: from now on in place
  }
  if (auto r = write_in_place(text); !r) return r;
  dirty_ = false;
  return ok();
}

}  // namespace masqd::dhcp
