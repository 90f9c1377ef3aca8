// DnsCache: dnsmasq's DNS cache. Stores what upstream replies say (RRsets of the cacheable
// types, CNAME chain links, NXDOMAIN and NODATA answers with their SOA) and builds replies
// from it. Records expire at whole seconds as dnsmasq's do (expiry = insertion second +
// TTL). The table is split in shards, each behind its own mutex, keyed by SipHash with a
// per-process random key; each shard evicts least recently used entries. Safe to share
// between threads. No I/O and no clock: callers pass `now` (seconds since the epoch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/siphash.h"
#include "dns/forward_engine.h"
#include "dns/query_log.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

struct CacheOptions {
  size_t capacity = 150;                 // records (--cache-size); 0 disables the cache
  std::optional<uint32_t> neg_ttl;       // --neg-ttl: negative answers without an SOA
  std::optional<uint32_t> min_ttl;       // --min-cache-ttl (at most 3600)
  std::optional<uint32_t> max_ttl;       // --max-cache-ttl
  bool negative = true;                  // false: --no-negcache
  bool round_robin = true;               // false: --no-round-robin
  std::vector<uint16_t> extra_types;     // --cache-rr
  bool all_types = false;                // --cache-rr=ANY
  // --use-stale-cache[=N]: expired entries are still answered (TTL 0) while they expired
  // less than N seconds ago (0: however long ago). Unset: expired entries are dropped.
  std::optional<uint32_t> stale_max;
};

// How a reply made from the cache is shaped for one client.
struct CacheReplyParams {
  int64_t now = 0;
  std::optional<uint32_t> client_max_ttl;  // --max-ttl: caps the TTLs clients see
  uint16_t edns_packet_max = 1232;
  bool tcp = false;
  const LogSink* log = nullptr;  // "cached ..." lines, when --log-queries
  // Set to true when the answer used an expired entry (--use-stale-cache): the caller
  // then refreshes it by forwarding the query with no client waiting.
  bool* stale = nullptr;
};

class DnsCache {
 public:
  explicit DnsCache(CacheOptions opts);
  ~DnsCache();
  DnsCache(const DnsCache&) = delete;
  DnsCache& operator=(const DnsCache&) = delete;

  // Learns from an upstream reply to `q` (already checked to answer q). Callers skip
  // replies they must not cache (truncated, rcode other than NOERROR/NXDOMAIN, CD set).
  void insert_reply(proto::dns::Bytes reply, const proto::dns::Question& q, int64_t now);

  // Writes a reply to `q` into `out` when the cache can answer it and returns its size;
  // 0 when it cannot (the query is then forwarded). Never answers queries with RD clear
  // or DO set, class other than IN, or type ANY, as dnsmasq.
  size_t answer(const ClientQuery& q, const CacheReplyParams& p, std::span<uint8_t> out);

  // SIGHUP: forget everything.
  void clear();

  struct Counters {
    uint64_t insertions = 0;  // records stored
    uint64_t evictions = 0;   // unexpired records pushed out to make room
  };
  Counters counters() const;
  size_t capacity() const;

  // The most entries sharing one hash bucket (SEC-17: stays small whatever the names).
  size_t longest_chain() const;

  // The SIGUSR1 dump lines in dnsmasq's layout (header, rule, one line per record).
  void dump(int64_t now, const LogSink& sink) const;

  // Whether upstream data of this type for this query name is cached (dnsmasq's list:
  // A, AAAA, SRV, PTR for reverse names, CNAME inside chains, plus --cache-rr types).
  bool cacheable(uint16_t qtype, const proto::dns::Name& qname) const;

 private:
  struct Shard;
  struct Entry;
  Shard& shard_for(std::string_view key) const;
  void store(std::string key, Entry e, int64_t now);

  CacheOptions opts_;
  SipKey shard_key_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace masqd::dns
