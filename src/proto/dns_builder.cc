#include "proto/dns_builder.h"

#include <algorithm>
#include <cstring>

namespace masqd::proto::dns {

size_t write_opt(const ReplyEdns& e, std::span<uint8_t> out) {
  const size_t need = kOptRecordSize + (e.ede ? 6 : 0);
  if (out.size() < need) return 0;
  out[0] = 0;  // root owner
  put_u16(out, 1, rr::OPT);
  put_u16(out, 3, e.udp_size);
  out[5] = 0;  // extended rcode
  out[6] = 0;  // version
  put_u16(out, 7, e.do_bit ? 0x8000 : 0);
  put_u16(out, 9, static_cast<uint16_t>(e.ede ? 6 : 0));
  if (e.ede) {
    put_u16(out, 11, 15);  // RFC 8914 option code
    put_u16(out, 13, 2);
    put_u16(out, 15, *e.ede);
  }
  return need;
}

size_t write_local_reply(const Header& query, Bytes question, uint8_t rc, bool aa,
                         const std::optional<ReplyEdns>& edns, std::span<uint8_t> out) {
  if (out.size() < kHeaderSize + question.size()) return 0;
  Header h;
  h.id = query.id;
  h.flags = static_cast<uint16_t>(flag::QR | (query.flags & (0x7800 | flag::RD | flag::CD)) |
                                  flag::RA | (aa ? flag::AA : 0) | (rc & 0xf));
  h.qdcount = question.empty() ? 0 : 1;
  size_t len = kHeaderSize;
  if (!question.empty()) {
    std::memcpy(out.data() + len, question.data(), question.size());
    len += question.size();
  }
  if (edns) {
    size_t n = write_opt(*edns, out.subspan(len));
    if (n == 0) return 0;
    len += n;
    h.arcount = 1;
  }
  write_header(h, std::span<uint8_t, kHeaderSize>(out.data(), kHeaderSize));
  return len;
}

Result<std::optional<OptLocation>> find_opt(Bytes msg) {
  auto h = parse_header(msg);
  if (!h) return h.error();
  size_t p = kHeaderSize;
  for (unsigned i = 0; i < h->qdcount; ++i) {
    Question q;
    auto r = read_question(msg, p, q);
    if (!r) return r.error();
    p = *r;
  }
  const unsigned records = unsigned{h->ancount} + h->nscount + h->arcount;
  const unsigned first_additional = unsigned{h->ancount} + h->nscount;
  for (unsigned i = 0; i < records; ++i) {
    RecordView rec;
    auto r = read_record(msg, p, rec);
    if (!r) return r.error();
    if (rec.type == rr::OPT && i >= first_additional)
      return std::optional<OptLocation>(OptLocation{p, *r});
    p = *r;
  }
  return std::optional<OptLocation>();
}

Result<size_t> strip_opt(std::span<uint8_t> msg, size_t len) {
  auto loc = find_opt(Bytes(msg.data(), len));
  if (!loc) return loc.error();
  if (!*loc) return len;
  const size_t start = (*loc)->start, end = (*loc)->end;
  std::memmove(msg.data() + start, msg.data() + end, len - end);
  put_u16(msg, 10, static_cast<uint16_t>(get_u16(Bytes(msg.data(), len), 10) - 1));
  return len - (end - start);
}

bool set_opt_udp_size(std::span<uint8_t> msg, size_t len, uint16_t udp_size) {
  auto loc = find_opt(Bytes(msg.data(), len));
  if (!loc || !*loc) return false;
  // The type/class fields sit 10 bytes before the RDATA; class is the UDP size.
  RecordView rec;
  auto r = read_record(Bytes(msg.data(), len), (*loc)->start, rec);
  if (!r) return false;
  put_u16(msg, rec.rdata_offset - 8, udp_size);
  return true;
}

bool cap_answer_ttls(std::span<uint8_t> msg, size_t len, uint32_t max_ttl) {
  Bytes m(msg.data(), std::min(len, msg.size()));
  auto v = MessageView::parse(m);
  if (!v) return false;
  size_t p = v->answer_offset();
  for (unsigned i = 0; i < v->header().ancount; ++i) {
    RecordView r;
    auto next = read_record(m, p, r);
    if (!next) return false;
    p = *next;
    if (r.type == rr::OPT || r.ttl <= max_ttl) continue;
    const size_t at = r.rdata_offset - 6;  // TTL, then RDLENGTH, then RDATA
    put_u16(msg, at, static_cast<uint16_t>(max_ttl >> 16));
    put_u16(msg, at + 2, static_cast<uint16_t>(max_ttl & 0xffff));
  }
  return true;
}

}  // namespace masqd::proto::dns
