// The LeaseStore conformance suite: every backend runs these same typed tests.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "dhcp/file_lease_store.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/test_temp_dir.h"

namespace masqd::dhcp {
namespace {

// A backend for the suite: make() gives an empty store; reopen() gives the store as it
// would be found again after flush() (for memory: the same object).
struct MemoryBackend {
  std::unique_ptr<LeaseStore> make() { return std::make_unique<MemoryLeaseStore>(); }
  std::unique_ptr<LeaseStore> reopen(std::unique_ptr<LeaseStore> s) { return s; }
};

// The file store; with `Journal`, in journal mode, where reopen() is a crash: the store
// goes without finish() and the next one reads the journal.
template <bool Journal>
struct FileBackendOf {
  testing::TempDir dir;
  std::unique_ptr<LeaseStore> make() { return open(); }
  std::unique_ptr<LeaseStore> reopen(std::unique_ptr<LeaseStore> s) {
    s.reset();
    return open();
  }
  std::unique_ptr<LeaseStore> open() {
    auto s = FileLeaseStore::open(dir.file("leases"));
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    if (!s) return nullptr;
    if (Journal) {
      EXPECT_TRUE((*s)->hold_descriptor());
      EXPECT_TRUE((*s)->start_journal());
      EXPECT_TRUE((*s)->journaling());
    }
    return std::move(s).value();
  }
};
using FileBackend = FileBackendOf<false>;
using JournalBackend = FileBackendOf<true>;

Lease lease(uint8_t host, std::vector<uint8_t> client_id = {}, std::string name = "") {
  Lease l;
  l.address = IpAddr::v4({192, 0, 2, host});
  l.hwaddr = {2, 0, 0, 0, 0, host};
  l.client_id = std::move(client_id);
  l.hostname = std::move(name);
  l.expires = ExpiryTime(std::chrono::seconds(1795482892 + host));
  return l;
}

IpAddr addr(uint8_t host) {
  return IpAddr::v4({192, 0, 2, host});
}

std::vector<Lease> all(const LeaseStore& s) {
  std::vector<Lease> out;
  s.for_each([&](const Lease& l) { out.push_back(l); });
  return out;
}

template <typename Backend>
class LeaseStoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.make();
    ASSERT_NE(store_, nullptr);
  }
  LeaseStore& store() { return *store_; }
  // Flushes and comes back as a restarted daemon would.
  void restart() {
    ASSERT_TRUE(store_->flush());
    store_ = backend_.reopen(std::move(store_));
    ASSERT_NE(store_, nullptr);
  }

  Backend backend_;
  std::unique_ptr<LeaseStore> store_;
};

using Backends = ::testing::Types<MemoryBackend, FileBackend, JournalBackend>;
struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryBackend> ? "Memory" : std::is_same_v<T, FileBackend> ? "File" : "Journal";
  }
};
TYPED_TEST_SUITE(LeaseStoreConformance, Backends, BackendNames);

TYPED_TEST(LeaseStoreConformance, StartsEmpty) {
  EXPECT_EQ(this->store().size(), 0u);
  EXPECT_FALSE(this->store().find(addr(1)));
  EXPECT_FALSE(this->store().find(ClientKey::hwaddr(1, {2, 0, 0, 0, 0, 1})));
  EXPECT_TRUE(all(this->store()).empty());
  EXPECT_TRUE(this->store().flush());
}

TYPED_TEST(LeaseStoreConformance, FindsByAddressAndByClientKey) {
  this->store().upsert(lease(10));
  this->store().upsert(lease(11, {1, 2, 0, 0, 0, 0, 11}, "alpha"));
  EXPECT_EQ(this->store().size(), 2u);
  EXPECT_EQ(this->store().find(addr(10)), lease(10));
  EXPECT_EQ(this->store().find(ClientKey::hwaddr(1, {2, 0, 0, 0, 0, 10})), lease(10));
  // A client that sent an id is known by it, not by its MAC.
  EXPECT_EQ(this->store().find(ClientKey::client_id({1, 2, 0, 0, 0, 0, 11}))->hostname, "alpha");
  EXPECT_FALSE(this->store().find(ClientKey::hwaddr(1, {2, 0, 0, 0, 0, 11})));
  // The hardware type is part of the key.
  EXPECT_FALSE(this->store().find(ClientKey::hwaddr(6, {2, 0, 0, 0, 0, 10})));
}

