#include "dns/record_writer.h"

#include <array>

#include "base/ip.h"

namespace masqd::dns {

namespace pd = proto::dns;

RecordWriter start_reply(const ClientQuery& q, std::span<uint8_t> out, bool fit) {
  RecordWriter w{out};
  if (fit) w.limit = q.udp_limit - (q.has_edns ? pd::kOptRecordSize : 0);
  w.pos = pd::kHeaderSize;
  if (out.size() < pd::kHeaderSize) w.ok = false;
  w.bytes(q.question_bytes);
  return w;
}

size_t finish_reply(RecordWriter& w, const ClientQuery& q, const ReplyShape& s) {
  uint16_t ancount = s.ancount, nscount = s.nscount, arcount = s.additional;
  const uint16_t limit = s.tcp ? 65535 : q.udp_limit;
  const size_t opt_size = q.has_edns ? pd::kOptRecordSize : 0;
  uint16_t flags = static_cast<uint16_t>(pd::flag::QR | pd::flag::RA |
                                         (q.header.flags & (pd::flag::RD | pd::flag::CD)) |
                                         (s.aa ? pd::flag::AA : 0) | (w.truncated ? pd::flag::TC : 0) |
                                         s.rcode);
  if (!w.ok || w.pos + opt_size > limit) {
    // Too big for the client: header and question with TC, as for a forwarded reply.
    if (!s.tcp) {
      w = start_reply(q, w.out);
      ancount = nscount = arcount = 0;
      flags |= pd::flag::TC;
    }
    if (!w.ok) return 0;
  }
  if (q.has_edns) {
    pd::ReplyEdns e;
    e.udp_size = s.edns_packet_max;
    size_t n = pd::write_opt(e, w.out.subspan(w.pos));
    if (n == 0) return 0;
    w.pos += n;
    ++arcount;
  }
  pd::Header h;
  h.id = q.header.id;
  h.flags = flags;
  h.qdcount = 1;
  h.ancount = ancount;
  h.nscount = nscount;
  h.arcount = arcount;
  pd::write_header(h, w.out.first<pd::kHeaderSize>());
  return w.pos;
}

std::string wire_name_text(pd::Bytes wire) {
  pd::Name n;
  if (!pd::read_name(wire, 0, n)) return "?";
  return n.to_text();
}

std::string rdata_address_text(uint16_t type, pd::Bytes rdata) {
  if (type == pd::rr::A && rdata.size() == 4)
    return IpAddr::v4({rdata[0], rdata[1], rdata[2], rdata[3]}).to_string();
  if (type == pd::rr::AAAA && rdata.size() == 16) {
    std::array<uint8_t, 16> b{};
    std::copy(rdata.begin(), rdata.end(), b.begin());
    return IpAddr::v6(b).to_string();
  }
  return {};
}

}  // namespace masqd::dns
