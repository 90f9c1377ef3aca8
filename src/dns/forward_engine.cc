#include "dns/forward_engine.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "base/text.h"

namespace masqd::dns {

namespace pd = proto::dns;

CheckedQuery check_query(Bytes packet, uint16_t edns_packet_max) {
  CheckedQuery out;
  auto h = pd::parse_header(packet);
  if (!h || h->qr()) return out;  // Drop
  out.query.header = *h;
  if (h->opcode() != 0) {
    out.outcome = CheckedQuery::Outcome::NotImp;
    return out;
  }
  out.outcome = CheckedQuery::Outcome::Refused;
  if (h->qdcount != 1) return out;
  ClientQuery& q = out.query;
  auto end = pd::read_question(packet, pd::kHeaderSize, q.question);
  // The question's name must be written out in full (nothing to point back to).
  if (!end || *end != pd::kHeaderSize + q.question.name.wire_size() + 4) return out;
  q.question_bytes = packet.subspan(pd::kHeaderSize, *end - pd::kHeaderSize);
  // EDNS: only from a message that walks cleanly; otherwise the query goes on without it.
  if (auto v = pd::MessageView::parse(packet); v && v->edns()) {
    q.has_edns = true;
    q.do_bit = v->edns()->do_bit;
    q.edns_udp = v->edns()->udp_size;
    q.opt_ttl = static_cast<uint32_t>(v->edns()->extended_rcode) << 24 |
                static_cast<uint32_t>(v->edns()->version) << 16 | (q.do_bit ? 0x8000u : 0u);
    q.opt_options = packet.subspan(v->edns()->options_offset, v->edns()->options_length);
  }
  const uint16_t max = std::max<uint16_t>(512, edns_packet_max);
  q.udp_limit = q.has_edns ? std::clamp<uint16_t>(q.edns_udp, 512, max) : 512;
  out.outcome = CheckedQuery::Outcome::Ok;
  return out;
}

std::optional<IpAddr> reverse_name_address(std::string_view n) {
  constexpr std::string_view v4 = ".in-addr.arpa", v6 = ".ip6.arpa";
  if (n.size() > v4.size() && n.substr(n.size() - v4.size()) == v4) {
    auto parts = text::split(n.substr(0, n.size() - v4.size()), '.');
    if (parts.size() != 4) return std::nullopt;
    std::array<uint8_t, 4> b{};
    for (size_t i = 0; i < 4; ++i) {
      auto v = text::parse_uint<uint8_t>(parts[3 - i]);
      if (!v || (parts[3 - i].size() > 1 && parts[3 - i][0] == '0')) return std::nullopt;
      b[i] = *v;
    }
    return IpAddr::v4(b);
  }
  if (n.size() > v6.size() && n.substr(n.size() - v6.size()) == v6) {
    auto parts = text::split(n.substr(0, n.size() - v6.size()), '.');
    if (parts.size() != 32) return std::nullopt;
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < 32; ++i) {
      auto p = parts[31 - i];
      if (p.size() != 1) return std::nullopt;
      char c = p[0];
      int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (v < 0) return std::nullopt;
      b[i / 2] = static_cast<uint8_t>(b[i / 2] | (i % 2 == 0 ? v << 4 : v));
    }
    return IpAddr::v6(b);
  }
  return std::nullopt;
}

bool is_private_address(const IpAddr& ip) {
  static const char* const kRanges[] = {
      "10.0.0.0/8",      "172.16.0.0/12",  "192.168.0.0/16",  "100.64.0.0/10",
      "169.254.0.0/16",  "192.0.2.0/24",   "198.51.100.0/24", "203.0.113.0/24",
      "127.0.0.0/8",     "0.0.0.0/8",      "255.255.255.255/32",
      "::/128",          "::1/128",        "fe80::/10",       "fec0::/10",
      "fd00::/8",        "2001:db8::/32",
  };
  static const auto prefixes = [] {
    std::vector<IpPrefix> v;
    for (const char* r : kRanges) v.push_back(*IpPrefix::parse(r));
    return v;
  }();
  if (ip.is_v6()) {
    const auto& b = ip.bytes();
    // IPv4-mapped: judge the embedded IPv4 address.
    if (std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
        b[10] == 0xff && b[11] == 0xff)
      return is_private_address(IpAddr::v4({b[12], b[13], b[14], b[15]}));
  }
  for (const auto& p : prefixes)
    if (p.addr.family() == ip.family() && p.contains(ip)) return true;
  return false;
}

