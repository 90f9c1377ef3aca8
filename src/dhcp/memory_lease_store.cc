#include "dhcp/memory_lease_store.h"

#include <limits>

namespace masqd::dhcp {

std::optional<Lease> MemoryLeaseStore::find(const IpAddr& address) const {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return std::nullopt;
  return by_order_.at(it->second).lease;
}

std::optional<Lease> MemoryLeaseStore::find(const ClientKey& key) const {
  auto it = by_key_.lower_bound({key, std::numeric_limits<int64_t>::min()});
  if (it == by_key_.end() || it->first != key) return std::nullopt;
  return by_order_.at(it->second).lease;
}

const std::string* MemoryLeaseStore::memo(const IpAddr& address) const {
  auto it = by_address_.find(address);
  return it == by_address_.end() ? nullptr : &by_order_.at(it->second).memo;
}

void MemoryLeaseStore::upsert(const Lease& lease) {
  put(lease, true);
}

void MemoryLeaseStore::append(const Lease& lease) {
  put(lease, false);
}

void MemoryLeaseStore::put(const Lease& lease, bool at_front) {
  auto it = by_address_.find(lease.address);
  if (it != by_address_.end()) {  // replace in place: the order stays
    Entry& old = by_order_.at(it->second);
    by_key_.erase({ClientKey::of(old.lease), it->second});
    by_key_.insert({ClientKey::of(lease), it->second});
    old.lease = lease;
    old.memo.clear();
    return;
  }
  const int64_t order = at_front ? next_front_-- : next_back_++;
  by_order_.emplace(order, Entry{lease, {}});
  by_address_.emplace(lease.address, order);
  by_key_.insert({ClientKey::of(lease), order});
}

bool MemoryLeaseStore::remove(const IpAddr& address) {
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return false;
  auto lease = by_order_.find(it->second);
  by_key_.erase({ClientKey::of(lease->second.lease), it->second});
  by_order_.erase(lease);
  by_address_.erase(it);
  return true;
}

void MemoryLeaseStore::for_each(const std::function<void(const Lease&)>& fn) const {
  for (const auto& [order, e] : by_order_) fn(e.lease);
}

}  // namespace masqd::dhcp