TYPED_TEST(LeaseStoreConformance, UpsertReplacesAndReindexes) {
  this->store().upsert(lease(10));
  Lease changed = lease(10, {9, 9}, "renamed");
  this->store().upsert(changed);
  EXPECT_EQ(this->store().size(), 1u);
  EXPECT_EQ(this->store().find(addr(10)), changed);
  EXPECT_EQ(this->store().find(ClientKey::client_id({9, 9})), changed);
  EXPECT_FALSE(this->store().find(ClientKey::hwaddr(1, {2, 0, 0, 0, 0, 10})));
}

TYPED_TEST(LeaseStoreConformance, RemoveForgetsEverywhere) {
  this->store().upsert(lease(10, {7}));
  EXPECT_TRUE(this->store().remove(addr(10)));
  EXPECT_FALSE(this->store().remove(addr(10)));
  EXPECT_FALSE(this->store().remove(addr(99)));
  EXPECT_EQ(this->store().size(), 0u);
  EXPECT_FALSE(this->store().find(addr(10)));
  EXPECT_FALSE(this->store().find(ClientKey::client_id({7})));
}

TYPED_TEST(LeaseStoreConformance, NewestFirstAndReplacementKeepsPlace) {
  this->store().upsert(lease(10));
  this->store().upsert(lease(11));
  this->store().upsert(lease(12));
  this->store().upsert(lease(11, {}, "again"));
  auto v = all(this->store());
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].address, addr(12));
  EXPECT_EQ(v[1].hostname, "again");
  EXPECT_EQ(v[2].address, addr(10));
}

TYPED_TEST(LeaseStoreConformance, SharedKeyFindsNewest) {
  this->store().upsert(lease(10, {5}));
  this->store().upsert(lease(20, {5}));
  EXPECT_EQ(this->store().find(ClientKey::client_id({5}))->address, addr(20));
  this->store().remove(addr(20));
  EXPECT_EQ(this->store().find(ClientKey::client_id({5}))->address, addr(10));
}

TYPED_TEST(LeaseStoreConformance, FlushedLeasesSurviveRestartInOrder) {
  Lease odd = lease(30, {0xff, 0, 1}, "Delta");
  odd.htype = 6;
  odd.expires = kNeverExpires;
  Lease empty_hw = lease(31);
  empty_hw.hwaddr.clear();
  this->store().upsert(lease(10, {1, 2, 0, 0, 0, 0, 10}, "alpha"));
  this->store().upsert(odd);
  this->store().upsert(empty_hw);
  auto before = all(this->store());
  this->restart();
  EXPECT_EQ(all(this->store()), before);
  EXPECT_EQ(this->store().find(ClientKey::client_id({0xff, 0, 1})), odd);
  // Changes after a restart flush again.
  EXPECT_TRUE(this->store().remove(addr(10)));
  this->restart();
  EXPECT_EQ(this->store().size(), 2u);
  EXPECT_FALSE(this->store().find(addr(10)));
}

// The memo FileLeaseStore keeps each lease's line in: it follows the lease's order, and
// any change to the lease empties it, so a changed lease is never written with its old line.
TEST(MemoryLeaseStoreMemo, FollowsOrderAndEmptiesOnChange) {
  MemoryLeaseStore store;
  store.upsert(lease(10));
  store.upsert(lease(11));
  store.append(lease(12));
  std::vector<std::string> seen;
  store.for_each_memo([&](const Lease& l, std::string& memo) {
    EXPECT_TRUE(memo.empty());
    memo = l.address.to_string();
    seen.push_back(memo);
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"192.0.2.11", "192.0.2.10", "192.0.2.12"}));
  ASSERT_NE(store.memo(addr(10)), nullptr);
  EXPECT_EQ(*store.memo(addr(10)), "192.0.2.10");

  store.upsert(lease(10, {}, "renamed"));  // a change in place: same position, memo emptied
  store.append(lease(12, {}, "again"));
  EXPECT_EQ(*store.memo(addr(10)), "");
  EXPECT_EQ(*store.memo(addr(12)), "");
  EXPECT_EQ(*store.memo(addr(11)), "192.0.2.11");
  EXPECT_TRUE(store.remove(addr(11)));
  EXPECT_EQ(store.memo(addr(11)), nullptr);
  store.upsert(lease(11));  // back as a new lease: no memo from before
  EXPECT_EQ(*store.memo(addr(11)), "");
}

}  // namespace
}  // namespace masqd::dhcp