Decision decide(const ClientQuery& q, const ServerTable& servers, const FilterOptions& opts) {
  Decision d;
  const Route route = servers.route(q.question.name);
  // No text is made here unless a rule needs it: this runs for every query.
  auto reply = [&d](uint8_t rc, bool aa, std::string log_name) {
    d.kind = Decision::Kind::Reply;
    d.rcode = rc;
    d.aa = aa;
    d.log_name = std::move(log_name);
  };
  if (opts.bogus_priv && q.question.qtype == pd::rr::PTR && !route.domain_specific) {
    if (auto ip = reverse_name_address(lower_name_text(q.question.name)); ip && is_private_address(*ip)) {
      reply(pd::rcode::NxDomain, true, ip->to_string());
      return d;
    }
  }
  if (route.kind == Route::Kind::LocalOnly) {
    reply(pd::rcode::NxDomain, false, {});
    return d;
  }
  const uint16_t t = q.question.qtype;
  // An unqualified name: exactly one label (a label holding a '.' byte counts as dotted,
  // as it does in the name's text).
  auto unqualified = [&q] {
    const auto w = q.question.name.wire();
    return w.size() > 1 && static_cast<size_t>(w[0]) + 2 == w.size() &&
           std::find(w.begin() + 1, w.end() - 1, uint8_t{'.'}) == w.end() - 1;
  };
  if (opts.domain_needed && (t == pd::rr::A || t == pd::rr::AAAA || t == pd::rr::ANY) && unqualified()) {
    reply(pd::rcode::NxDomain, false, {});
    return d;
  }
  if (route.group == nullptr || route.group->servers.empty()) {
    reply(pd::rcode::Refused, false, "error");
    d.ede = pd::ede::NotReady;
    return d;
  }
  d.kind = Decision::Kind::Forward;
  d.group = route.group;
  return d;
}

std::string log_name_for(const Decision& d, const proto::dns::Name& qname) {
  return d.log_name.empty() ? qname.to_text() : d.log_name;
}

size_t MergeKeyHash::operator()(const MergeKey& k) const {
  size_t h = std::hash<std::string>{}(k.name);
  h ^= (static_cast<size_t>(k.qtype) << 32 | static_cast<size_t>(k.qclass) << 16 | k.bits) +
       0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= static_cast<size_t>(k.group) * 0x9e3779b97f4a7c15ULL;
  return h;
}

MergeKey merge_key(const ClientQuery& q, uint32_t group) {
  MergeKey k;
  auto w = q.question.name.wire();
  k.name.assign(reinterpret_cast<const char*>(w.data()), w.size());
  k.qtype = q.question.qtype;
  k.qclass = q.question.qclass;
  k.bits = static_cast<uint16_t>((q.header.rd() ? 1 : 0) | (q.header.cd() ? 2 : 0) |
                                 (q.do_bit ? 4 : 0) | (q.has_edns ? 8 : 0));
  k.group = group;
  return k;
}

namespace {

// pd::for_each_edns_option over a bare OPT RDATA (`options`), with each option's whole
// `code len data` bytes: fn(code, whole).
template <typename Fn>
bool for_each_option(Bytes options, Fn&& fn) {
  pd::Edns all;
  all.options_length = static_cast<uint16_t>(std::min<size_t>(options.size(), 0xffff));
  return pd::for_each_edns_option(options, all, [&](uint16_t code, Bytes data) {
    fn(code, Bytes(data.data() - 4, data.size() + 4));
  });
}

}  // namespace

size_t upstream_query_size(const ClientQuery& q, const UpstreamOptions& opts) {
  return pd::kHeaderSize + q.question_bytes.size() + pd::kOptRecordSize + q.opt_options.size() +
         opts.add.size();
}

