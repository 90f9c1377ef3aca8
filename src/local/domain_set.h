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

#include "proto/dns_wire.h"

namespace masqd::local {

// Layout: every key is stored once in one byte arena as [value u32][size u8][wire labels,
// lower case, no root label]; an open-addressing table of 64-bit slots (32-bit arena offset +
// 32-bit hash tag, load <= 0.75, linear probing) points into it. No allocation per name.
// The hash runs over a name's labels from the right (each label a word at a time), so one
// pass over a query yields the hash of every parent suffix: a lookup costs that pass plus
// one probe per label count present in the set, whatever the number of entries (the probes
// are prefetched together). The seed is random per build, so probe sequences cannot be
// planned from outside. Thread-safety: a built DomainSet is immutable; share it as
// std::shared_ptr<const DomainSet> and swap the pointer on reload.
class DomainSet {
 public:
  using Value = uint32_t;

  struct Match {
    Value value = 0;
    uint8_t labels = 0;  // labels in the matching entry (0: the root entry, "#")
  };

  // How two values given for the same name are combined while building.
  using MergeFn = std::function<Value(Value existing, Value incoming)>;

  class Builder {
   public:
    // seed 0: draw a random one.
    explicit Builder(uint64_t seed = 0);
    // Optional: room for `names` entries and `text_bytes` bytes of names.
    void reserve(size_t names, size_t text_bytes);
    // Duplicates are combined with `merge` (default: the first value stays).
    void set_merge(MergeFn merge) { merge_ = std::move(merge); }
    // Adds "www.example.com" (ASCII case ignored, one trailing dot allowed, no escapes:
    // every '.' separates labels). "" and "." are the root entry, which matches every name.
    // false: not a valid name (empty label, label over 63 bytes, over 253 bytes) or the
    // set would exceed 4 GiB.
    bool add(std::string_view text, Value value);
    // Same, from a name in wire form (labels, with or without the root label).
    bool add_wire(std::span<const uint8_t> wire, Value value);
    size_t size() const { return count_ + (has_root_ ? 1 : 0); }
    // Finishes the set (the builder is left empty).
    DomainSet build();

   private:
    bool insert(const uint8_t* wire, size_t size, Value value);
    void grow(size_t capacity);

    uint64_t seed_;
    uint64_t label_counts_[2] = {0, 0};  // bit n: some entry has n labels
    MergeFn merge_;
    std::string arena_;
    std::vector<uint64_t> slots_;
    size_t count_ = 0;
    bool has_root_ = false;
    Value root_value_ = 0;
  };

  DomainSet() = default;

  // The longest entry equal to `name` or a parent of it; case-insensitive.
  std::optional<Match> longest_match(const proto::dns::Name& name) const;
  // Text form ("www.example.com", trailing dot optional, no escapes); nullopt also for an
  // invalid name.
  std::optional<Match> longest_match(std::string_view text) const;
  // Every matching entry, longest first, written to `out` (128 entries always suffice);
  // returns how many were written.
  size_t matches(const proto::dns::Name& name, std::span<Match> out) const;
  // The entry for exactly this name.
  std::optional<Value> find_exact(const proto::dns::Name& name) const;
  std::optional<Value> find_exact(std::string_view text) const;

  // Calls fn(text, value) for every entry in storage order (text: "www.example.com", "" for
  // the root). For dumps and tests; not for the query path.
  void for_each(const std::function<void(std::string_view, Value)>& fn) const;

  size_t size() const { return count_ + (has_root_ ? 1 : 0); }
  bool empty() const { return size() == 0; }
  // Heap bytes held (arena + table).
  size_t bytes_used() const { return arena_.capacity() + slots_.capacity() * sizeof(uint64_t); }

 private:
  // `wire`: labels without the root label; `key` lower case. The record or nullptr.
  const char* probe(uint64_t hash, const uint8_t* key, size_t size) const;
  size_t collect(const uint8_t* wire, size_t size, std::span<Match> out, bool first_only) const;
  std::optional<Value> exact(const uint8_t* wire, size_t size) const;

  uint64_t seed_ = 0;
  std::string arena_;
  std::vector<uint64_t> slots_;
  size_t count_ = 0;
  bool has_root_ = false;
  Value root_value_ = 0;
  uint64_t label_counts_[2] = {0, 0};  // bit n: some entry has n labels (probes skip the rest)
};

// Text ("a.b.c", one trailing dot allowed, no escapes) to lower-case wire labels without
// the root label, written to `out` (at least 254 bytes). Returns the size, or nullopt for an
// invalid name. "" and "." give 0.
std::optional<size_t> text_to_wire_labels(std::string_view text, std::span<uint8_t> out);

}  // namespace masqd::local
