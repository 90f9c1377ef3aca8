#include "local/domain_set.h"

#include <bit>
#include <cstring>
#include <limits>
#include <random>

namespace masqd::local {

namespace {

constexpr size_t kHeader = 5;          // value (4, native order) + key size (1)
constexpr size_t kMaxKey = 254;        // wire labels without the root label
constexpr size_t kMaxLabels = 127;     // 254 bytes / 2 per shortest label
constexpr size_t kMinCapacity = 16;
constexpr uint64_t kPrime = 0x9e3779b97f4a7c15ULL;  // odd: multiplying is a bijection

inline uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c; }

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, sizeof v); }

// Lowers the ASCII capitals of 8 bytes at once (other bytes, including label sizes, stay).
inline uint64_t lower8(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const uint64_t low7 = w & ~kHigh;
  const uint64_t at_least_a = low7 + kOnes * (0x80 - 'A');
  const uint64_t above_z = low7 + kOnes * (0x80 - 'Z' - 1);
  return w | (((at_least_a ^ above_z) & ~w & kHigh) >> 2);
}

// The first `n` (1..8) bytes of a loaded word, in memory order.
inline uint64_t keep_bytes(uint64_t w, size_t n) {
  if (n >= 8) return w;
  if constexpr (std::endian::native == std::endian::little) return w & ((uint64_t{1} << (8 * n)) - 1);
  return w & (~uint64_t{0} << (8 * (8 - n)));
}

// MurmurHash3's 64-bit finaliser: spreads every input bit over all 64 bits.
inline uint64_t finish(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// A name's labels made ready for hashing and comparing: copied into a zero-padded buffer
// (so whole words can be read), lowered, split into labels, and hashed from the right, one
// label at a time (each label, size byte included, a word at a time). hashes[i] is the hash
// of the suffix that starts with label i, so one pass serves every parent of the name.
struct Prepared {
  alignas(8) uint8_t buf[kMaxKey + 10];
  size_t size = 0;
  size_t labels = 0;
  uint16_t starts[kMaxLabels];
  uint64_t hashes[kMaxLabels];
};

// `wire`: labels without the root label. false: malformed.
bool prepare(uint64_t seed, const uint8_t* wire, size_t size, Prepared& p) {
  if (size > kMaxKey) return false;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) store64(p.buf + i, lower8(load64(wire + i)));
  for (; i < size; ++i) p.buf[i] = lower(wire[i]);
  store64(p.buf + size, 0);
  p.size = size;
  p.labels = 0;
  for (size_t pos = 0; pos < size; pos += 1 + p.buf[pos]) {
    if (p.labels == kMaxLabels || p.buf[pos] == 0 || p.buf[pos] > 63) return false;
    p.starts[p.labels++] = static_cast<uint16_t>(pos);
  }
  size_t end = size;
  for (size_t l = p.labels; l > 0; --l) {
    const size_t start = p.starts[l - 1];
    if (start + 1 + p.buf[start] != end) return false;  // the last label ran past the end
    end = start;
  }
  uint64_t h = seed;
  end = size;
  for (size_t l = p.labels; l > 0; --l) {
    const size_t start = p.starts[l - 1];
    for (size_t j = start; j < end; j += 8) {
      h = (h ^ keep_bytes(load64(p.buf + j), end - j)) * kPrime;
      h = (h << 29) | (h >> 35);
    }
    p.hashes[l - 1] = finish(h);
    end = start;
  }
  return true;
}

// The slot and the tag both come from the hash's high 32 bits: the slot by mapping them onto
// [0, capacity) without a division (Lemire's reduction), so that growing the table needs
// only the stored tags, never the keys. Neighbouring entries then share the tag's top bits,
// so a tag compare filters about 1 in 2^(32 - log2 capacity) less well: at a million names,
// one probe in ~2000 reads a key it did not need to.
inline uint32_t tag_of(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
inline size_t index_of_tag(uint32_t tag, size_t capacity) {
  return static_cast<size_t>((static_cast<uint64_t>(tag) * capacity) >> 32);
}
inline size_t slot_index(uint64_t hash, size_t capacity) { return index_of_tag(tag_of(hash), capacity); }
inline uint32_t slot_tag(uint64_t slot) { return static_cast<uint32_t>(slot >> 32); }
inline size_t slot_offset(uint64_t slot) { return static_cast<size_t>(static_cast<uint32_t>(slot)) - 1; }
inline uint64_t make_slot(uint32_t tag, size_t offset) {
  return (static_cast<uint64_t>(tag) << 32) | static_cast<uint64_t>(offset + 1);
}

inline DomainSet::Value read_value(const char* rec) {
  DomainSet::Value v;
  std::memcpy(&v, rec, sizeof v);
  return v;
}
inline void write_value(char* rec, DomainSet::Value v) { std::memcpy(rec, &v, sizeof v); }
inline size_t key_size(const char* rec) { return static_cast<uint8_t>(rec[4]); }
inline const uint8_t* key_bytes(const char* rec) { return reinterpret_cast<const uint8_t*>(rec + kHeader); }

// Both sides are lower case (stored keys always, probe keys once prepared).
inline bool key_equals(const char* rec, const uint8_t* key, size_t size) {
  return key_size(rec) == size && std::memcmp(key_bytes(rec), key, size) == 0;
}

// Wire labels (with or without the root label) checked and cut to the labels part.
std::optional<size_t> checked_wire_size(std::span<const uint8_t> wire) {
  size_t pos = 0;
  while (pos < wire.size()) {
    const uint8_t len = wire[pos];
    if (len == 0) return pos + 1 == wire.size() ? std::optional<size_t>(pos) : std::nullopt;
    if (len > 63) return std::nullopt;
    pos += 1 + len;
  }
  if (pos != wire.size() || pos > kMaxKey) return std::nullopt;
  return pos;
}

size_t target_capacity(size_t count) {
  size_t cap = count + count / 3 + 1;  // load <= 0.75
  return cap < kMinCapacity ? kMinCapacity : cap;
}

}  // namespace

