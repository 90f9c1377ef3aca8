// LeaseStore kept in memory only: the reference backend, the engine's store in tests, and
// the index FileLeaseStore keeps its leases in. flush() has nothing to do.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "dhcp/lease_store.h"

namespace masqd::dhcp {

class MemoryLeaseStore : public LeaseStore {
 public:
  std::optional<Lease> find(const IpAddr& address) const override;
  std::optional<Lease> find(const ClientKey& key) const override;
  void upsert(const Lease& lease) override;
  bool remove(const IpAddr& address) override;
  void for_each(const std::function<void(const Lease&)>& fn) const override;
  size_t size() const override { return by_order_.size(); }
  Result<void> flush() override { return ok(); }

  // Adds or replaces like upsert, but a new lease goes after all others: for loading a
  // lease file so that its order is kept.
  void append(const Lease& lease);

  // A string the owner keeps with each lease (FileLeaseStore keeps the lease's file line),
  // emptied whenever upsert() or append() changes the lease. for_each_memo() calls
  // fn(lease, memo) in for_each order; memo() is the one of `address`, nullptr if no lease.
  template <class F>
  void for_each_memo(F&& fn) const {
    for (const auto& [order, e] : by_order_) fn(e.lease, e.memo);
  }
  const std::string* memo(const IpAddr& address) const;

 private:
  struct Entry {
    Lease lease;
    mutable std::string memo;
  };

  void put(const Lease& lease, bool at_front);

  // Position in for_each order: new leases take ever smaller numbers, appended ones
  // ever larger, so nothing is renumbered.
  int64_t next_front_ = -1;
  int64_t next_back_ = 0;
  std::map<int64_t, Entry> by_order_;
  std::map<IpAddr, int64_t> by_address_;
  std::set<std::pair<ClientKey, int64_t>> by_key_;
};

}  // namespace masqd::dhcp