size_t build_upstream_query(const ClientQuery& q, uint16_t id, uint16_t edns_packet_max,
                            std::span<uint8_t> out, bool& added_opt, const UpstreamOptions& opts) {
  const Bytes add_options = opts.add;
  added_opt = false;
  const bool opt = q.has_edns || !add_options.empty();
  if (out.size() < upstream_query_size(q, opts)) return 0;
  pd::Header h;
  h.id = id;
  h.flags = q.header.flags & (pd::flag::RD | pd::flag::CD | pd::flag::AD);
  h.qdcount = 1;
  h.arcount = opt ? 1 : 0;
  pd::write_header(h, std::span<uint8_t, pd::kHeaderSize>(out.data(), pd::kHeaderSize));
  size_t p = pd::kHeaderSize;
  std::memcpy(out.data() + p, q.question_bytes.data(), q.question_bytes.size());
  p += q.question_bytes.size();
  if (!opt) return p;  // dnsmasq 2.90 adds no OPT of its own unless it adds an option
  const uint16_t max = std::max<uint16_t>(512, edns_packet_max);
  const size_t rr = p;
  out[p] = 0;
  pd::put_u16(out, p + 1, pd::rr::OPT);
  // A client without EDNS takes 512 bytes, and the OPT we add says so (as dnsmasq).
  pd::put_u16(out, p + 3, q.has_edns ? std::clamp<uint16_t>(q.edns_udp, 512, max) : 512);
  pd::put_u16(out, p + 5, q.has_edns ? static_cast<uint16_t>(q.opt_ttl >> 16) : 0);
  pd::put_u16(out, p + 7, q.has_edns ? static_cast<uint16_t>(q.opt_ttl & 0xffff) : 0);
  p += pd::kOptRecordSize;
  // The client's options, less those stripped and those we add ourselves (ours replace
  // them, as dnsmasq's do).
  auto dropped = [&](uint16_t code) {
    if (std::find(opts.strip.begin(), opts.strip.end(), code) != opts.strip.end()) return true;
    bool ours = false;
    (void)for_each_option(add_options, [&](uint16_t c, Bytes) { ours = ours || c == code; });
    return ours;
  };
  auto keep = [&](uint16_t code, Bytes whole) {
    if (dropped(code)) return;
    std::memcpy(out.data() + p, whole.data(), whole.size());
    p += whole.size();
  };
  const bool filter = !opts.strip.empty() || !add_options.empty();
  if (q.has_edns && !q.opt_options.empty() && (!filter || !for_each_option(q.opt_options, keep))) {
    // Nothing to drop, or client options that do not parse: passed on as they came.
    p = rr + pd::kOptRecordSize;
    std::memcpy(out.data() + p, q.opt_options.data(), q.opt_options.size());
    p += q.opt_options.size();
  }
  if (!add_options.empty()) std::memcpy(out.data() + p, add_options.data(), add_options.size());
  p += add_options.size();
  const size_t rdlen = p - rr - pd::kOptRecordSize;
  if (rdlen > 0xffff) return 0;
  pd::put_u16(out, rr + 9, static_cast<uint16_t>(rdlen));
  added_opt = !q.has_edns;
  return p;
}

void encode_0x20(std::span<uint8_t> packet, size_t offset, uint32_t bits) {
  size_t p = offset;
  int letter = 0;
  while (p < packet.size() && packet[p] != 0 && letter < 32) {
    const size_t len = packet[p];
    if (len > 63) return;  // a pointer or a reserved label type: not a plain name
    for (size_t i = p + 1; i <= p + len && i < packet.size() && letter < 32; ++i) {
      const uint8_t c = packet[i];
      if ((c | 0x20) < 'a' || (c | 0x20) > 'z') continue;
      if (bits >> letter & 1) packet[i] = static_cast<uint8_t>(c ^ 0x20);
      ++letter;
    }
    p += len + 1;
  }
}

ReplyCheck check_reply(Bytes reply, uint16_t id, const pd::Question& q, Bytes exact_name) {
  auto v = pd::MessageView::parse(reply);
  if (!v) return ReplyCheck::Malformed;
  const auto& h = v->header();
  if (!h.qr() || h.opcode() != 0) return ReplyCheck::NotReply;
  if (h.id != id) return ReplyCheck::WrongId;
  if (!v->question()) return ReplyCheck::WrongQuestion;
  const auto& rq = *v->question();
  if (rq.qtype != q.qtype || rq.qclass != q.qclass || !rq.name.equals_nocase(q.name))
    return ReplyCheck::WrongQuestion;
  // The first name of a message cannot be compressed usefully; insist on the plain form so
  // the client's question bytes can be copied over it.
  if (v->answer_offset() != pd::kHeaderSize + q.name.wire_size() + 4)
    return ReplyCheck::WrongQuestion;
  if (!exact_name.empty() &&
      (exact_name.size() != q.name.wire_size() ||
       std::memcmp(reply.data() + pd::kHeaderSize, exact_name.data(), exact_name.size()) != 0))
    return ReplyCheck::WrongCase;
  return ReplyCheck::Ok;
}

