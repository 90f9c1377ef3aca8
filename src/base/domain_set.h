// DomainSet: an immutable, compact map from domain names to small values, with dnsmasq's
// --address/--local matching (a name matches an entry equal to it or to one of its parents,
// at a label boundary; the longest entry wins). Built for blocklists of millions of names.
// Not for "*dom" wildcards or "//" (unqualified) entries: those stay with their owners.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/prefault_allocator.h"

namespace masqd {

// Layout: no names are kept. Each entry is one 16-byte slot of an open-addressing table
// (linear probing, load <= 0.8): a 96-bit fingerprint of the lower-case name (two 64-bit hash
// lanes with independent random seeds, 64 + 32 bits kept) and the value. A lookup compares
// fingerprints only; two different names that share one would be taken as the same name, a
// chance of about n / 2^96 per probe (1e-23 for a million names; the seeds are drawn at
// random per build, so no one can search for such a pair offline). See
// docs/adr/0004-blocklist-fingerprints.md. That makes a million names about 20 MB, whatever
// their length, and building the set one hash and one probe per name.
// The hash runs over a name's labels from the right (each label a word at a time), so one
// pass over a query yields the fingerprint of every parent suffix: a lookup costs that pass
// plus one probe per label count present in the set, whatever the number of entries (the
// probes are prefetched together). In front of the table sits a filter of 8 bits per entry
// (two bits set per entry, in one 64-bit word): 1 MB for a million names, small enough to
// stay in the CPU's cache, where the 20 MB table is not. A suffix the filter rules out
// (about 95% of the suffixes not in the set) costs no table probe, no cache or TLB miss. Thread-safety: a built DomainSet is immutable; share it as
// std::shared_ptr<const DomainSet> and swap the pointer on reload.
class DomainSet {
 public:
  using Value = uint32_t;

  struct Match {
    Value value = 0;
    uint8_t labels = 0;  // labels in the matching entry (0: the root entry, "#")
  };

  // One table entry: a name's fingerprint and its value.
  struct Slot {
    uint64_t a = 0;  // hash lane A (0: empty; a real 0 is stored as 1); its top bits place it
    uint32_t b = 0;  // 32 bits of hash lane B
    Value value = 0;
  };

  // How two values given for the same name are combined while building.
  using MergeFn = std::function<Value(Value existing, Value incoming)>;

  class Builder {
   public:
    // seed 0: draw a random one.
    explicit Builder(uint64_t seed = 0);
    // Starts from a copy of a built set's entries (and its seeds), to add more to them.
    explicit Builder(const DomainSet& base);
    // Optional: room for `names` entries (the table is then never re-hashed while adding).
    void reserve(size_t names);
    // Duplicates are combined with `merge` (default: the first value stays).
    void set_merge(MergeFn merge) { merge_ = std::move(merge); }
    // Adds "www.example.com" (ASCII case ignored, one trailing dot allowed, no escapes:
    // every '.' separates labels). "" and "." are the root entry, which matches every name.
    // false: not a valid name (empty label, label over 63 bytes, over 253 bytes).
    // The entry is in place (and any merge done) when add returns.
    bool add(std::string_view text, Value value);
    // The same, for adding very many names: the entry is placed (and merged) up to
    // kPipeline adds later, by then or by build(), so that the table's cache misses overlap.
    bool add_batched(std::string_view text, Value value);
    // Same, from a name in wire form (labels, with or without the root label).
    bool add_wire(std::span<const uint8_t> wire, Value value);
    // Finishes the set (the builder is left empty).
    DomainSet build();

   private:
    // A hashed name waiting for its slot: adding hashes a name and prefetches its slot, and
    // places the name kPipeline adds later, so the table's cache misses overlap.
    struct Pending {
      uint64_t a;
      uint32_t b;
      Value value;
      size_t labels;
    };
    static constexpr size_t kPipeline = 16;

    bool insert(const uint8_t* wire, size_t size, Value value, bool batched);
    void place(const Pending& p);
    void flush();
    void grow(size_t capacity);

    uint64_t seed_a_, seed_b_;
    uint64_t label_counts_[2] = {0, 0};  // bit n: some entry has n labels
    MergeFn merge_;
    std::vector<Slot, PrefaultAllocator<Slot>> slots_;
    Pending pending_[kPipeline];
    size_t pending_count_ = 0, pending_head_ = 0;
    size_t count_ = 0;
    bool has_root_ = false;
    Value root_value_ = 0;
  };

  DomainSet() = default;

  // Names come as wire labels ending with the root label (proto::dns::Name::wire(), always
  // well formed), or as text. A malformed wire name is read safely and matches no entry but
  // the root one.
  // The longest entry equal to `name` or a parent of it; case-insensitive.
  std::optional<Match> longest_match(std::span<const uint8_t> wire) const;
  // Text form ("www.example.com", trailing dot optional, no escapes); nullopt also for an
  // invalid name.
  std::optional<Match> longest_match(std::string_view text) const;
  // Every matching entry, longest first, written to `out` (128 entries always suffice);
  // returns how many were written.
  size_t matches(std::span<const uint8_t> wire, std::span<Match> out) const;
  // The entry for exactly this name.
  std::optional<Value> find_exact(std::span<const uint8_t> wire) const;
  std::optional<Value> find_exact(std::string_view text) const;

  size_t size() const { return count_ + (has_root_ ? 1 : 0); }
  bool empty() const { return size() == 0; }
  // Heap bytes held (the table and its filter).
  size_t bytes_used() const {
    return slots_.capacity() * sizeof(Slot) + filter_.capacity() * sizeof(uint64_t);
  }

 private:
  // The slot of the entry with this fingerprint, or nullptr.
  const Slot* probe(uint64_t a, uint32_t b) const;
  // false: no entry has this fingerprint (the filter's bits are not both set).
  bool may_contain(uint64_t a, uint32_t b) const;
  void build_filter();
  size_t collect(const uint8_t* wire, size_t size, std::span<Match> out, bool first_only) const;
  std::optional<Value> exact(const uint8_t* wire, size_t size) const;

  uint64_t seed_a_ = 0, seed_b_ = 0;
  std::vector<Slot, PrefaultAllocator<Slot>> slots_;
  std::vector<uint64_t, PrefaultAllocator<uint64_t>> filter_;  // empty when the set is
  size_t count_ = 0;
  bool has_root_ = false;
  Value root_value_ = 0;
  uint64_t label_counts_[2] = {0, 0};  // bit n: some entry has n labels (probes skip the rest)
};

// Text ("a.b.c", one trailing dot allowed, no escapes) to lower-case wire labels without
// the root label, written to `out` (at least 254 bytes). Returns the size, or nullopt for an
// invalid name. "" and "." give 0.
std::optional<size_t> text_to_wire_labels(std::string_view text, std::span<uint8_t> out);

}  // namespace masqd
