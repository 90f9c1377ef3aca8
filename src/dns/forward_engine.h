// The DNS forwarder's decisions as pure functions: checking a client query, choosing
// between a local answer and forwarding, checking an upstream reply against the query it
// answers, and turning that reply into the reply for one client. No sockets, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/ip.h"
#include "dns/server_table.h"
#include "proto/dns_builder.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

using proto::dns::Bytes;

// A client query, checked once. Spans point into the received packet.
struct ClientQuery {
  proto::dns::Header header;
  proto::dns::Question question;
  Bytes question_bytes;  // the question exactly as received (uncompressed name, type, class)
  bool has_edns = false;
  bool do_bit = false;
  uint16_t edns_udp = 0;  // the client's advertised size (0 without EDNS)
  uint32_t opt_ttl = 0;   // the client's OPT TTL field (extended rcode, version, flags)
  Bytes opt_options;      // the client's EDNS options (RDATA of its OPT record)
  // Largest UDP reply the client takes: its EDNS size bounded by edns-packet-max, at least
  // 512; 512 without EDNS.
  uint16_t udp_limit = 512;
};

struct CheckedQuery {
  enum class Outcome : uint8_t {
    Ok,
    Drop,     // QR set or shorter than a header: silently ignored
    NotImp,   // opcode other than QUERY
    Refused,  // not exactly one question, or a question that cannot be read
  };
  Outcome outcome = Outcome::Drop;
  ClientQuery query;  // valid for Ok (header also for NotImp/Refused)
};

CheckedQuery check_query(Bytes packet, uint16_t edns_packet_max);

struct FilterOptions {
  bool domain_needed = false;
  bool bogus_priv = false;
};

// What to do with a checked query.
struct Decision {
  enum class Kind : uint8_t { Forward, Reply };
  Kind kind = Kind::Forward;
  const ServerGroup* group = nullptr;  // Forward
  uint8_t rcode = 0;                   // Reply
  bool aa = false;
  std::optional<uint16_t> ede;
  // Reply: the name in dnsmasq's "config <name> is ..." log line; empty when it is the
  // query's own name (made into text only if the line is logged: log_name_for).
  std::string log_name;
};

// The name for a Reply decision's log line.
std::string log_name_for(const Decision& d, const proto::dns::Name& qname);

// dnsmasq's order: --bogus-priv (a local answer), then the server lookup: local-only
// domains, --domain-needed, and REFUSED when the group has no server.
Decision decide(const ClientQuery& q, const ServerTable& servers, const FilterOptions& opts);

// The address an in-addr.arpa / ip6.arpa name stands for (full addresses only).
std::optional<IpAddr> reverse_name_address(std::string_view lower_name);
// --bogus-priv's private and reserved ranges.
bool is_private_address(const IpAddr& ip);

// The merge key: queries equal in all of these share one upstream query (SEC-04).
struct MergeKey {
  std::string name;  // wire bytes, letter case as received
  uint16_t qtype = 0, qclass = 0;
  uint16_t bits = 0;  // RD, CD, DO, EDNS presence
  uint32_t group = 0;
  bool operator==(const MergeKey&) const = default;
};
struct MergeKeyHash {
  size_t operator()(const MergeKey& k) const;
};
MergeKey merge_key(const ClientQuery& q, uint32_t group);

// What happens to EDNS0 options on the way upstream.
struct UpstreamOptions {
  // Encoded `code len data` options put at the end of every query's OPT record
  // (--add-cpe-id); they replace client options of the same codes.
  Bytes add;
  // Codes of client options that are removed (--strip-mac: 65001 and 65073; --strip-subnet: 8).
  std::span<const uint16_t> strip;
};

// Builds the upstream query into `out`: the client's header flags (RD, CD, AD) with `id`,
// the question and, when the client sent one, its OPT record (flags kept, UDP size bounded
// to [512, edns-packet-max], options as `opts` says). Like dnsmasq 2.90, a client without
// EDNS gets an OPT record (UDP size 512) only when there are options to add; `added_opt`
// then says the reply must lose it again. Client options that do not parse are passed on
// as they came. Returns the size, 0 if `out` is smaller than upstream_query_size().
size_t build_upstream_query(const ClientQuery& q, uint16_t id, uint16_t edns_packet_max,
                            std::span<uint8_t> out, bool& added_opt, const UpstreamOptions& opts = {});
// The most build_upstream_query can write for `q`.
size_t upstream_query_size(const ClientQuery& q, const UpstreamOptions& opts = {});

// --do-0x20-encode: flips the case of the first 32 letters of the uncompressed wire name at
// `offset` in `packet`, letter i when bit i of `bits` is set. Other bytes are kept.
void encode_0x20(std::span<uint8_t> packet, size_t offset, uint32_t bits);

enum class ReplyCheck : uint8_t { Ok, Malformed, NotReply, WrongId, WrongQuestion, WrongCase };
// Accepts only a response with `id` whose single question equals `q` (name compared without
// regard to case, same type and class, name not compressed). With `exact_name` (the wire
// name as sent, 0x20-encoded), the reply's name must also have its exact letter case:
// WrongCase when it matches only without regard to case.
ReplyCheck check_reply(Bytes reply, uint16_t id, const proto::dns::Question& q,
                       Bytes exact_name = {});

// What one waiting client needs to get its own copy of a reply.
struct ClientView {
  uint16_t id = 0;
  uint16_t flags = 0;    // the client's header flags (RD, CD restored from it)
  Bytes question_bytes;  // the client's question, copied over the reply's (letter case)
  bool has_edns = false;
  uint16_t udp_limit = 512;
};

// Turns a checked upstream reply into the reply for one client in `out`: the client's ID,
// question bytes, RD and CD; RA set; AD cleared; our OPT stripped (`added_opt`) or the OPT
// size set to `edns_packet_max`. Over UDP (`tcp` false), a reply above the client's limit
// becomes header + question (+ OPT) with TC set. Returns the size, 0 on failure.
size_t make_client_reply(Bytes upstream, const ClientView& c, bool added_opt, bool tcp,
                         uint16_t edns_packet_max, std::span<uint8_t> out);

// A local reply (error or filter answer) for a checked query.
size_t make_local_reply(const ClientQuery& q, uint8_t rcode, bool aa, std::optional<uint16_t> ede,
                        uint16_t edns_packet_max, std::span<uint8_t> out);

// A local answer of one record owned by the question name, with AA (CHAOS TXT answers).
size_t write_record_reply(const ClientQuery& q, uint16_t type, uint16_t rclass, uint32_t ttl,
                          Bytes rdata, uint16_t edns_packet_max, std::span<uint8_t> out);

}  // namespace masqd::dns
