#include "dns/cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "base/siphash.h"
#include "dns/record_writer.h"
#include "dns/server_table.h"
#include "proto/dns_builder.h"

namespace masqd::dns {

namespace pd = proto::dns;

namespace {

constexpr int kMaxChain = 10;          // dnsmasq follows at most this many CNAME links
constexpr uint16_t kNxType = 0;        // key type of an NXDOMAIN entry (all types)
constexpr size_t kShardedFrom = 4096;  // smaller caches use one shard: one exact LRU order
constexpr size_t kShards = 16;

enum class Kind : uint8_t { Positive, NoData, NxDomain };

// Key: the owner name in lower-case wire form, then the type (big-endian).
using KeyBuf = std::array<char, pd::kMaxNameWire + 2>;
std::string_view make_key(KeyBuf& buf, pd::Bytes wire_name, uint16_t type) {
  size_t n = std::min(wire_name.size(), pd::kMaxNameWire);
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = wire_name[i];
    buf[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  buf[n] = static_cast<char>(type >> 8);
  buf[n + 1] = static_cast<char>(type & 0xff);
  return {buf.data(), n + 2};
}

struct KeyHash {
  using is_transparent = void;
  SipKey key;
  size_t operator()(std::string_view s) const { return siphash24(key, s); }
};

// A name inside RDATA, decompressed: appends its wire form to `out`.
bool append_name(pd::Bytes msg, size_t offset, std::vector<uint8_t>& out, size_t* next = nullptr) {
  pd::Name n;
  auto r = pd::read_name(msg, offset, n);
  if (!r) return false;
  auto w = n.wire();
  out.insert(out.end(), w.begin(), w.end());
  if (next) *next = *r;
  return true;
}

// RDATA with every compressed name expanded (RFC 3597 section 4 lists the types that may
// carry compression); other types are copied as they are.
bool normalize_rdata(pd::Bytes msg, const pd::RecordView& rec, std::vector<uint8_t>& out) {
  const size_t start = rec.rdata_offset, end = start + rec.rdlength;
  if (end > msg.size()) return false;
  auto raw = [&](size_t from, size_t to) {
    if (from > to) return false;
    out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(from),
               msg.begin() + static_cast<std::ptrdiff_t>(to));
    return true;
  };
  size_t next = 0;
  switch (rec.type) {
    case pd::rr::NS: case pd::rr::CNAME: case pd::rr::PTR: case 39 /* DNAME */:
      return append_name(msg, start, out, &next) && next == end;
    case pd::rr::MX: case 18 /* AFSDB */: case 21 /* RT */: case 36 /* KX */:
      return rec.rdlength > 2 && raw(start, start + 2) && append_name(msg, start + 2, out, &next) &&
             next == end;
    case pd::rr::SRV:
      return rec.rdlength > 6 && raw(start, start + 6) && append_name(msg, start + 6, out, &next) &&
             next == end;
    case pd::rr::SOA: {
      size_t mid = 0;
      if (!append_name(msg, start, out, &mid) || !append_name(msg, mid, out, &next)) return false;
      return end >= next && end - next == 20 && raw(next, end);
    }
    default:
      return raw(start, end);
  }
}

std::string expires_text(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  struct tm tm {};
  localtime_r(&tt, &tm);
  std::array<char, 64> b{};
  size_t n = std::strftime(b.data(), b.size(), "%a %b %e %H:%M:%S %Y", &tm);
  return std::string(b.data(), n);
}

}  // namespace

struct DnsCache::Entry {
  Kind kind = Kind::Positive;
  uint16_t type = 0;
  int64_t expiry = 0;
  std::vector<uint8_t> owner;  // wire form, letter case as received
  std::vector<uint8_t> rdata;  // `count` records, each a 16-bit length then the RDATA
  uint16_t count = 0;
  uint32_t rotation = 0;  // lookups so far: round robin starts one further each time
  bool has_soa = false;
  std::vector<uint8_t> soa_owner, soa_rdata;
  int64_t soa_expiry = 0;
  // Least-recently-used list of the shard, and the entry's own key in the map.
  const std::string* key = nullptr;
  Entry* prev = nullptr;
  Entry* next = nullptr;

