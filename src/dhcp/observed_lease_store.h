// ObservedLeaseStore: a LeaseStore that forwards to another and records each change
// (before/after), for the --dhcp-script events of a request. Not thread-safe, as any store.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "dhcp/lease_store.h"

namespace masqd::dhcp {

class ObservedLeaseStore : public LeaseStore {
 public:
  struct Change {
    std::optional<Lease> before;  // none: a new lease
    std::optional<Lease> after;   // none: removed
  };
  explicit ObservedLeaseStore(LeaseStore& inner) : inner_(inner) {}

  std::optional<Lease> find(const IpAddr& a) const override { return inner_.find(a); }
  std::optional<Lease> find(const ClientKey& k) const override { return inner_.find(k); }
  void upsert(const Lease& l) override {
    changes_.push_back({inner_.find(l.address), l});
    inner_.upsert(l);
  }
  bool remove(const IpAddr& a) override {
    auto before = inner_.find(a);
    if (!inner_.remove(a)) return false;
    changes_.push_back({std::move(before), std::nullopt});
    return true;
  }
  void for_each(const std::function<void(const Lease&)>& fn) const override { inner_.for_each(fn); }
  size_t size() const override { return inner_.size(); }
  Result<void> flush() override { return inner_.flush(); }

  // The changes since the last call, oldest first.
  std::vector<Change> take() { return std::exchange(changes_, {}); }

 private:
  LeaseStore& inner_;
  std::vector<Change> changes_;
};

}  // namespace masqd::dhcp
