// Fuzz target: the forwarder's handling of untrusted packets (src/dns/forward_engine):
// a client query (check, route, build the upstream query, local reply) and the same bytes
// as an upstream reply (check against a question, the reply filters, rewrite for a client,
// log lines).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "dns/forward_engine.h"
#include "dns/query_log.h"
#include "dns/reply_filter.h"
#include "dns/server_table.h"

using namespace masqd;
using namespace masqd::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ServerTable table = [] {
    config::ServerSpec s;
    s.addr = *IpAddr::parse("127.0.0.1");
    s.port = 5300;
    config::ServerSpec local;
    local.kind = config::ServerSpec::Kind::Local;
    local.domains.push_back(config::DomainPattern{config::DomainPattern::Kind::Suffix, "lan", false});
    return ServerTable::build({s, local}, {});
  }();
  static std::vector<uint8_t> out(70000);
  Bytes in(data, size);

  auto cq = check_query(in, 1232);
  if (cq.outcome == CheckedQuery::Outcome::Ok) {
    const ClientQuery& q = cq.query;
    auto d = decide(q, table, FilterOptions{true, true});
    (void)make_local_reply(q, d.rcode, d.aa, d.ede, 1232, out);
    bool added = false;
    size_t n = build_upstream_query(q, 0x1234, 1232, out, added);
    if (n == 0) std::abort();
    // What we send must itself be a valid query with the same question.
    auto again = check_query(Bytes(out.data(), n), 1232);
    if (again.outcome != CheckedQuery::Outcome::Ok ||
        !again.query.question.name.equals_nocase(q.question.name))
      std::abort();
    // With an option of ours (--add-cpe-id), and the name 0x20-encoded: still a valid
    // query with the same question, now with EDNS.
    static const uint8_t cpe[] = {0xfe, 0x32, 0, 4, 'f', 'u', 'z', 'z'};
    static const uint16_t strip[] = {8, 65001, 65073};
    n = build_upstream_query(q, 0x1234, 1232, out, added, UpstreamOptions{Bytes(cpe, sizeof cpe), strip});
    if (n == 0) std::abort();
    encode_0x20(std::span<uint8_t>(out.data(), n), 12, size >= 4 ? static_cast<uint32_t>(data[size - 1]) * 0x01010101u : 0);
    auto with_opt = check_query(Bytes(out.data(), n), 1232);
    if (with_opt.outcome != CheckedQuery::Outcome::Ok || !with_opt.query.has_edns ||
        !with_opt.query.question.name.equals_nocase(q.question.name))
      std::abort();
    (void)merge_key(q, 0);
    (void)format_query(q.question, *IpAddr::parse("127.0.0.1"));
  }

  // The same bytes as an upstream reply to a fixed question.
  static const proto::dns::Question question = [] {
    proto::dns::Question q;
    q.name = *proto::dns::Name::from_text("www.example.com");
    q.qtype = proto::dns::rr::A;
    q.qclass = proto::dns::cls::IN;
    return q;
  }();
  const uint16_t id = size >= 2 ? static_cast<uint16_t>(data[0] << 8 | data[1]) : 0;
  static const uint8_t sent_name[] = {3, 'w', 'W', 'w', 7, 'E', 'x', 'a', 'M', 'p', 'l', 'e',
                                      3, 'c', 'o', 'M', 0};
  (void)check_reply(in, id, question, Bytes(sent_name, sizeof sent_name));
  if (check_reply(in, id, question) == ReplyCheck::Ok) {
    static const uint8_t qbytes[] = {3, 'W', 'W', 'W', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                     3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    for (bool tcp : {false, true})
      for (bool added : {false, true}) {
        ClientView c{7, 0x0110, Bytes(qbytes, sizeof(qbytes)), true, 512};
        size_t n = make_client_reply(in, c, added, tcp, 1232, out);
        if (n == 0 || (!tcp && n > 1232)) std::abort();
      }
    log_reply(in, question, [](std::string_view) {});
    // Every reply filter on: a changed reply must still be one a client can be given.
    static const ReplyFilters filters = [] {
      ReplyFilters f;
      f.strip_types = {proto::dns::rr::AAAA};
      f.bogus_nxdomain = {*IpPrefix::parse("198.51.100.0/24")};
      f.ignore = {*IpPrefix::parse("192.0.2.5")};
      f.stop_rebind = true;
      config::AddressAlias al;
      al.start = *IpAddr::parse("10.0.0.0");
      al.end = *IpAddr::parse("10.0.0.255");
      al.target = *IpAddr::parse("172.16.0.0");
      al.mask = *IpAddr::parse("255.255.255.0");
      f.aliases = {al};
      return f;
    }();
    static std::vector<uint8_t> filtered(70000);
    const FilterOutcome fo = filter_reply(in, question, filters, filtered);
    if (fo.verdict == FilterOutcome::Verdict::Replaced) {
      if (fo.len == 0 || fo.len > filtered.size()) std::abort();
      Bytes changed(filtered.data(), fo.len);
      if (check_reply(changed, id, question) != ReplyCheck::Ok) std::abort();
      ClientView c{7, 0x0110, Bytes(qbytes, sizeof(qbytes)), true, 512};
      if (make_client_reply(changed, c, false, false, 1232, out) == 0) std::abort();
    }
  }
  return 0;
}