  size_t slots() const { return std::max<size_t>(count, 1) + (has_soa ? 1 : 0); }

  template <typename Fn>
  void for_each_record(Fn&& fn) const {
    for (size_t p = 0; p + 2 <= rdata.size();) {
      size_t n = static_cast<size_t>(rdata[p] << 8 | rdata[p + 1]);
      if (p + 2 + n > rdata.size()) return;
      fn(pd::Bytes(rdata).subspan(p + 2, n));
      p += 2 + n;
    }
  }
};

struct DnsCache::Shard {
  mutable std::mutex mu;
  std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> map;
  Entry* head = nullptr;  // most recently used
  Entry* tail = nullptr;
  size_t used = 0;
  size_t capacity = 0;
  uint64_t insertions = 0, evictions = 0;
  std::optional<uint32_t> stale_max;  // --use-stale-cache

  Shard(SipKey key, size_t cap, std::optional<uint32_t> stale)
      : map(16, KeyHash{key}), capacity(cap), stale_max(stale) {}

  // Whether an entry may still be answered: unexpired, or expired within the
  // --use-stale-cache limit (now - expiry < N, or any age with N = 0), as dnsmasq 2.90.
  bool usable(const Entry& e, int64_t now) const {
    if (e.expiry > now) return true;
    return stale_max && (*stale_max == 0 || now - e.expiry < static_cast<int64_t>(*stale_max));
  }

