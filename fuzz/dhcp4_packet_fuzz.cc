// Fuzz target: the DHCPv4 packet codec (src/proto/dhcp4_wire). Any input must parse or be
// rejected cleanly; a packet that parses, rebuilt from its value, must parse to the same
// header and options.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/dhcp4_wire.h"

using namespace masqd::proto::dhcp4;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = Dhcp4Packet::parse(Bytes(data, size));
  if (!p) return 0;
  (void)p->message_type();
  (void)p->requested_address();
  (void)p->server_id();
  (void)p->max_message_size();
  (void)p->client_id();
  (void)p->hostname();
  (void)p->parameter_request_list();
  (void)p->vendor_class();
  (void)p->user_class();
  if (auto f = p->client_fqdn()) {
    // The decoded name never holds more bytes than were sent, and the reply encoder keeps
    // whatever it is given inside one option.
    if (f->name.size() > f->raw_name.size()) std::abort();
    for (bool wire : {false, true}) {
      auto v = encode_client_fqdn(f->flags, f->name, f->name, wire, true);
      if (v.size() < 3 || v.size() > 255) std::abort();
    }
  }
  (void)p->relay_agent_info();

  // Fields that carried options hold no name or file once the options move out.
  Header h = p->header();
  if (p->overload() & kOverloadFile) h.file.fill(0);
  if (p->overload() & kOverloadSname) h.sname.fill(0);
  // Room for everything: joined options never need more bytes than they came in.
  auto out = build(h, p->options(), {.max_size = size + 1024});
  if (!out.dropped.empty() || out.overload != 0) std::abort();
  auto again = Dhcp4Packet::parse(out.bytes);
  if (!again || !again->has_cookie()) std::abort();
  if (!(again->header() == h) || again->options() != p->options()) std::abort();
  return 0;
}
