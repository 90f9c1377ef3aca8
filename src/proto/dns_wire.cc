#include "proto/dns_wire.h"

#include <fmt/core.h>

#include <cctype>
#include <cstring>

#include "base/text.h"

namespace masqd::proto::dns {

namespace {

uint16_t get16(Bytes b, size_t p) { return static_cast<uint16_t>(b[p] << 8 | b[p + 1]); }
uint32_t get32(Bytes b, size_t p) {
  return static_cast<uint32_t>(b[p]) << 24 | static_cast<uint32_t>(b[p + 1]) << 16 |
         static_cast<uint32_t>(b[p + 2]) << 8 | b[p + 3];
}

Error malformed(const char* what) { return make_error(what); }

}  // namespace

Result<Header> parse_header(Bytes msg) {
  if (msg.size() < kHeaderSize) return malformed("short header");
  Header h;
  h.id = get16(msg, 0);
  h.flags = get16(msg, 2);
  h.qdcount = get16(msg, 4);
  h.ancount = get16(msg, 6);
  h.nscount = get16(msg, 8);
  h.arcount = get16(msg, 10);
  return h;
}

void write_header(const Header& h, std::span<uint8_t, kHeaderSize> out) {
  const uint16_t v[6] = {h.id, h.flags, h.qdcount, h.ancount, h.nscount, h.arcount};
  for (size_t i = 0; i < 6; ++i) {
    out[2 * i] = static_cast<uint8_t>(v[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(v[i]);
  }
}

size_t Name::label_count() const {
  size_t n = 0;
  for (size_t p = 0; buf_[p] != 0; p += buf_[p] + 1) ++n;
  return n;
}

bool Name::append_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (len_ + label.size() + 1 > kMaxNameWire) return false;
  size_t at = len_ - 1;  // overwrite the root label
  buf_[at] = static_cast<uint8_t>(label.size());
  std::memcpy(&buf_[at + 1], label.data(), label.size());
  len_ += label.size() + 1;
  buf_[len_ - 1] = 0;
  return true;
}

std::optional<Name> Name::from_text(std::string_view text) {
  Name n;
  if (text == "." || text.empty()) return n;
  std::string label;
  size_t i = 0;
  auto flush = [&]() -> bool {
    bool ok = n.append_label(label);
    label.clear();
    return ok;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '.') {
      if (!flush()) return std::nullopt;
      ++i;
      if (i == text.size()) return n;  // trailing dot
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return std::nullopt;
      if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return std::nullopt;
        label.push_back(static_cast<char>(v));
        i += 4;
      } else {
        label.push_back(text[i + 1]);
        i += 2;
      }
      continue;
    }
    label.push_back(c);
    ++i;
  }
  if (!flush()) return std::nullopt;
  return n;
}

std::string Name::to_text() const {
  std::string out;
  for (size_t p = 0; buf_[p] != 0; p += buf_[p] + 1) {
    if (!out.empty()) out.push_back('.');
    for (size_t i = 1; i <= buf_[p]; ++i) {
      uint8_t c = buf_[p + i];
      if (c == '.' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x21 || c > 0x7e) {
        out += fmt::format("\\{:03d}", c);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
  }
  return out;
}

bool Name::equals_nocase(const Name& o) const {
  if (len_ != o.len_) return false;
  for (size_t i = 0; i < len_; ++i)
    if (text::ascii_lower(static_cast<char>(buf_[i])) !=
        text::ascii_lower(static_cast<char>(o.buf_[i])))
      return false;
  return true;
}

Result<size_t> read_name(Bytes msg, size_t offset, Name& out) {
  out.len_ = 0;
  size_t pos = offset;
  std::optional<size_t> after;  // offset after the name at its original place
  while (true) {
    if (pos >= msg.size()) return malformed("name runs past the end");
    uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size()) return malformed("name runs past the end");
      size_t target = static_cast<size_t>(len & 0x3f) << 8 | msg[pos + 1];
      if (!after) after = pos + 2;
      // Only strictly backward pointers: every jump lowers the position, so no loops.
      if (target >= pos) return malformed("compression pointer not backwards");
      // The header holds no names; a pointer into it would read the ID and flags as a
      // label, and those bytes change when a reply is rewritten for a client.
      if (target < kHeaderSize) return malformed("compression pointer into the header");
      pos = target;
      continue;
    }
    if (len & 0xc0) return malformed("reserved label type");
    if (len == 0) {
      if (out.len_ + 1 > kMaxNameWire) return malformed("name too long");
      out.buf_[out.len_++] = 0;
      return after ? *after : pos + 1;
    }
    if (pos + 1 + len > msg.size()) return malformed("label runs past the end");
    if (out.len_ + 1 + len + 1 > kMaxNameWire) return malformed("name too long");
    std::memcpy(&out.buf_[out.len_], &msg[pos], 1 + static_cast<size_t>(len));
    out.len_ += 1 + static_cast<size_t>(len);
    pos += 1 + static_cast<size_t>(len);
  }
}

