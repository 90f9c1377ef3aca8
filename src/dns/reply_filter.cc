#include "dns/reply_filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "dns/forward_engine.h"
#include "dns/server_table.h"
#include "proto/dns_builder.h"

namespace masqd::dns {

namespace {

namespace pd = proto::dns;

// One answer-section address record: where its RDATA is and what it says.
struct AddrRecord {
  size_t rdata_at = 0;
  IpAddr addr;
};

// Walks the answer section; false if the message cannot be walked.
bool answer_addresses(pd::Bytes msg, std::vector<AddrRecord>& out) {
  auto h = pd::parse_header(msg);
  if (!h) return false;
  size_t off = pd::kHeaderSize;
  for (uint16_t i = 0; i < h->qdcount; ++i) {
    pd::Question q;
    auto n = pd::read_question(msg, off, q);
    if (!n) return false;
    off = *n;
  }
  for (uint16_t i = 0; i < h->ancount; ++i) {
    pd::RecordView r;
    auto n = pd::read_record(msg, off, r);
    if (!n) return false;
    if (r.rclass == pd::cls::IN && r.type == pd::rr::A && r.rdlength == 4) {
      out.push_back({r.rdata_offset, IpAddr::v4({msg[r.rdata_offset], msg[r.rdata_offset + 1],
                                                  msg[r.rdata_offset + 2], msg[r.rdata_offset + 3]})});
    } else if (r.rclass == pd::cls::IN && r.type == pd::rr::AAAA && r.rdlength == 16) {
      std::array<uint8_t, 16> b{};
      std::copy_n(msg.begin() + static_cast<std::ptrdiff_t>(r.rdata_offset), 16, b.begin());
      out.push_back({r.rdata_offset, IpAddr::v6(b)});
    }
    off = *n;
  }
  return true;
}

bool in_any(const std::vector<IpPrefix>& list, const IpAddr& a) {
  return std::any_of(list.begin(), list.end(),
                     [&a](const IpPrefix& p) { return p.addr.family() == a.family() && p.contains(a); });
}

// What --rebind-localhost-ok lets through: 127.0.0.0/8 and, as in dnsmasq, the "this
// network" block 0.0.0.0/8; ::1.
bool is_loopback(const IpAddr& a) {
  if (a.is_v4()) return a.bytes()[0] == 127 || a.bytes()[0] == 0;
  const auto& b = a.bytes();
  return std::all_of(b.begin(), b.begin() + 15, [](uint8_t x) { return x == 0; }) && b[15] == 1;
}

uint32_t v4_value(const IpAddr& a) {
  const auto& b = a.bytes();
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

// The header and question of `reply` with `rcode`, no records (AA and TC cleared); when the
// reply had an OPT record, an OPT of the same size carrying the Extended DNS Error `ede`.
size_t empty_reply(pd::Bytes reply, const pd::Question& q, uint8_t rcode, uint16_t ede,
                   std::span<uint8_t> out) {
  const size_t qlen = q.name.wire_size() + 4;
  size_t len = pd::kHeaderSize + qlen;
  std::copy_n(reply.begin(), len, out.begin());
  uint16_t flags = pd::get_u16(reply, 2);
  flags = static_cast<uint16_t>((flags & ~(pd::flag::AA | pd::flag::TC | 0x000f)) | rcode);
  pd::put_u16(out, 2, flags);
  pd::put_u16(out, 6, 0);
  pd::put_u16(out, 8, 0);
  pd::put_u16(out, 10, 0);
  auto opt = pd::find_opt(reply);
  if (opt && *opt) {
    pd::ReplyEdns e;
    e.udp_size = pd::get_u16(reply, (*opt)->start + 3);
    e.ede = ede;
    const size_t n = pd::write_opt(e, out.subspan(len));
    if (n) {
      len += n;
      pd::put_u16(out, 10, 1);
    }
  }
  return len;
}

}  // namespace

ReplyFilters ReplyFilters::from(const config::DnsConfig& dns) {
  ReplyFilters f;
  if (dns.filter_a) f.strip_types.push_back(pd::rr::A);
  if (dns.filter_aaaa) f.strip_types.push_back(pd::rr::AAAA);
  for (uint16_t t : dns.filter_rr)
    if (std::find(f.strip_types.begin(), f.strip_types.end(), t) == f.strip_types.end()) f.strip_types.push_back(t);
  f.bogus_nxdomain = dns.bogus_nxdomain;
  f.ignore = dns.ignore_addresses;
  f.stop_rebind = dns.stop_dns_rebind;
  f.rebind_localhost_ok = dns.rebind_localhost_ok;
  f.rebind_ok = dns.rebind_domain_ok;
  f.aliases = dns.aliases;
  return f;
}

FilterOutcome filter_reply(pd::Bytes reply, const pd::Question& q, const ReplyFilters& f,
                           std::span<uint8_t> out) {
  FilterOutcome o;
  const size_t head = pd::kHeaderSize + q.name.wire_size() + 4;
  if (reply.size() < head || out.size() < reply.size()) return o;
  const std::string name = q.name.to_text();
  const uint8_t rcode = reply[3] & 0x0f;

  std::vector<AddrRecord> addrs;
  if (!answer_addresses(reply, addrs)) return o;

  for (const auto& a : addrs)
    if (in_any(f.ignore, a.addr)) {
      o.verdict = FilterOutcome::Verdict::Ignore;
      return o;
    }

  // --alias: rewrite IPv4 answers in place (the reply keeps its size).
  bool rewritten = false;
  for (auto& a : addrs) {
    if (!a.addr.is_v4()) continue;
    const uint32_t v = v4_value(a.addr);
    for (const auto& al : f.aliases) {
      if (!al.start.is_v4() || v < v4_value(al.start) || v > v4_value(al.end)) continue;
      const uint32_t mask = v4_value(al.mask);
      const uint32_t nv = (v4_value(al.target) & mask) | (v & ~mask);
      if (!rewritten) std::copy(reply.begin(), reply.end(), out.begin());
      rewritten = true;
      for (int i = 0; i < 4; ++i) out[a.rdata_at + static_cast<size_t>(i)] = static_cast<uint8_t>(nv >> (24 - 8 * i));
      a.addr = IpAddr::v4({static_cast<uint8_t>(nv >> 24), static_cast<uint8_t>(nv >> 16),
                           static_cast<uint8_t>(nv >> 8), static_cast<uint8_t>(nv)});
      o.log_lines.push_back(fmt::format("config {} is {}", name, a.addr.to_string()));
      break;
    }
  }

  for (const auto& a : addrs)
    if (in_any(f.bogus_nxdomain, a.addr)) {
      o.verdict = FilterOutcome::Verdict::Replaced;
      o.len = empty_reply(reply, q, pd::rcode::NxDomain, pd::ede::Blocked, out);
      o.log_reply = false;
      o.log_lines.push_back(fmt::format("config {} is NXDOMAIN", name));
      return o;
    }

  if (f.stop_rebind) {
    const std::string lower = lower_name_text(q.name);
    const bool exempt = std::any_of(f.rebind_ok.begin(), f.rebind_ok.end(), [&lower](const auto& p) {
      return p.kind == config::DomainPattern::Kind::Any || domain_match_score(p, lower) >= 0;
    });
    if (!exempt)
      for (const auto& a : addrs) {
        if (!is_private_address(a.addr) || (f.rebind_localhost_ok && is_loopback(a.addr))) continue;
        o.verdict = FilterOutcome::Verdict::Replaced;
        o.len = empty_reply(reply, q, pd::rcode::NoError, pd::ede::Blocked, out);
        o.log_reply = false;
        o.warning = fmt::format("possible DNS-rebind attack detected: {}", name);
        return o;
      }
  }
  // A filtered type was asked: NODATA (the query was still forwarded, as dnsmasq does;
  // a reply the rebind check blocked is not logged so).
  if (std::find(f.strip_types.begin(), f.strip_types.end(), q.qtype) != f.strip_types.end() &&
      rcode == pd::rcode::NoError) {
    o.verdict = FilterOutcome::Verdict::Replaced;
    o.len = empty_reply(reply, q, pd::rcode::NoError, pd::ede::Filtered, out);
    o.log_reply = false;
    const char* what = q.qtype == pd::rr::A ? "NODATA-IPv4" : q.qtype == pd::rr::AAAA ? "NODATA-IPv6" : "NODATA";
    o.log_lines.push_back(fmt::format("config {} is {}", name, what));
    return o;
  }

  if (rewritten) {
    o.verdict = FilterOutcome::Verdict::Replaced;
    o.len = reply.size();
  }
  return o;
}

}  // namespace masqd::dns
