#include "base/domain_set.h"

#include <bit>
#include <cstring>
#include <random>

namespace masqd {

namespace {

constexpr size_t kMaxKey = 254;     // wire labels without the root label
constexpr size_t kMaxLabels = 127;  // 254 bytes / 2 per shortest label
constexpr size_t kMinCapacity = 16;
// Odd multipliers (multiplying by one is a bijection), one per hash lane.
constexpr uint64_t kPrimeA = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kPrimeB = 0xd6e8feb86659fd93ULL;

using Slot = DomainSet::Slot;

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

// SplitMix64's step: a second seed from the first when the caller gives one.
inline uint64_t split_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// MurmurHash3's 64-bit finaliser: spreads every input bit over all 64 bits (a bijection).
inline uint64_t finish(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// A name's labels made ready for hashing: copied into a zero-padded buffer (so whole words
// can be read), lowered, split into labels, and hashed from the right, one label at a time
// (each label, size byte included, a word at a time) in two lanes with their own seeds and
// multipliers. a[i], b[i] are the fingerprint of the suffix that starts with label i, so one
// pass serves every parent of the name. Each lane's step (xor a word, multiply by an odd
// constant, rotate) and its finaliser are bijections, so two names collide in a lane only
// when their seeded states meet, which for the two lanes together needs their independent
// random seeds to line up: about 2^-64 * 2^-32 per pair for the 96 bits kept.
struct Prepared {
  alignas(8) uint8_t buf[kMaxKey + 10];
  size_t size = 0;
  size_t labels = 0;
  uint16_t starts[kMaxLabels];
  uint64_t a[kMaxLabels];
  uint32_t b[kMaxLabels];
};

// `wire`: labels without the root label. false: malformed.
bool prepare(uint64_t seed_a, uint64_t seed_b, const uint8_t* wire, size_t size, Prepared& p) {
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
  uint64_t ha = seed_a, hb = seed_b;
  end = size;
  for (size_t l = p.labels; l > 0; --l) {
    const size_t start = p.starts[l - 1];
    for (size_t j = start; j < end; j += 8) {
      const uint64_t w = keep_bytes(load64(p.buf + j), end - j);
      ha = std::rotl((ha ^ w) * kPrimeA, 29);
      hb = std::rotl((hb ^ w) * kPrimeB, 23);
    }
    uint64_t a = finish(ha);
    p.a[l - 1] = a == 0 ? 1 : a;
    p.b[l - 1] = static_cast<uint32_t>(finish(hb));
    end = start;
  }
  return true;
}

// The slot comes from lane A's high 32 bits, mapped onto [0, capacity) without a division
// (Lemire's reduction), so that growing the table needs only the stored fingerprints.
inline size_t index_of(uint64_t a, size_t capacity) {
  return static_cast<size_t>(((a >> 32) * capacity) >> 32);
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

// Lookups take a name as it is on the wire and leave checking its labels to prepare(), which
// reads them anyway (a size byte running past the end, an inner zero or one over 63 fails).
bool ends_with_root(std::span<const uint8_t> wire) { return !wire.empty() && wire.back() == 0; }

size_t target_capacity(size_t count) {
  size_t cap = count + count / 4 + 1;  // load <= 0.8
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

DomainSet::Builder::Builder(uint64_t seed) : seed_a_(seed), seed_b_(split_mix(seed)) {
  if (seed == 0) {
    std::random_device rd;
    seed_a_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    seed_b_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
}

DomainSet::Builder::Builder(const DomainSet& base)
    : seed_a_(base.seed_a_), seed_b_(base.seed_b_), slots_(base.slots_), count_(base.count_),
      has_root_(base.has_root_), root_value_(base.root_value_) {
  label_counts_[0] = base.label_counts_[0];
  label_counts_[1] = base.label_counts_[1];
  if (base.count_ == 0 && base.seed_a_ == 0) *this = Builder(0);  // a default-made set has no seeds
}

void DomainSet::Builder::reserve(size_t names) {
  if (target_capacity(names) > slots_.size()) grow(target_capacity(names));
}

bool DomainSet::Builder::add(std::string_view text, Value value) {
  uint8_t wire[kMaxKey + 1];
  auto size = text_to_wire_labels(text, wire);
  if (!size) return false;
  return insert(wire, *size, value, false);
}

bool DomainSet::Builder::add_batched(std::string_view text, Value value) {
  uint8_t wire[kMaxKey + 1];
  auto size = text_to_wire_labels(text, wire);
  if (!size) return false;
  return insert(wire, *size, value, true);
}

bool DomainSet::Builder::add_wire(std::span<const uint8_t> wire, Value value) {
  auto size = checked_wire_size(wire);
  if (!size) return false;
  return insert(wire.data(), *size, value, false);
}

bool DomainSet::Builder::insert(const uint8_t* wire, size_t size, Value value, bool batched) {
  if (size == 0) {
    flush();
    if (!has_root_)
      root_value_ = value;
    else if (merge_)
      root_value_ = merge_(root_value_, value);
    has_root_ = true;
    return true;
  }
  Prepared p;
  if (!prepare(seed_a_, seed_b_, wire, size, p)) return false;
  if (slots_.empty()) grow(kMinCapacity);
  const Pending next{p.a[0], p.b[0], value, p.labels};
  if (!batched) {
    flush();
    place(next);
    return true;
  }
  __builtin_prefetch(&slots_[index_of(next.a, slots_.size())], 1);
  if (pending_count_ < kPipeline) {
    pending_[(pending_head_ + pending_count_++) % kPipeline] = next;
  } else {
    place(pending_[pending_head_]);
    pending_[pending_head_] = next;
    pending_head_ = (pending_head_ + 1) % kPipeline;
  }
  return true;
}

void DomainSet::Builder::flush() {
  for (; pending_count_ > 0; --pending_count_) {
    place(pending_[pending_head_]);
    pending_head_ = (pending_head_ + 1) % kPipeline;
  }
  pending_head_ = 0;
}

void DomainSet::Builder::place(const Pending& p) {
  if ((count_ + 1) * 5 > slots_.size() * 4) grow(slots_.size() * 2);
  const size_t cap = slots_.size();
  for (size_t i = index_of(p.a, cap);; i = (i + 1 == cap) ? 0 : i + 1) {
    Slot& s = slots_[i];
    if (s.a == 0) {
      s = Slot{p.a, p.b, p.value};
      ++count_;
      label_counts_[p.labels / 64] |= uint64_t{1} << (p.labels % 64);
      return;
    }
    if (s.a == p.a && s.b == p.b) {
      if (merge_) s.value = merge_(s.value, p.value);
      return;
    }
  }
}

void DomainSet::Builder::grow(size_t capacity) {
  std::vector<Slot, PrefaultAllocator<Slot>> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{});
  for (const Slot& s : old) {
    if (s.a == 0) continue;
    size_t i = index_of(s.a, capacity);
    while (slots_[i].a != 0) i = (i + 1 == capacity) ? 0 : i + 1;
    slots_[i] = s;
  }
}

DomainSet DomainSet::Builder::build() {
  flush();
  // Growth doubles the table; give the finished set the room its load needs (a table
  // reserved for about this many names is kept as it is).
  const size_t target = target_capacity(count_);
  if (count_ > 0 && slots_.size() > target + target / 8) grow(target);
  if (slots_.capacity() > slots_.size() + slots_.size() / 8) slots_.shrink_to_fit();
  DomainSet set;
  set.seed_a_ = seed_a_;
  set.seed_b_ = seed_b_;
  set.slots_ = std::move(slots_);
  set.count_ = count_;
  set.has_root_ = has_root_;
  set.root_value_ = root_value_;
  set.label_counts_[0] = label_counts_[0];
  set.label_counts_[1] = label_counts_[1];
  set.build_filter();
  slots_.clear();  // the builder is left empty, with the same seeds
  count_ = 0;
  has_root_ = false;
  root_value_ = 0;
  label_counts_[0] = label_counts_[1] = 0;
  merge_ = nullptr;
  return set;
}

// ---- the filter ----
// Its word comes from lane B (as the slot from lane A's high bits), its two bits from lane
// A's low 12 bits, so the three choices use different hash bits.

namespace {
inline size_t filter_word(uint32_t b, size_t words) { return static_cast<size_t>((uint64_t{b} * words) >> 32); }
inline uint64_t filter_bits(uint64_t a) { return (uint64_t{1} << (a & 63)) | (uint64_t{1} << ((a >> 6) & 63)); }
}  // namespace

void DomainSet::build_filter() {
  filter_.clear();
  if (count_ == 0) return;
  filter_.assign((count_ + 7) / 8, 0);  // 64 bits per 8 entries
  for (const Slot& s : slots_)
    if (s.a != 0) filter_[filter_word(s.b, filter_.size())] |= filter_bits(s.a);
}

inline bool DomainSet::may_contain(uint64_t a, uint32_t b) const {
  const uint64_t bits = filter_bits(a);
  return (filter_[filter_word(b, filter_.size())] & bits) == bits;
}

// ---- lookups ----

const DomainSet::Slot* DomainSet::probe(uint64_t a, uint32_t b) const {
  const size_t cap = slots_.size();
  for (size_t i = index_of(a, cap);; i = (i + 1 == cap) ? 0 : i + 1) {
    const Slot& s = slots_[i];
    if (s.a == 0) return nullptr;
    if (s.a == a && s.b == b) return &s;
  }
}

size_t DomainSet::collect(const uint8_t* wire, size_t size, std::span<Match> out,
                          bool first_only) const {
  size_t n = 0;
  if (count_ > 0 && size > 0) {
    Prepared p;
    if (!prepare(seed_a_, seed_b_, wire, size, p)) return 0;
    // Start every slot load at once: with millions of entries each one is a cache miss,
    // and they overlap instead of queueing one after the other.
    // Suffixes to probe: a label count some entry has, and passed by the filter.
    const size_t cap = slots_.size();
    uint64_t wanted[2] = {0, 0};  // bit l: probe suffix l
    for (size_t l = 0; l < p.labels; ++l) {
      const size_t labels = p.labels - l;
      if (!(label_counts_[labels / 64] & (uint64_t{1} << (labels % 64)))) continue;
      if (!may_contain(p.a[l], p.b[l])) continue;
      wanted[l / 64] |= uint64_t{1} << (l % 64);
      __builtin_prefetch(&slots_[index_of(p.a[l], cap)]);
    }
    for (size_t l = 0; l < p.labels && n < out.size(); ++l) {
      const size_t labels = p.labels - l;  // of this suffix
      if (!(wanted[l / 64] & (uint64_t{1} << (l % 64)))) continue;
      const Slot* s = probe(p.a[l], p.b[l]);
      if (!s) continue;
      out[n++] = Match{s->value, static_cast<uint8_t>(labels)};
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
  if (!prepare(seed_a_, seed_b_, wire, size, p)) return std::nullopt;
  if (!(label_counts_[p.labels / 64] & (uint64_t{1} << (p.labels % 64)))) return std::nullopt;
  if (!may_contain(p.a[0], p.b[0])) return std::nullopt;
  const Slot* s = probe(p.a[0], p.b[0]);
  if (!s) return std::nullopt;
  return s->value;
}

std::optional<DomainSet::Match> DomainSet::longest_match(std::span<const uint8_t> wire) const {
  if (!ends_with_root(wire)) return std::nullopt;
  Match m;
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

size_t DomainSet::matches(std::span<const uint8_t> wire, std::span<Match> out) const {
  if (!ends_with_root(wire)) return 0;
  return collect(wire.data(), wire.size() - 1, out, false);
}

std::optional<DomainSet::Value> DomainSet::find_exact(std::span<const uint8_t> wire) const {
  if (!ends_with_root(wire)) return std::nullopt;
  return exact(wire.data(), wire.size() - 1);
}

std::optional<DomainSet::Value> DomainSet::find_exact(std::string_view text) const {
  uint8_t wire[kMaxKey + 1];
  auto size = text_to_wire_labels(text, wire);
  if (!size) return std::nullopt;
  return exact(wire, *size);
}

}  // namespace masqd
