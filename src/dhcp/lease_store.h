// The lease store interface the DHCP engine talks to. Small on purpose: every backend
// passes the one conformance suite in lease_store_test.cc. Not thread-safe: one owner,
// the control loop.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "base/result.h"
#include "dhcp/lease.h"

namespace masqd::dhcp {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  virtual std::optional<Lease> find(const IpAddr& address) const = 0;
  // When several leases share a key (one client, several networks) the one stored
  // first is returned.
  virtual std::optional<Lease> find(const ClientKey& key) const = 0;
  // Inserts, or replaces the lease with the same address (keeping its place in the order).
  virtual void upsert(const Lease& lease) = 0;
  // False when no lease had that address.
  virtual bool remove(const IpAddr& address) = 0;
  // Every lease, newest first (a new lease goes before all others), as dnsmasq orders its
  // lease file. `fn` must not change the store.
  virtual void for_each(const std::function<void(const Lease&)>& fn) const = 0;
  virtual size_t size() const = 0;
  // Makes every change so far durable. A lease may be promised to a client only after
  // this succeeded. Errors carry dnsmasq's file-system exit code (3).
  virtual Result<void> flush() = 0;
};

}  // namespace masqd::dhcp
