// Fuzz target: the DNS cache (src/dns/cache) fed an untrusted upstream reply. The reply's
// own question (when it has one) is used as the question it answers; whatever gets stored
// must then come back as a well-formed reply for every type asked, over UDP and TCP, and
// the SIGUSR1 dump must format it. Catches half-parsed entries and writer overruns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "dns/cache.h"
#include "proto/dns_builder.h"

using namespace masqd;
using namespace masqd::dns;
namespace pd = masqd::proto::dns;

namespace {

// A client query for `q` with RD (and EDNS when `edns`), checked as the service would.
std::vector<uint8_t> query_bytes(const pd::Question& q, bool edns) {
  std::vector<uint8_t> b(12);
  pd::Header h;
  h.id = 0x2222;
  h.flags = pd::flag::RD;
  h.qdcount = 1;
  h.arcount = edns ? 1 : 0;
  pd::write_header(h, std::span<uint8_t, 12>(b.data(), 12));
  auto w = q.name.wire();
  b.insert(b.end(), w.begin(), w.end());
  for (uint16_t v : {q.qtype, q.qclass}) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
  }
  if (edns) {
    std::vector<uint8_t> opt(pd::kOptRecordSize);
    pd::write_opt(pd::ReplyEdns{1232, false, std::nullopt}, opt);
    b.insert(b.end(), opt.begin(), opt.end());
  }
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pd::Bytes in(data, size);
  auto v = pd::MessageView::parse(in);
  if (!v || !v->question()) return 0;
  CacheOptions o;
  o.capacity = 64;
  o.neg_ttl = 30;
  o.extra_types = {pd::rr::TXT, pd::rr::MX, pd::rr::NS, pd::rr::SOA, pd::rr::NAPTR};
  DnsCache cache(o);
  const int64_t now = 1'800'000'000;
  cache.insert_reply(in, *v->question(), now);

  static std::vector<uint8_t> out(70000);
  LogSink sink = [](std::string_view line) {
    if (line.empty()) std::abort();
  };
  const uint16_t types[] = {v->question()->qtype, pd::rr::A, pd::rr::AAAA, pd::rr::CNAME,
                            pd::rr::SRV, pd::rr::PTR, pd::rr::MX, pd::rr::ANY};
  for (uint16_t t : types)
    for (bool edns : {false, true})
      for (bool tcp : {false, true}) {
        pd::Question q = *v->question();
        q.qtype = t;
        q.qclass = pd::cls::IN;
        auto qb = query_bytes(q, edns);
        auto cq = check_query(qb, 1232);
        if (cq.outcome != CheckedQuery::Outcome::Ok) continue;
        CacheReplyParams p;
        p.now = now + 1;
        p.tcp = tcp;
        p.log = &sink;
        const size_t n = cache.answer(cq.query, p, out);
        if (n == 0) continue;
        // A reply from the cache must parse, walk to its end, and carry our ID.
        auto r = pd::MessageView::parse(pd::Bytes(out.data(), n), true);
        if (!r || r->header().id != 0x2222 || !r->header().qr()) std::abort();
        if (!tcp && n > cq.query.udp_limit) std::abort();
      }
  cache.dump(now, sink);
  return 0;
}