Result<size_t> read_question(Bytes msg, size_t offset, Question& out) {
  auto end = read_name(msg, offset, out.name);
  if (!end) return end.error();
  if (*end + 4 > msg.size()) return malformed("question runs past the end");
  out.qtype = get16(msg, *end);
  out.qclass = get16(msg, *end + 2);
  return *end + 4;
}

Result<size_t> read_record(Bytes msg, size_t offset, RecordView& out) {
  auto end = read_name(msg, offset, out.owner);
  if (!end) return end.error();
  size_t p = *end;
  if (p + 10 > msg.size()) return malformed("record runs past the end");
  out.type = get16(msg, p);
  out.rclass = get16(msg, p + 2);
  out.ttl = get32(msg, p + 4);
  out.rdlength = get16(msg, p + 8);
  out.rdata_offset = p + 10;
  if (out.rdata_offset + out.rdlength > msg.size()) return malformed("rdata runs past the end");
  return out.rdata_offset + out.rdlength;
}

Result<MessageView> MessageView::parse(Bytes msg, bool strict_trailing) {
  auto h = parse_header(msg);
  if (!h) return h.error();
  MessageView v;
  v.header_ = *h;
  size_t p = kHeaderSize;
  for (unsigned i = 0; i < h->qdcount; ++i) {
    Question q;
    auto r = read_question(msg, p, q);
    if (!r) return r.error();
    p = *r;
    if (h->qdcount == 1) v.question_ = q;
  }
  v.answer_offset_ = p;
  const unsigned records = unsigned{h->ancount} + h->nscount + h->arcount;
  const unsigned first_additional = unsigned{h->ancount} + h->nscount;
  for (unsigned i = 0; i < records; ++i) {
    RecordView rec;
    auto r = read_record(msg, p, rec);
    if (!r) return r.error();
    if (rec.type == rr::OPT) {
      // RFC 6891 6.1.1: only in the additional section, at most once, owned by the root.
      if (i < first_additional || v.edns_ || !rec.owner.is_root())
        return malformed("misplaced or repeated OPT record");
      Edns e;
      e.udp_size = rec.rclass;
      e.extended_rcode = static_cast<uint8_t>(rec.ttl >> 24);
      e.version = static_cast<uint8_t>(rec.ttl >> 16);
      e.do_bit = rec.ttl & 0x8000;
      e.options_offset = rec.rdata_offset;
      e.options_length = rec.rdlength;
      v.edns_ = e;
    }
    p = *r;
  }
  if (strict_trailing && p != msg.size()) return malformed("trailing bytes");
  v.end_offset_ = p;
  return v;
}

std::string type_name(uint16_t type) {
  switch (type) {
    case rr::A: return "A";
    case rr::NS: return "NS";
    case rr::CNAME: return "CNAME";
    case rr::SOA: return "SOA";
    case rr::PTR: return "PTR";
    case rr::MX: return "MX";
    case rr::TXT: return "TXT";
    case rr::AAAA: return "AAAA";
    case rr::SRV: return "SRV";
    case rr::NAPTR: return "NAPTR";
    case rr::OPT: return "OPT";
    case rr::DS: return "DS";
    case rr::RRSIG: return "RRSIG";
    case rr::NSEC: return "NSEC";
    case rr::DNSKEY: return "DNSKEY";
    case rr::CAA: return "CAA";
    case rr::ANY: return "ANY";
    default: return fmt::format("TYPE{}", type);
  }
}

}  // namespace masqd::proto::dns
