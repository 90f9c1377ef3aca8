#include "dns/local_answer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "dns/record_writer.h"
#include "dns/server_table.h"
#include "local/dynamic_host.h"
#include "net/interfaces.h"
#include "net/local_prefix.h"

namespace masqd::dns {

namespace {

namespace pd = proto::dns;

constexpr int kMaxCnameHops = 10;

// Collects the log lines of one answer; written only once the reply is certain. Callers
// make a line only when on(): most queries are not logged, and the text costs allocations.
struct Notes {
  const LogSink* sink;
  std::vector<std::string> lines;
  bool on() const { return sink != nullptr; }
  void add(std::string s) {
    if (sink) lines.push_back(std::move(s));
  }
  void flush() const {
    if (sink)
      for (const auto& l : lines) (*sink)(l);
  }
};

pd::Bytes address_rdata(const IpAddr& a) { return pd::Bytes(a.bytes().data(), a.size()); }

bool type_matches(uint16_t qtype, uint16_t rtype) { return qtype == rtype || qtype == pd::rr::ANY; }

// Score of a DomainSet match of `labels` labels against the name: the length of the
// matching suffix in the name's text (escapes counted as to_text writes them), on the same
// scale as domain_match_score (0 for the root entry "#"). Read from the wire: no text made.
int suffix_score(const pd::Name& name, uint8_t labels) {
  if (labels == 0) return 0;
  const auto w = name.wire();
  std::array<uint16_t, 128> starts;
  size_t n = 0;
  for (size_t p = 0; p < w.size() && w[p] != 0 && n < starts.size(); p += 1 + w[p]) starts[n++] = static_cast<uint16_t>(p);
  size_t len = 0;
  for (size_t i = n - std::min<size_t>(labels, n); i < n; ++i) {
    const size_t p = starts[i];
    for (size_t j = p + 1; j <= p + w[p]; ++j) {
      const uint8_t c = w[j];
      len += (c == '.' || c == '\\') ? 2 : (c < 0x21 || c > 0x7e) ? 4 : 1;
    }
    len += 1;  // the dot before the next label (none after the last)
  }
  return static_cast<int>(len - 1) * 2 + 1;
}

bool has_v4(std::span<const local::HostAddress> addrs) {
  return std::any_of(addrs.begin(), addrs.end(), [](const local::HostAddress& a) { return a.addr.is_v4(); });
}

// A lease name is in DNS while the lease lasts; its TTL never outlives the lease.
bool lease_live(const local::LeaseNameEntry& e, std::chrono::sys_seconds now) {
  return e.expires == std::chrono::sys_seconds{} || e.expires > now;
}
uint32_t lease_ttl(const local::LeaseNameEntry& e, const LocalAnswerParams& p) {
  if (e.expires == std::chrono::sys_seconds{}) return p.dhcp_ttl;
  const auto left = static_cast<uint64_t>((e.expires - p.now).count());
  return left < p.dhcp_ttl ? static_cast<uint32_t>(left) : p.dhcp_ttl;
}

}  // namespace

namespace {

// The PTR of a leased address: the lease's first name the hosts data does not own.
uint16_t answer_lease_ptr(const local::LeaseNameTable& leases, const LocalData& d, const IpAddr& ip,
                          const pd::Name& owner, size_t owner_at, const LocalAnswerParams& p,
                          RecordWriter& w, Notes& notes) {
  const local::LeaseNameEntry* e = leases.entry_of(ip);
  if (!e || !lease_live(*e, p.now)) return 0;
  for (const auto& name : leases.names_of(ip)) {
    if (has_v4(d.hosts().addresses(std::string_view(name)))) continue;
    auto wire = pd::Name::from_text(name);
    if (!wire) continue;
    if (notes.on()) notes.add(fmt::format("DHCP {} is {}", ip.to_string(), name));
    return w.record(owner_at, owner.wire(), pd::rr::PTR, lease_ttl(*e, p), wire->wire()) ? 1 : 0;
  }
  return 0;
}

// --selfmx / --localmx for `cur`: MX 1 naming the host itself (as the query spelt it) or the
// --localmx target, when `cur` is a hosts-data or DHCP name with no config MX record; dnsmasq
// 2.90 gives it the --local-ttl and no additional section. Returns the records written.
uint16_t answer_host_mx(const LocalData& d, const pd::Name& cur, size_t owner_at, const LocalAnswerParams& p,
                        RecordWriter& w, Notes& notes) {
  if (const auto* recs = d.records(cur))
    for (const auto& r : *recs)
      if (r.type == pd::rr::MX) return 0;
  if (!d.hosts().exists(cur) && !(p.leases && p.leases->has(cur))) return 0;
  std::array<uint8_t, 2 + pd::kMaxNameWire> rd{0, 1};
  const pd::Bytes target = d.self_mx() ? cur.wire() : pd::Bytes(*d.host_mx_target());
  if (target.size() > pd::kMaxNameWire) return 0;
  std::copy(target.begin(), target.end(), rd.begin() + 2);
  const bool put = w.record(owner_at, cur.wire(), pd::rr::MX, d.local_ttl(), pd::Bytes(rd.data(), 2 + target.size()));
  if (notes.on()) notes.add(fmt::format("config {} is <MX>", cur.to_text()));
  return put ? 1 : 0;
}

// --localise-queries: when the query came to a local IPv4 address and the name has several
// IPv4 addresses, some of them on that address's subnet, the subnet (only those answer).
// `addr_of` gives an element's address (hosts entries and plain addresses both pass here).
template <typename Range, typename AddrOf>
std::optional<IpPrefix> localised_subnet(const Range& addrs, AddrOf addr_of, uint16_t qt, const LocalAnswerParams& p) {
  if (!p.local_addr || !p.local_addr->is_v4() || qt == pd::rr::AAAA) return std::nullopt;
  int v4 = 0;
  for (const auto& a : addrs) v4 += addr_of(a).is_v4() ? 1 : 0;
  if (v4 < 2) return std::nullopt;
  const auto subnet = p.local_prefix ? p.local_prefix(*p.local_addr) : net::local_address_prefix(*p.local_addr);
  if (!subnet) return std::nullopt;
  for (const auto& a : addrs)
    if (subnet->contains(addr_of(a))) return subnet;
  return std::nullopt;
}

std::vector<IpAddr> dynamic_addresses(const config::DynamicHost& h, const LocalAnswerParams& p) {
  const auto prefixes = p.interface_prefixes ? p.interface_prefixes(h.interface) : net::interface_prefixes(h.interface);
  return local::dynamic_host_addresses(h, prefixes);
}

// --dynamic-host PTR: the first --dynamic-host with the address on its interface now. As
// dnsmasq 2.90 answers them, the search stops at the first --dynamic-host (in config order)
// that has no host part of the address's family: the ones after it get no PTR of that family.
uint16_t answer_dynamic_ptr(const LocalData& d, const IpAddr& ip, const pd::Name& owner, const LocalAnswerParams& p,
                            RecordWriter& w, Notes& notes) {
  for (const auto& h : d.dynamic_hosts()) {
    if (!(ip.is_v4() ? h.v4 : h.v6)) break;
    const auto addrs = dynamic_addresses(h, p);
    if (std::find(addrs.begin(), addrs.end(), ip) == addrs.end()) continue;
    const auto wire = pd::Name::from_text(h.name);
    if (!wire) continue;
    const bool put = w.record(pd::kHeaderSize, owner.wire(), pd::rr::PTR, d.local_ttl(), wire->wire());
    if (notes.on()) notes.add(fmt::format("config {} is {}", ip.to_string(), h.name));
    return put ? 1 : 0;
  }
  return 0;
}

// --synth-domain A/AAAA (ANY: whichever family the name is made for): the address the name
// spells, with the --local-ttl, logged "config name is addr" as dnsmasq 2.90 does.
uint16_t answer_synth_name(const LocalData& d, const pd::Name& name, size_t owner_at, uint16_t qt, bool skip4,
                           bool skip6, RecordWriter& w, Notes& notes) {
  const std::string text = lower_name_text(name);
  for (const auto family : {IpAddr::Family::V4, IpAddr::Family::V6}) {
    const uint16_t t = family == IpAddr::Family::V4 ? pd::rr::A : pd::rr::AAAA;
    if (!type_matches(qt, t) || (family == IpAddr::Family::V4 ? skip4 : skip6)) continue;
    const auto addr = d.synth().address_of(text, family);
    if (!addr) continue;
    const bool put = w.record(owner_at, name.wire(), t, d.local_ttl(), address_rdata(*addr));
    if (notes.on()) notes.add(fmt::format("config {} is {}", name.to_text(), addr->to_string()));
    return put ? 1 : 0;
  }
  return 0;
}

// --synth-domain PTR: the name made for the address, logged "config addr is name".
uint16_t answer_synth_ptr(const LocalData& d, const IpAddr& ip, const pd::Name& owner, RecordWriter& w,
                          Notes& notes) {
  const auto name = d.synth().name_of(ip);
  if (!name) return 0;
  const auto wire = pd::Name::from_text(*name);
  if (!wire) return 0;
  const bool put = w.record(pd::kHeaderSize, owner.wire(), pd::rr::PTR, d.local_ttl(), wire->wire());
  if (notes.on()) notes.add(fmt::format("config {} is {}", ip.to_string(), *name));
  return put ? 1 : 0;
}

}  // namespace

std::optional<IpPrefix> localised_subnet(std::span<const IpAddr> addrs, uint16_t qtype,
                                         const std::optional<IpAddr>& local_addr) {
  LocalAnswerParams p;
  p.local_addr = local_addr;
  return localised_subnet(addrs, [](const IpAddr& a) { return a; }, qtype, p);
}

size_t answer_local_data(const LocalData& d, const ClientQuery& q, const LocalAnswerParams& p,
                         std::span<uint8_t> out) {
  const uint16_t qt = q.question.qtype;
  if (q.question.qclass != pd::cls::IN) return 0;
  RecordWriter w = start_reply(q, out, !p.tcp);
  Notes notes{p.log, {}};
  uint16_t ancount = 0;
  pd::Name cur = q.question.name;
  size_t owner_at = pd::kHeaderSize;  // where the current owner name was written
  std::vector<std::pair<size_t, pd::Bytes>> targets;  // MX/SRV targets: where written, wire

  // 1. --cname aliases, followed through further aliases (a CNAME query gets one link).
  bool aliased = false;
  bool answered4 = false, answered6 = false;  // an address of that family was given
  std::vector<std::string> dyn_nodata;  // --dynamic-host names without the asked family
  for (int hop = 0; hop < kMaxCnameHops; ++hop) {
    const LocalCname* c = d.cname(cur);
    if (!c) break;
    const size_t at = w.record(owner_at, cur.wire(), pd::rr::CNAME, c->ttl, c->target);
    if (at) ++ancount;
    aliased = true;
    if (notes.on()) notes.add(fmt::format("config {} is <CNAME>", cur.to_text()));
    pd::Name next;
    if (!pd::read_name(c->target, 0, next)) return 0;
    cur = next;
    owner_at = at;
    if (qt == pd::rr::CNAME) break;
  }

  if (!(aliased && qt == pd::rr::CNAME)) {
    // 2. Hosts and --host-record addresses.
    if (qt == pd::rr::A || qt == pd::rr::AAAA || qt == pd::rr::ANY) {
      const auto near = localised_subnet(d.hosts().addresses(cur), [](const local::HostAddress& a) { return a.addr; }, qt, p);
      for (const auto& ha : d.hosts().addresses(cur)) {
        const uint16_t t = ha.addr.is_v4() ? pd::rr::A : pd::rr::AAAA;
        if (!type_matches(qt, t)) continue;
        if (near && ha.addr.is_v4() && !near->contains(ha.addr)) continue;
        const LocalSource& src = d.source(ha.source);
        if (w.record(owner_at, cur.wire(), t, src.ttl, address_rdata(ha.addr))) ++ancount;
        (ha.addr.is_v4() ? answered4 : answered6) = true;
        if (notes.on()) notes.add(fmt::format("{} {} is {}", src.label, cur.to_text(), ha.addr.to_string()));
      }
    }
    // 2a. --dynamic-host: the interface's networks with the configured host part.
    if (!d.dynamic_hosts().empty() && (qt == pd::rr::A || qt == pd::rr::AAAA || qt == pd::rr::ANY)) {
      const std::string lower = lower_name_text(cur);
      bool named = false, have4 = false, have6 = false;
      for (const auto& h : d.dynamic_hosts()) {
        if (h.name != lower) continue;
        named = true;
        const auto addrs = dynamic_addresses(h, p);
        const auto near = localised_subnet(addrs, [](const IpAddr& a) { return a; }, qt, p);
        for (const auto& a : addrs) {
          const uint16_t t = a.is_v4() ? pd::rr::A : pd::rr::AAAA;
          if (!type_matches(qt, t)) continue;
          if (near && a.is_v4() && !near->contains(a)) continue;
          (a.is_v4() ? have4 : have6) = true;
          if (w.record(owner_at, cur.wire(), t, d.local_ttl(), address_rdata(a))) ++ancount;
          (a.is_v4() ? answered4 : answered6) = true;
          if (notes.on()) notes.add(fmt::format("config {} is {}", cur.to_text(), a.to_string()));
        }
      }
      // As for --interface-name, dnsmasq 2.90 logs a family the name has no address of, and
      // the line stays even when the query is then forwarded.
      if (named && notes.on()) {
        if (!have4 && qt != pd::rr::AAAA) dyn_nodata.push_back(fmt::format("config {} is NODATA-IPv4", cur.to_text()));
        if (!have6 && qt != pd::rr::A) dyn_nodata.push_back(fmt::format("config {} is NODATA-IPv6", cur.to_text()));
      }
    }
    // 2b. DHCP lease names (IPv4), unless the hosts data has the name with an IPv4 address
    // (then the lease never got it: dnsmasq logs "not giving name ..." at lease time).
    if (p.leases && (qt == pd::rr::A || qt == pd::rr::ANY) && p.leases->has(cur) &&
        !has_v4(d.hosts().addresses(cur))) {
      for (const auto& hit : p.leases->find(cur)) {
        if (!lease_live(*hit.entry, p.now) || d.hosts().ptr(hit.addr)) continue;
        if (w.record(owner_at, cur.wire(), pd::rr::A, lease_ttl(*hit.entry, p), address_rdata(hit.addr))) ++ancount;
        answered4 = true;
        if (notes.on()) notes.add(fmt::format("DHCP {} is {}", cur.to_text(), hit.addr.to_string()));
      }
    }
    // 3. Config records (--txt-record, --mx-host, --ptr-record, ...).
    if (const auto* recs = d.records(cur)) {
      for (const auto& r : *recs) {
        if (!type_matches(qt, r.type)) continue;
        if (const size_t at = w.record(owner_at, cur.wire(), r.type, r.ttl, r.rdata)) {
          ++ancount;
          // An MX or SRV target's hosts addresses go into the additional section.
          if (r.type == pd::rr::MX) targets.emplace_back(at + 2, pd::Bytes(r.rdata).subspan(2));
          if (r.type == pd::rr::SRV) targets.emplace_back(at + 6, pd::Bytes(r.rdata).subspan(6));
        }
        if (notes.on()) notes.add(fmt::format("config {} is <{}>", cur.to_text(), query_type_text(r.type)));
      }
    }
    // 3b. --selfmx / --localmx: a local host with no MX of its own gets one.
    if ((qt == pd::rr::MX || qt == pd::rr::ANY) && (d.self_mx() || d.host_mx_target()))
      ancount += answer_host_mx(d, cur, owner_at, p, w, notes);
    // 3c. --synth-domain: a name (or --cname target) no hosts, dynamic-host or lease data
    // gives an address of that family.
    if (!d.synth().empty() && (qt == pd::rr::A || qt == pd::rr::AAAA || qt == pd::rr::ANY))
      ancount += answer_synth_name(d, cur, owner_at, qt, answered4, answered6, w, notes);
    // 4. PTR for an address of the host table.
    if (qt == pd::rr::PTR && !aliased && ancount == 0) {
      if (auto ip = reverse_name_address(lower_name_text(cur))) {
        if (auto ptr = d.hosts().ptr(*ip)) {
          std::array<uint8_t, pd::kMaxNameWire> buf{};
          size_t n = 0;
          if (auto name = pd::Name::from_text(ptr->name)) {
            auto wire = name->wire();
            std::copy(wire.begin(), wire.end(), buf.begin());
            n = wire.size();
          }
          if (n) {
            const LocalSource& src = d.source(ptr->source);
            if (w.record(owner_at, cur.wire(), pd::rr::PTR, src.ttl, pd::Bytes(buf.data(), n))) ++ancount;
            if (notes.on()) notes.add(fmt::format("{} {} is {}", src.label, ip->to_string(), ptr->name));
          }
        } else if (p.leases) {
          ancount += answer_lease_ptr(*p.leases, d, *ip, cur, owner_at, p, w, notes);
        }
        // 4a. --dynamic-host addresses.
        if (ancount == 0 && !w.truncated && !d.dynamic_hosts().empty())
          ancount += answer_dynamic_ptr(d, *ip, cur, p, w, notes);
        // 4b. --synth-domain names, after every other PTR source.
        if (ancount == 0 && !w.truncated && !d.synth().empty())
          ancount += answer_synth_ptr(d, *ip, cur, w, notes);
      }
    }
  }
  if (ancount == 0 && !w.truncated) {
    for (const auto& l : dyn_nodata) (*p.log)(l);
    return 0;
  }
  for (auto& l : dyn_nodata) notes.add(std::move(l));
  uint16_t additional = 0;
  for (const auto& [at, wire] : targets) {
    pd::Name target;
    if (!pd::read_name(wire, 0, target)) continue;
    for (const auto& ha : d.hosts().addresses(target)) {
      const uint16_t t = ha.addr.is_v4() ? pd::rr::A : pd::rr::AAAA;
      if (w.extra_record(at, target.wire(), t, d.source(ha.source).ttl, address_rdata(ha.addr))) ++additional;
    }
  }
  ReplyShape shape;
  shape.ancount = ancount;
  shape.additional = additional;
  shape.aa = true;
  shape.tcp = p.tcp;
  shape.edns_packet_max = p.edns_packet_max;
  const size_t len = finish_reply(w, q, shape);
  if (len) notes.flush();
  return len;
}

AddressMatch match_address(const LocalData& d, const proto::dns::Name& name, uint16_t qtype) {
  AddressMatch best;
  const AddressData& ad = d.addresses();
  const auto hit = ad.rules.set().empty() ? local::AddressRules::Hit{} : ad.rules.lookup(name, qtype);
  if (hit.answer) {
    best.answer = hit.answer;
    best.score = suffix_score(name, hit.labels);
  }
  // The lower-case text (an allocation) only for the patterns that need it.
  if (ad.leftovers.empty()) return best;
  const std::string lower = lower_name_text(name);
  for (const auto& [pattern, answer] : ad.leftovers) {
    const int s = domain_match_score(pattern, lower);
    if (s < 0) continue;
    if (!answer.answers(qtype)) {
      if (pattern.kind == config::DomainPattern::Kind::Unqualified) best.refuse = true;
      continue;
    }
    if (s <= best.score) continue;
    best.answer = &answer;
    best.score = s;
  }
  return best;
}

size_t answer_address(const LocalData& d, const local::AddressAnswer& a, const ClientQuery& q,
                      const LocalAnswerParams& p, std::span<uint8_t> out) {
  const uint16_t qt = q.question.qtype;
  RecordWriter w = start_reply(q, out, !p.tcp);
  Notes notes{p.log, {}};
  uint16_t ancount = 0;
  const std::string name = notes.on() ? q.question.name.to_text() : std::string();
  const uint32_t ttl = d.local_ttl();
  auto put = [&](const IpAddr& ip) {
    if (w.record(pd::kHeaderSize, q.question.name.wire(), ip.is_v4() ? pd::rr::A : pd::rr::AAAA, ttl,
                 address_rdata(ip)))
      ++ancount;
    if (notes.on()) notes.add(fmt::format("config {} is {}", name, ip.to_string()));
  };
  const IpAddr zero4 = IpAddr::v4({0, 0, 0, 0});
  const IpAddr zero6 = IpAddr::v6({});
  // dnsmasq 2.90: A and AAAA take the literals of their family, else "#" zeros; ANY takes
  // the IPv6 literals, else the IPv4 ones, else both zeros.
  if (qt == pd::rr::A) {
    for (const auto& ip : a.v4) put(ip);
    if (a.v4.empty() && a.zeros) put(zero4);
  } else if (qt == pd::rr::AAAA) {
    for (const auto& ip : a.v6) put(ip);
    if (a.v6.empty() && a.zeros) put(zero6);
  } else if (qt == pd::rr::ANY) {
    if (!a.v6.empty()) {
      for (const auto& ip : a.v6) put(ip);
    } else if (!a.v4.empty()) {
      for (const auto& ip : a.v4) put(ip);
    } else if (a.zeros) {
      put(zero4);
      put(zero6);
    }
  }
  ReplyShape shape;
  shape.ancount = ancount;
  shape.tcp = p.tcp;
  shape.edns_packet_max = p.edns_packet_max;
  if (ancount) {
    shape.aa = true;
  } else {
    const bool nodata = d.exists(q.question.name) || !a.v4.empty() || !a.v6.empty() || a.zeros;
    shape.rcode = nodata ? pd::rcode::NoError : pd::rcode::NxDomain;
    const char* what = !nodata                                        ? "NXDOMAIN"
                       : qt == pd::rr::A || qt == pd::rr::ANY ? "NODATA-IPv4"
                       : qt == pd::rr::AAAA                           ? "NODATA-IPv6"
                                                                      : "NODATA";
    if (notes.on()) notes.add(fmt::format("config {} is {}", name, what));
  }
  const size_t len = finish_reply(w, q, shape);
  if (len) notes.flush();
  return len;
}

}  // namespace masqd::dns