size_t make_client_reply(Bytes upstream, const ClientView& c, bool added_opt, bool tcp,
                         uint16_t edns_packet_max, std::span<uint8_t> out) {
  if (upstream.size() > out.size() || upstream.size() < pd::kHeaderSize + c.question_bytes.size())
    return 0;
  std::memcpy(out.data(), upstream.data(), upstream.size());
  size_t len = upstream.size();
  pd::put_u16(out, 0, c.id);
  std::memcpy(out.data() + pd::kHeaderSize, c.question_bytes.data(), c.question_bytes.size());
  uint16_t flags = pd::get_u16(Bytes(out.data(), len), 2);
  flags = static_cast<uint16_t>((flags & ~(pd::flag::RD | pd::flag::CD | pd::flag::AD)) |
                                pd::flag::RA | (c.flags & (pd::flag::RD | pd::flag::CD)));
  pd::put_u16(out, 2, flags);
  const uint16_t max = std::max<uint16_t>(512, edns_packet_max);
  if (added_opt) {
    auto r = pd::strip_opt(out, len);
    if (!r) return 0;
    len = *r;
  } else {
    (void)pd::set_opt_udp_size(out, len, max);
  }
  if (!tcp && len > c.udp_limit) {
    // Too big for the client: header and question only, with TC (the client retries on TCP).
    pd::put_u16(out, 2, static_cast<uint16_t>(flags | pd::flag::TC));
    pd::put_u16(out, 4, 1);
    pd::put_u16(out, 6, 0);
    pd::put_u16(out, 8, 0);
    pd::put_u16(out, 10, 0);
    len = pd::kHeaderSize + c.question_bytes.size();
    if (c.has_edns) {
      size_t n = pd::write_opt(pd::ReplyEdns{max, false, std::nullopt}, out.subspan(len));
      if (n == 0) return 0;
      len += n;
      pd::put_u16(out, 10, 1);
    }
  }
  return len;
}

size_t make_local_reply(const ClientQuery& q, uint8_t rcode, bool aa, std::optional<uint16_t> ede,
                        uint16_t edns_packet_max, std::span<uint8_t> out) {
  std::optional<pd::ReplyEdns> e;
  if (q.has_edns) e = pd::ReplyEdns{std::max<uint16_t>(512, edns_packet_max), false, ede};
  return pd::write_local_reply(q.header, q.question_bytes, rcode, aa, e, out);
}

size_t write_record_reply(const ClientQuery& q, uint16_t type, uint16_t rclass, uint32_t ttl,
                          Bytes rdata, uint16_t edns_packet_max, std::span<uint8_t> out) {
  size_t len = pd::write_local_reply(q.header, q.question_bytes, pd::rcode::NoError, true,
                                     std::nullopt, out);
  const size_t need = 12 + rdata.size() + (q.has_edns ? pd::kOptRecordSize : 0);
  if (len == 0 || rdata.size() > 0xffff || out.size() - len < need) return 0;
  const uint8_t fixed[] = {0xc0, 0x0c,  // owner: the question name
                           static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type),
                           static_cast<uint8_t>(rclass >> 8), static_cast<uint8_t>(rclass),
                           static_cast<uint8_t>(ttl >> 24), static_cast<uint8_t>(ttl >> 16),
                           static_cast<uint8_t>(ttl >> 8), static_cast<uint8_t>(ttl),
                           static_cast<uint8_t>(rdata.size() >> 8), static_cast<uint8_t>(rdata.size())};
  std::copy(std::begin(fixed), std::end(fixed), out.begin() + static_cast<std::ptrdiff_t>(len));
  len += sizeof(fixed);
  std::copy(rdata.begin(), rdata.end(), out.begin() + static_cast<std::ptrdiff_t>(len));
  len += rdata.size();
  pd::put_u16(out, 6, 1);
  if (q.has_edns) {
    len += pd::write_opt(pd::ReplyEdns{std::max<uint16_t>(512, edns_packet_max), false, std::nullopt},
                         out.subspan(len));
    pd::put_u16(out, 10, 1);
  }
  return len;
}

}  // namespace masqd::dns