  void unlink(Entry* e) {
    (e->prev ? e->prev->next : head) = e->next;
    (e->next ? e->next->prev : tail) = e->prev;
    e->prev = e->next = nullptr;
  }
  void push_front(Entry* e) {
    e->next = head;
    e->prev = nullptr;
    if (head) head->prev = e;
    head = e;
    if (!tail) tail = e;
  }
  void erase(decltype(map)::iterator it) {
    unlink(&it->second);
    used -= it->second.slots();
    map.erase(it);
  }
  // A live entry, made most recently used; expired ones are dropped on the way.
  Entry* find(std::string_view key, int64_t now) {
    auto it = map.find(key);
    if (it == map.end()) return nullptr;
    if (!usable(it->second, now)) {
      erase(it);
      return nullptr;
    }
    Entry* e = &it->second;
    if (e != head) {
      unlink(e);
      push_front(e);
    }
    return e;
  }
  void clear() {
    map.clear();
    head = tail = nullptr;
    used = 0;
  }
};

DnsCache::DnsCache(CacheOptions opts) : opts_(std::move(opts)) {
  if (opts_.capacity == 0) return;
  const size_t n = opts_.capacity >= kShardedFrom ? kShards : 1;
  const SipKey key = SipKey::random();
  shard_key_ = SipKey::random();
  for (size_t i = 0; i < n; ++i)
    shards_.push_back(std::make_unique<Shard>(key, (opts_.capacity + n - 1) / n, opts_.stale_max));
}

DnsCache::~DnsCache() = default;

DnsCache::Shard& DnsCache::shard_for(std::string_view key) const {
  if (shards_.size() == 1) return *shards_[0];
  // The shard choice uses the name only, so that a name's types share one shard; its key
  // is secret too, so nobody can aim names at one shard.
  const uint64_t h = siphash24(shard_key_, key.substr(0, key.size() - 2));
  return *shards_[h % shards_.size()];
}

size_t DnsCache::capacity() const { return opts_.capacity; }

bool DnsCache::cacheable(uint16_t qtype, const pd::Name& qname) const {
  switch (qtype) {
    case pd::rr::A: case pd::rr::AAAA: case pd::rr::SRV:
      return true;
    case pd::rr::PTR:
      return reverse_name_address(lower_name_text(qname)).has_value();
    case pd::rr::CNAME: case pd::rr::ANY: case pd::rr::OPT: case pd::rr::RRSIG: case 251: case 252:
      return false;
    default:
      return opts_.all_types ||
             std::find(opts_.extra_types.begin(), opts_.extra_types.end(), qtype) !=
                 opts_.extra_types.end();
  }
}

void DnsCache::store(std::string key, Entry e, int64_t now) {
  Shard& s = shard_for(key);
  const size_t slots = e.slots();
  if (slots > s.capacity) return;
  std::lock_guard lock(s.mu);
  if (auto it = s.map.find(key); it != s.map.end()) s.erase(it);
  while (s.tail && s.used + slots > s.capacity) {
    Entry* victim = s.tail;
    if (s.usable(*victim, now)) s.evictions += victim->slots();
    s.erase(s.map.find(*victim->key));
  }
  auto [it, inserted] = s.map.emplace(std::move(key), std::move(e));
  it->second.key = &it->first;
  s.push_front(&it->second);
  s.used += slots;
  s.insertions += slots;
}

void DnsCache::insert_reply(pd::Bytes reply, const pd::Question& q, int64_t now) {
  if (shards_.empty() || q.qclass != pd::cls::IN || q.qtype == pd::rr::CNAME ||
      q.qtype == pd::rr::ANY)
    return;
  auto v = pd::MessageView::parse(reply);
  if (!v) return;
  const uint8_t rc = v->header().rcode();
  if (v->header().tc() || (rc != pd::rcode::NoError && rc != pd::rcode::NxDomain)) return;

  std::vector<pd::RecordView> answers, authority;
  size_t p = v->answer_offset();
  for (unsigned i = 0; i < v->header().ancount + v->header().nscount; ++i) {
    pd::RecordView rec;
    auto r = pd::read_record(reply, p, rec);
    if (!r) return;
    p = *r;
    (i < v->header().ancount ? answers : authority).push_back(rec);
  }
  auto adjust = [&](uint32_t ttl) {
    if (opts_.min_ttl && ttl < *opts_.min_ttl) ttl = *opts_.min_ttl;
    if (opts_.max_ttl && ttl > *opts_.max_ttl) ttl = *opts_.max_ttl;
    return ttl;
  };
  KeyBuf kb;
  // Entries are stored only once the whole reply has been read: nothing half-parsed.
  std::vector<std::pair<std::string, Entry>> staged;
  auto commit = [&] {
    for (auto& [key, e] : staged) store(std::move(key), std::move(e), now);
  };

  // Follow the CNAME chain from the question name, caching each link.
  pd::Name cur = q.name;
  std::vector<const pd::RecordView*> rrset;
  for (int hop = 0;; ++hop) {
    for (const auto& a : answers)
      if (a.rclass == pd::cls::IN && a.type == q.qtype && a.owner.equals_nocase(cur))
        rrset.push_back(&a);
    if (!rrset.empty()) break;
    const pd::RecordView* link = nullptr;
    for (const auto& a : answers)
      if (a.rclass == pd::cls::IN && a.type == pd::rr::CNAME && a.owner.equals_nocase(cur)) {
        link = &a;
        break;
      }
    if (!link) break;
    if (hop >= kMaxChain) return;  // too long: dnsmasq caches nothing more of it
    pd::Name target;
    if (!pd::read_name(reply, link->rdata_offset, target)) return;
    const uint32_t ttl = adjust(link->ttl);
    if (ttl > 0) {
      Entry e;
      e.type = pd::rr::CNAME;
      e.expiry = now + ttl;
      auto ow = cur.wire();
      e.owner.assign(ow.begin(), ow.end());
      auto tw = target.wire();
      e.rdata.push_back(static_cast<uint8_t>(tw.size() >> 8));
      e.rdata.push_back(static_cast<uint8_t>(tw.size() & 0xff));
      e.rdata.insert(e.rdata.end(), tw.begin(), tw.end());
      e.count = 1;
      staged.emplace_back(std::string(make_key(kb, cur.wire(), pd::rr::CNAME)), std::move(e));
    }
    cur = target;
  }

  if (!rrset.empty()) {
    if (!cacheable(q.qtype, q.name)) return commit();
    Entry e;
    e.type = q.qtype;
    uint32_t ttl = UINT32_MAX;
    std::vector<uint8_t> rd;
    for (const auto* r : rrset) {
      ttl = std::min(ttl, r->ttl);
      rd.clear();
      if (!normalize_rdata(reply, *r, rd) || rd.size() > 0xffff) return;
      e.rdata.push_back(static_cast<uint8_t>(rd.size() >> 8));
      e.rdata.push_back(static_cast<uint8_t>(rd.size() & 0xff));
      e.rdata.insert(e.rdata.end(), rd.begin(), rd.end());
      ++e.count;
    }
    ttl = adjust(ttl);
    if (ttl == 0) return commit();  // dnsmasq never caches a zero TTL
    e.expiry = now + ttl;
    auto ow = cur.wire();
    e.owner.assign(ow.begin(), ow.end());
    staged.emplace_back(std::string(make_key(kb, cur.wire(), q.qtype)), std::move(e));
    return commit();
  }

  // A negative answer: NXDOMAIN for the name whatever the type, NODATA for this type.
  if (!opts_.negative) return commit();
  const bool nx = rc == pd::rcode::NxDomain;
  if (!nx && !cacheable(q.qtype, q.name)) return commit();
  Entry e;
  e.kind = nx ? Kind::NxDomain : Kind::NoData;
  e.type = nx ? kNxType : q.qtype;
  uint32_t ttl = 0;
  for (const auto& a : authority) {
    if (a.type != pd::rr::SOA || a.rclass != pd::cls::IN) continue;
    // The SOA must belong to the name or one of its ancestors.
    auto cw = cur.wire(), sw = a.owner.wire();
    if (sw.size() > cw.size()) continue;
    pd::Name tail;
    if (!pd::read_name(cw, cw.size() - sw.size(), tail) || !tail.equals_nocase(a.owner)) continue;
    if (!normalize_rdata(reply, a, e.soa_rdata)) return;
    const size_t n = e.soa_rdata.size();
    const uint32_t minimum = static_cast<uint32_t>(e.soa_rdata[n - 4]) << 24 |
                             static_cast<uint32_t>(e.soa_rdata[n - 3]) << 16 |
                             static_cast<uint32_t>(e.soa_rdata[n - 2]) << 8 | e.soa_rdata[n - 1];
    ttl = std::min(a.ttl, minimum);
    e.has_soa = true;
    e.soa_owner.assign(sw.begin(), sw.end());
    e.soa_expiry = now + a.ttl;
    break;
  }
  if (!e.has_soa) {
    if (!opts_.neg_ttl) return commit();  // without an SOA only --neg-ttl makes it cacheable
    ttl = *opts_.neg_ttl;
  }
  if (opts_.max_ttl && ttl > *opts_.max_ttl) ttl = *opts_.max_ttl;
  if (ttl == 0) return commit();
  e.expiry = now + ttl;
  auto ow = cur.wire();
  e.owner.assign(ow.begin(), ow.end());
  staged.emplace_back(std::string(make_key(kb, cur.wire(), e.type)), std::move(e));
  commit();
}

size_t DnsCache::longest_chain() const {
  size_t longest = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    for (size_t b = 0; b < s->map.bucket_count(); ++b) longest = std::max(longest, s->map.bucket_size(b));
  }
  return longest;
}

