// Writing answers made here (from the cache or from local data) into a caller's buffer:
// records with name compression against earlier copies, then the header, the OPT record
// and dnsmasq's truncation rule. Also the text forms the --log-queries lines use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>

#include "dns/forward_engine.h"
#include "proto/dns_builder.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

// Appends to `out` from `pos`; `ok` turns false once something does not fit (and stays so).
struct RecordWriter {
  std::span<uint8_t> out;
  size_t pos = 0;
  bool ok = true;
  // record(): a record that would end past `limit` is left out, and so is every later one
  // (dnsmasq's truncation of the answers it makes: what fits, with TC).
  size_t limit = std::numeric_limits<size_t>::max();
  bool truncated = false;

  bool room(size_t n) {
    if (!ok || out.size() - pos < n) ok = false;
    return ok;
  }
  void u16(uint16_t v) {
    if (!room(2)) return;
    proto::dns::put_u16(out, pos, v);
    pos += 2;
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v & 0xffff));
  }
  void bytes(proto::dns::Bytes b) {
    if (!room(b.size())) return;
    std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(pos));
    pos += b.size();
  }
  // An owner name: a pointer to an earlier copy when there is one within reach.
  void owner(size_t earlier, proto::dns::Bytes wire) {
    if (earlier != 0 && earlier < 0x4000) u16(static_cast<uint16_t>(0xc000 | earlier));
    else bytes(wire);
  }
  // A whole record of class IN. Returns the offset of its RDATA (for later pointers), or 0
  // when it was left out (see `limit`).
  size_t record(size_t owner_at, proto::dns::Bytes owner_wire, uint16_t type, uint32_t ttl,
                proto::dns::Bytes rdata) {
    const bool pointer = owner_at != 0 && owner_at < 0x4000;
    const size_t size = (pointer ? 2 : owner_wire.size()) + 10 + rdata.size();
    if (truncated || pos + size > limit) {
      truncated = true;
      return 0;
    }
    return put_record(owner_at, owner_wire, type, ttl, rdata);
  }
  // An additional-section record: left out (without TC) when it does not fit.
  bool extra_record(size_t owner_at, proto::dns::Bytes owner_wire, uint16_t type, uint32_t ttl,
                    proto::dns::Bytes rdata) {
    const bool pointer = owner_at != 0 && owner_at < 0x4000;
    const size_t size = (pointer ? 2 : owner_wire.size()) + 10 + rdata.size();
    if (truncated || pos + size > limit) return false;
    return put_record(owner_at, owner_wire, type, ttl, rdata) != 0;
  }
  // The record itself, with no limit check; returns the offset of its RDATA.
  size_t put_record(size_t owner_at, proto::dns::Bytes owner_wire, uint16_t type, uint32_t ttl,
                    proto::dns::Bytes rdata) {
    owner(owner_at, owner_wire);
    u16(type);
    u16(1);
    u32(ttl);
    u16(static_cast<uint16_t>(rdata.size()));
    const size_t at = pos;
    bytes(rdata);
    return at;
  }
};

// Starts a reply to `q`: the writer positioned after the question. With `fit` (UDP), record()
// keeps what fits in the client's size, leaving room for the OPT record.
RecordWriter start_reply(const ClientQuery& q, std::span<uint8_t> out, bool fit = false);

struct ReplyShape {
  uint16_t ancount = 0, nscount = 0;
  uint16_t additional = 0;  // records written after the authority section (before the OPT)
  uint8_t rcode = 0;
  bool aa = false;
  bool tcp = false;
  uint16_t edns_packet_max = 1232;
};

// Finishes what start_reply began: QR, RA, the query's RD and CD, AA and the rcode; an OPT
// record when the query had one; TC when record() left records out. A reply bigger than the
// client's UDP size (or the buffer) becomes header + question with TC (on TCP only the
// buffer limits). Returns the size, or 0.
size_t finish_reply(RecordWriter& w, const ClientQuery& q, const ReplyShape& s);

// "www.example.com" for a wire name at the start of `wire` ("?" if unreadable).
std::string wire_name_text(proto::dns::Bytes wire);
// "192.0.2.1" / "2001:db8::1" for A/AAAA RDATA; "" for anything else.
std::string rdata_address_text(uint16_t type, proto::dns::Bytes rdata);

}  // namespace masqd::dns
