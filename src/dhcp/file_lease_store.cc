#include "dhcp/file_lease_store.h"

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
  leases_.for_each([&](const Lease& l) { out += format_lease_line(l); });
  for (const std::string& line : kept_lines_) {
    out += line;
    out += '\n';
  }
  return out;
}

Result<void> FileLeaseStore::flush() {
  if (!dirty_) return ok();
  if (auto r = replace_file_atomically(path_, render()); !r) return r;
  dirty_ = false;
  return ok();
}

}  // namespace masqd::dhcp