size_t DnsCache::answer(const ClientQuery& q, const CacheReplyParams& p, std::span<uint8_t> out) {
  const auto& qq = q.question;
  if (shards_.empty() || !q.header.rd() || q.do_bit || qq.qclass != pd::cls::IN ||
      out.size() < pd::kHeaderSize + q.question_bytes.size())
    return 0;
  if (qq.qtype == pd::rr::ANY) {
    // Forwarded; dnsmasq 2.90 still logs a cached CNAME of the name first.
    if (p.log) {
      KeyBuf kb;
      auto key = make_key(kb, qq.name.wire(), pd::rr::CNAME);
      Shard& s = shard_for(key);
      std::lock_guard lock(s.mu);
      if (s.find(key, p.now)) (*p.log)(fmt::format("cached {} is <CNAME>", qq.name.to_text()));
    }
    return 0;
  }
  std::vector<std::string> lines;  // only filled when logging
  auto note = [&](std::string s) {
    if (p.log) lines.push_back(std::move(s));
  };
  auto client_ttl = [&](int64_t expiry) {
    int64_t t = std::max<int64_t>(expiry - p.now, 0);
    if (p.client_max_ttl) t = std::min<int64_t>(t, *p.client_max_ttl);
    return static_cast<uint32_t>(std::min<int64_t>(t, INT32_MAX));
  };

  RecordWriter w = start_reply(q, out);
  uint16_t ancount = 0, nscount = 0;
  uint8_t rcode = pd::rcode::NoError;
  bool aa = false, done = false, stale = false;
  // dnsmasq's word for a line: "cached", or "cached-stale" for an expired entry.
  auto word = [&](const Entry& e) {
    const bool old = e.expiry <= p.now;
    stale = stale || old;
    return old ? "cached-stale" : "cached";
  };
  // The SOA of a negative answer goes into the authority section, after every answer
  // record (a negative entry ends the chain, so nothing follows it in the answer section).
  auto write_soa = [&](const Entry& e) {
    if (!e.has_soa) return;
    w.bytes(e.soa_owner);
    w.u16(pd::rr::SOA);
    w.u16(pd::cls::IN);
    w.u32(client_ttl(e.soa_expiry));
    w.u16(static_cast<uint16_t>(e.soa_rdata.size()));
    w.bytes(e.soa_rdata);
    ++nscount;
  };

  pd::Name cur = qq.name;
  size_t owner_at = pd::kHeaderSize;  // where the current owner name was written
  KeyBuf kb;
  for (int hop = 0; hop <= kMaxChain && w.ok; ++hop) {
    // 1. The asked type (for a CNAME query: a cached chain link, answered with AA).
    {
      auto key = make_key(kb, cur.wire(), qq.qtype);
      Shard& s = shard_for(key);
      std::lock_guard lock(s.mu);
      if (Entry* e = s.find(key, p.now)) {
        const char* cached = word(*e);
        if (e->kind == Kind::NoData) {
          write_soa(*e);
          const char* what = qq.qtype == pd::rr::A      ? "NODATA-IPv4"
                             : qq.qtype == pd::rr::AAAA ? "NODATA-IPv6"
                                                        : "NODATA";
          if (p.log) note(fmt::format("{} {} is {}", cached, cur.to_text(), what));
          done = true;
          break;
        }
        const uint32_t ttl = client_ttl(e->expiry);
        const size_t start = opts_.round_robin && e->count ? (e->count - e->rotation % e->count) % e->count : 0;
        ++e->rotation;
        // Records from `start` to the end, then from the first up to `start`.
        auto emit = [&](pd::Bytes rd) {
          w.owner(owner_at, cur.wire());
          w.u16(e->type);
          w.u16(pd::cls::IN);
          w.u32(ttl);
          w.u16(static_cast<uint16_t>(rd.size()));
          w.bytes(rd);
          ++ancount;
          if (!p.log) return;
          std::string addr = rdata_address_text(e->type, rd);
          if (!addr.empty()) {
            note(fmt::format("{} {} is {}", cached, cur.to_text(), addr));
          } else if (e->type == pd::rr::PTR) {
            auto ip = reverse_name_address(lower_name_text(cur));
            note(fmt::format("{} {} is {}", cached, ip ? ip->to_string() : cur.to_text(), wire_name_text(rd)));
          } else {
            note(fmt::format("{} {} is <{}>", cached, cur.to_text(), query_type_text(e->type)));
          }
        };
        size_t i = 0;
        e->for_each_record([&](pd::Bytes rd) {
          if (i++ >= start) emit(rd);
        });
        i = 0;
        e->for_each_record([&](pd::Bytes rd) {
          if (i++ < start) emit(rd);
        });
        aa = qq.qtype == pd::rr::CNAME;
        done = true;
        break;
      }
    }
    // 2. A CNAME link to follow.
    if (qq.qtype != pd::rr::CNAME) {
      auto key = make_key(kb, cur.wire(), pd::rr::CNAME);
      Shard& s = shard_for(key);
      std::unique_lock lock(s.mu);
      if (Entry* e = s.find(key, p.now); e && e->kind == Kind::Positive && e->count == 1) {
        const char* cached = word(*e);
        pd::Bytes target;
        e->for_each_record([&](pd::Bytes r) { target = r; });
        w.owner(owner_at, cur.wire());
        w.u16(pd::rr::CNAME);
        w.u16(pd::cls::IN);
        w.u32(client_ttl(e->expiry));
        w.u16(static_cast<uint16_t>(target.size()));
        const size_t target_at = w.pos;
        w.bytes(target);
        ++ancount;
        pd::Name next;
        if (!pd::read_name(target, 0, next)) return 0;
        lock.unlock();
        if (p.log) note(fmt::format("{} {} is <CNAME>", cached, cur.to_text()));
        cur = next;
        owner_at = target_at;
        continue;
      }
    }
    // 3. NXDOMAIN for the name.
    {
      auto key = make_key(kb, cur.wire(), kNxType);
      Shard& s = shard_for(key);
      std::lock_guard lock(s.mu);
      if (Entry* e = s.find(key, p.now); e && e->kind == Kind::NxDomain) {
        rcode = pd::rcode::NxDomain;
        const char* cached = word(*e);
        write_soa(*e);
        if (p.log) note(fmt::format("{} {} is NXDOMAIN", cached, cur.to_text()));
        done = true;
      }
    }
    break;
  }
  if (!done) {
    // dnsmasq logs the cached links it followed before forwarding the rest.
    if (p.log)
      for (const auto& l : lines) (*p.log)(l);
    return 0;
  }
  ReplyShape shape;
  shape.ancount = ancount;
  shape.nscount = nscount;
  shape.rcode = rcode;
  shape.aa = aa;
  shape.tcp = p.tcp;
  shape.edns_packet_max = p.edns_packet_max;
  const size_t len = finish_reply(w, q, shape);
  if (len == 0) return 0;
  if (p.stale) *p.stale = stale;
  if (p.log)
    for (const auto& l : lines) (*p.log)(l);
  return len;
}

