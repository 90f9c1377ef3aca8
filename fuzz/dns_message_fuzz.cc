// Fuzz target: the DNS wire reader (src/proto/dns_wire). Any input must parse or be
// rejected cleanly; every name that parses must survive text round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/dns_wire.h"

using namespace masqd::proto::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes msg(data, size);
  auto v = MessageView::parse(msg, false);
  if (!v) return 0;
  if (v->question()) {
    auto text = v->question()->name.to_text();
    auto back = Name::from_text(text);
    if (!back || !back->equals_nocase(v->question()->name)) std::abort();
  }
  size_t p = v->answer_offset();
  const unsigned records =
      unsigned{v->header().ancount} + v->header().nscount + v->header().arcount;
  for (unsigned i = 0; i < records; ++i) {
    RecordView rec;
    auto r = read_record(msg, p, rec);
    if (!r) std::abort();  // MessageView::parse already walked these successfully
    (void)type_name(rec.type);
    if (rec.type == rr::CNAME || rec.type == rr::NS || rec.type == rr::PTR) {
      Name target;
      (void)read_name(msg, rec.rdata_offset, target);
    }
    p = *r;
  }
  if (v->edns()) for_each_edns_option(msg, *v->edns(), [](uint16_t, Bytes) {});
  return 0;
}