std::optional<size_t> text_to_wire_labels(std::string_view text, std::span<uint8_t> out) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return size_t{0};
  if (text.size() > kMaxKey - 1 || out.size() < text.size() + 1) return std::nullopt;
  size_t len_at = 0, pos = 1;
  for (char ch : text) {
    if (ch == '.') {
      const size_t len = pos - len_at - 1;
      if (len == 0 || len > 63) return std::nullopt;
      out[len_at] = static_cast<uint8_t>(len);
      len_at = pos++;
    } else {
      out[pos++] = lower(static_cast<uint8_t>(ch));
    }
  }
  const size_t len = pos - len_at - 1;
  if (len == 0 || len > 63) return std::nullopt;
  out[len_at] = static_cast<uint8_t>(len);
  return pos;
}

// ---- Builder ----

DomainSet::Builder::Builder(uint64_t seed) : seed_(seed) {
  if (seed_ == 0) {
    std::random_device rd;
    seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    if (seed_ == 0) seed_ = 0x9e3779b97f4a7c15ULL;
  }
}

void DomainSet::Builder::reserve(size_t names, size_t text_bytes) {
  arena_.reserve(text_bytes + names * (kHeader + 1));
  if (target_capacity(names) > slots_.size()) grow(target_capacity(names));
}

bool DomainSet::Builder::add(std::string_view text, Value value) {
  uint8_t wire[kMaxKey + 1];
  auto size = text_to_wire_labels(text, wire);
  if (!size) return false;
  return insert(wire, *size, value);
}

bool DomainSet::Builder::add_wire(std::span<const uint8_t> wire, Value value) {
  auto size = checked_wire_size(wire);
  if (!size) return false;
  return insert(wire.data(), *size, value);
}

bool DomainSet::Builder::insert(const uint8_t* wire, size_t size, Value value) {
  if (size == 0) {
    if (!has_root_)
      root_value_ = value;
    else if (merge_)
      root_value_ = merge_(root_value_, value);
    has_root_ = true;
    return true;
  }
  Prepared p;
  if (!prepare(seed_, wire, size, p)) return false;
  if ((count_ + 1) * 4 > slots_.size() * 3) grow(slots_.empty() ? kMinCapacity : slots_.size() * 2);
  const uint64_t h = p.hashes[0];
  const uint32_t tag = tag_of(h);
  const size_t cap = slots_.size();
  for (size_t i = slot_index(h, cap);; i = (i + 1 == cap) ? 0 : i + 1) {
    const uint64_t s = slots_[i];
    if (s == 0) {
      const size_t offset = arena_.size();
      if (offset + kHeader + size >= std::numeric_limits<uint32_t>::max()) return false;
      char header[kHeader];
      write_value(header, value);
      header[4] = static_cast<char>(size);
      arena_.append(header, kHeader);
      arena_.append(reinterpret_cast<const char*>(p.buf), size);
      slots_[i] = make_slot(tag, offset);
      ++count_;
      label_counts_[p.labels / 64] |= uint64_t{1} << (p.labels % 64);
      return true;
    }
    if (slot_tag(s) == tag) {
      char* rec = arena_.data() + slot_offset(s);
      if (key_equals(rec, p.buf, size)) {
        if (merge_) write_value(rec, merge_(read_value(rec), value));
        return true;
      }
    }
  }
}

void DomainSet::Builder::grow(size_t capacity) {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(capacity, 0);
  for (uint64_t s : old) {
    if (s == 0) continue;
    size_t i = index_of_tag(slot_tag(s), capacity);
    while (slots_[i] != 0) i = (i + 1 == capacity) ? 0 : i + 1;
    slots_[i] = s;
  }
}