void DnsCache::clear() {
  for (auto& s : shards_) {
    std::lock_guard lock(s->mu);
    s->clear();
  }
}

DnsCache::Counters DnsCache::counters() const {
  Counters c;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    c.insertions += s->insertions;
    c.evictions += s->evictions;
  }
  return c;
}

void DnsCache::dump(int64_t now, const LogSink& sink) const {
  sink(fmt::format("{:<30} {:<40} {:<10} {:<24} {}", "Host", "Address", "Flags", "Expires",
                   "Source"));
  sink(fmt::format("{} {} {} {} {}", std::string(30, '-'), std::string(40, '-'),
                   std::string(10, '-'), std::string(24, '-'), std::string(12, '-')));
  auto line = [&](std::string_view host, std::string_view addr, std::string_view flags,
                  int64_t expiry) {
    sink(fmt::format("{:<30.30} {:<40.40} {:<10} {}", host, addr, flags, expires_text(expiry)));
  };
  auto type_char = [](uint16_t t) {
    return t == pd::rr::A ? '4' : t == pd::rr::AAAA ? '6' : t == pd::rr::CNAME ? 'C' : 'T';
  };
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    for (const Entry* e = s->head; e; e = e->next) {
      if (e->expiry <= now) continue;
      const std::string owner = wire_name_text(e->owner);
      if (e->has_soa && e->soa_expiry > now) line(wire_name_text(e->soa_owner), "<SOA>", "TF", e->soa_expiry);
      switch (e->kind) {
        case Kind::NxDomain:
          line(owner, "", " F   NX", e->expiry);
          break;
        case Kind::NoData: {
          const char t = type_char(e->type);
          const std::string addr = t == 'T' ? "<" + query_type_text(e->type) + ">" : "";
          line(owner, addr, std::string(1, t) + "F   N", e->expiry);
          break;
        }
        case Kind::Positive:
          e->for_each_record([&](pd::Bytes rd) {
            if (e->type == pd::rr::PTR) {
              pd::Name n;
              (void)pd::read_name(e->owner, 0, n);
              auto ip = reverse_name_address(lower_name_text(n));
              line(wire_name_text(rd), ip ? ip->to_string() : owner,
                   ip && ip->is_v6() ? "6 R" : "4 R", e->expiry);
            } else if (e->type == pd::rr::CNAME) {
              line(owner, wire_name_text(rd), "CF", e->expiry);
            } else {
              std::string addr = rdata_address_text(e->type, rd);
              if (addr.empty()) addr = "<" + query_type_text(e->type) + ">";
              line(owner, addr, std::string(1, type_char(e->type)) + "F", e->expiry);
            }
          });
          break;
      }
    }
  }
}

}  // namespace masqd::dns
