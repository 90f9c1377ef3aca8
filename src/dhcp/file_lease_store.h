// LeaseStore backed by a dnsmasq-format lease file. Changes are held in memory; flush()
// rewrites the whole file atomically (temp file, fsync, rename, fsync of the directory),
// so a reader or a crash never sees a half-written file. Not thread-safe: one owner.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dhcp/lease_file.h"
#include "dhcp/memory_lease_store.h"

namespace masqd::dhcp {

// Refuse to load lease files beyond this (about 300 000 leases): surely not ours.
inline constexpr size_t kMaxLeaseFileSize = 32u << 20;

class FileLeaseStore : public LeaseStore {
 public:
  // Loads `path`; a missing file is an empty store (created on the first flush). Damaged
  // lines are skipped and listed in load_problems() for the caller to log; a later line
  // for the same address replaces an earlier one. Errors (code 3): unreadable file.
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

  // The file's text as flush() would write it now.
  std::string render() const;

 private:
  explicit FileLeaseStore(std::string path) : path_(std::move(path)) {}

  std::string path_;
  MemoryLeaseStore leases_;
  std::vector<std::string> kept_lines_;
  std::vector<LeaseFileProblem> problems_;
  bool dirty_ = false;
};

}  // namespace masqd::dhcp