DomainSet DomainSet::Builder::build() {
  // Growth doubles the table; give the finished set the room its load needs (a table
  // reserved for about this many names is kept as it is).
  const size_t target = target_capacity(count_);
  if (count_ > 0 && slots_.size() > target + target / 8) grow(target);
  // Shrinking copies the arena (tens of MB for a big blocklist): only when much is unused.
  if (arena_.capacity() > arena_.size() + arena_.size() / 8) arena_.shrink_to_fit();
  if (slots_.capacity() > slots_.size() + slots_.size() / 8) slots_.shrink_to_fit();
  DomainSet set;
  set.seed_ = seed_;
  set.arena_ = std::move(arena_);
  set.slots_ = std::move(slots_);
  set.count_ = count_;
  set.has_root_ = has_root_;
  set.root_value_ = root_value_;
  set.label_counts_[0] = label_counts_[0];
  set.label_counts_[1] = label_counts_[1];
  *this = Builder(seed_);
  return set;
}

// ---- lookups ----

const char* DomainSet::probe(uint64_t hash, const uint8_t* key, size_t size) const {
  const size_t cap = slots_.size();
  const uint32_t tag = tag_of(hash);
  for (size_t i = slot_index(hash, cap);; i = (i + 1 == cap) ? 0 : i + 1) {
    const uint64_t s = slots_[i];
    if (s == 0) return nullptr;
    if (slot_tag(s) == tag) {
      const char* rec = arena_.data() + slot_offset(s);
      if (key_equals(rec, key, size)) return rec;
    }
  }
}

size_t DomainSet::collect(const uint8_t* wire, size_t size, std::span<Match> out,
                          bool first_only) const {
  size_t n = 0;
  if (count_ > 0 && size > 0) {
    Prepared p;
    if (!prepare(seed_, wire, size, p)) return 0;
    // Start every slot load at once: with millions of entries each one is a cache miss,
    // and they overlap instead of queueing one after the other.
    const size_t cap = slots_.size();
    for (size_t l = 0; l < p.labels; ++l) {
      const size_t labels = p.labels - l;
      if (label_counts_[labels / 64] & (uint64_t{1} << (labels % 64)))
        __builtin_prefetch(&slots_[slot_index(p.hashes[l], cap)]);
    }
    for (size_t l = 0; l < p.labels && n < out.size(); ++l) {
      const size_t labels = p.labels - l;  // of this suffix
      if (!(label_counts_[labels / 64] & (uint64_t{1} << (labels % 64)))) continue;
      const char* rec = probe(p.hashes[l], p.buf + p.starts[l], size - p.starts[l]);
      if (!rec) continue;
      out[n++] = Match{read_value(rec), static_cast<uint8_t>(labels)};
      if (first_only) return n;
    }
  }
  if (has_root_ && n < out.size()) out[n++] = Match{root_value_, 0};
  return n;
}

std::optional<DomainSet::Value> DomainSet::exact(const uint8_t* wire, size_t size) const {
  if (size == 0) return has_root_ ? std::optional<Value>(root_value_) : std::nullopt;
  if (count_ == 0) return std::nullopt;
  Prepared p;
  if (!prepare(seed_, wire, size, p)) return std::nullopt;
  if (!(label_counts_[p.labels / 64] & (uint64_t{1} << (p.labels % 64)))) return std::nullopt;
  const char* rec = probe(p.hashes[0], p.buf, size);
  if (!rec) return std::nullopt;
  return read_value(rec);
}

std::optional<DomainSet::Match> DomainSet::longest_match(const proto::dns::Name& name) const {
  Match m;
  const auto wire = name.wire();
  if (collect(wire.data(), wire.size() - 1, std::span<Match>(&m, 1), true) == 0) return std::nullopt;
  return m;
}

std::optional<DomainSet::Match> DomainSet::longest_match(std::string_view text) const {
  uint8_t wire[kMaxKey + 1];
  auto size = text_to_wire_labels(text, wire);
  if (!size) return std::nullopt;
  Match m;
  if (collect(wire, *size, std::span<Match>(&m, 1), true) == 0) return std::nullopt;
  return m;
}

size_t DomainSet::matches(const proto::dns::Name& name, std::span<Match> out) const {
  const auto wire = name.wire();
  return collect(wire.data(), wire.size() - 1, out, false);
}

std::optional<DomainSet::Value> DomainSet::find_exact(const proto::dns::Name& name) const {
  const auto wire = name.wire();
  return exact(wire.data(), wire.size() - 1);
}

std::optional<DomainSet::Value> DomainSet::find_exact(std::string_view text) const {
  uint8_t wire[kMaxKey + 1];
  auto size = text_to_wire_labels(text, wire);
  if (!size) return std::nullopt;
  return exact(wire, *size);
}

void DomainSet::for_each(const std::function<void(std::string_view, Value)>& fn) const {
  if (has_root_) fn("", root_value_);
  std::string text;
  for (size_t off = 0; off + kHeader <= arena_.size();) {
    const char* rec = arena_.data() + off;
    const size_t size = key_size(rec);
    const uint8_t* key = key_bytes(rec);
    text.clear();
    for (size_t p = 0; p < size; p += 1 + key[p]) {
      if (p > 0) text.push_back('.');
      text.append(reinterpret_cast<const char*>(key + p + 1), key[p]);
    }
    fn(text, read_value(rec));
    off += kHeader + size;
  }
}

}  // namespace masqd::local
