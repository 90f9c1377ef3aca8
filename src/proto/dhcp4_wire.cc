#include "proto/dhcp4_wire.h"

#include <algorithm>
#include <cstring>

namespace masqd::proto::dhcp4 {

namespace {

uint16_t get16(Bytes b, size_t p) {
  return static_cast<uint16_t>(b[p] << 8 | b[p + 1]);
}
uint32_t get32(Bytes b, size_t p) {
  return static_cast<uint32_t>(b[p]) << 24 | static_cast<uint32_t>(b[p + 1]) << 16 |
         static_cast<uint32_t>(b[p + 2]) << 8 | b[p + 3];
}
IpAddr get_ip(Bytes b, size_t p) {
  return IpAddr::v4({b[p], b[p + 1], b[p + 2], b[p + 3]});
}

// One instance of an option as found in a field.
struct Piece {
  uint8_t code;
  Bytes data;
};

// Walks one field's options. Option 52 is legal only in the options field
// (`overload_allowed`); anywhere else it would make the fields point at each other.
Result<void> scan_field(Bytes field, bool overload_allowed, std::vector<Piece>& pieces,
                        std::vector<uint8_t>& overload_bytes) {
  size_t p = 0;
  while (p < field.size()) {
    const uint8_t code = field[p];
    if (code == opt::Pad) {
      ++p;
      continue;
    }
    if (code == opt::End) break;
    if (field.size() - p < 2) return make_error("option length runs past the end");
    const size_t len = field[p + 1];
    if (field.size() - p - 2 < len) return make_error("option data runs past the end");
    Bytes data = field.subspan(p + 2, len);
    if (code == opt::Overload) {
      if (!overload_allowed) return make_error("option overload inside an overloaded field");
      overload_bytes.insert(overload_bytes.end(), data.begin(), data.end());
    } else {
      pieces.push_back({code, data});
    }
    p += 2 + len;
  }
  return ok();
}

std::optional<IpAddr> as_ip(const Option* o) {
  if (!o || o->data.size() != 4) return std::nullopt;
  return get_ip(o->data, 0);
}

std::optional<std::vector<uint8_t>> non_empty(const Option* o) {
  if (!o || o->data.empty()) return std::nullopt;
  return o->data;
}

}  // namespace

Result<Dhcp4Packet> Dhcp4Packet::parse(Bytes packet) {
  if (packet.size() < kFixedSize) return make_error("shorter than a BOOTP header");
  Dhcp4Packet pk;
  Header& h = pk.header_;
  h.op = packet[0];
  h.htype = packet[1];
  h.hlen = packet[2];
  h.hops = packet[3];
  // SEC-12: chaddr has 16 bytes; a larger hlen must never be used as a copy length.
  if (h.hlen > kChaddrSize) return make_error("hardware address length over 16");
  h.xid = get32(packet, 4);
  h.secs = get16(packet, 8);
  h.flags = get16(packet, 10);
  h.ciaddr = get_ip(packet, 12);
  h.yiaddr = get_ip(packet, 16);
  h.siaddr = get_ip(packet, 20);
  h.giaddr = get_ip(packet, 24);
  std::memcpy(h.chaddr.data(), &packet[28], kChaddrSize);
  std::memcpy(h.sname.data(), &packet[kSnameOffset], kSnameSize);
  std::memcpy(h.file.data(), &packet[kFileOffset], kFileSize);

  if (packet.size() < kOptionsOffset ||
      !std::equal(kMagicCookie.begin(), kMagicCookie.end(), packet.begin() + kFixedSize)) {
    return pk;  // RFC 951 BOOTP: the vendor area is not ours to read
  }
  pk.has_cookie_ = true;

  std::vector<Piece> pieces;
  std::vector<uint8_t> overload;
  if (auto r = scan_field(packet.subspan(kOptionsOffset), true, pieces, overload); !r)
    return r.error();
  if (!overload.empty()) {
    if (overload.size() != 1 || overload[0] < 1 || overload[0] > 3)
      return make_error("invalid option overload value");
    pk.overload_ = overload[0];
  }
  // RFC 3396 7: the options field, then file, then sname.
  if (pk.overload_ & kOverloadFile) {
    if (auto r = scan_field(packet.subspan(kFileOffset, kFileSize), false, pieces, overload); !r)
      return r.error();
  }
  if (pk.overload_ & kOverloadSname) {
    if (auto r = scan_field(packet.subspan(kSnameOffset, kSnameSize), false, pieces, overload); !r)
      return r.error();
  }

  std::array<int, 256> index;
  index.fill(-1);
  for (const Piece& piece : pieces) {
    int& at = index[piece.code];
    if (at < 0) {
      at = static_cast<int>(pk.options_.size());
      pk.options_.push_back({piece.code, {}});
    }
    auto& data = pk.options_[static_cast<size_t>(at)].data;
    data.insert(data.end(), piece.data.begin(), piece.data.end());
  }
  return pk;
}

const Option* Dhcp4Packet::find(uint8_t code) const {
  for (const Option& o : options_)
    if (o.code == code) return &o;
  return nullptr;
}

std::optional<MessageType> Dhcp4Packet::message_type() const {
  const Option* o = find(opt::MessageType);
  if (!o || o->data.size() != 1) return std::nullopt;
  return static_cast<MessageType>(o->data[0]);
}

std::optional<IpAddr> Dhcp4Packet::requested_address() const {
  return as_ip(find(opt::RequestedAddress));
}

std::optional<IpAddr> Dhcp4Packet::server_id() const {
  return as_ip(find(opt::ServerId));
}

std::optional<uint16_t> Dhcp4Packet::max_message_size() const {
  const Option* o = find(opt::MaxMessageSize);
  if (!o || o->data.size() != 2) return std::nullopt;
  return get16(o->data, 0);
}

std::optional<std::vector<uint8_t>> Dhcp4Packet::client_id() const {
  return non_empty(find(opt::ClientId));
}

std::optional<std::string> Dhcp4Packet::hostname() const {
  const Option* o = find(opt::Hostname);
  if (!o || o->data.empty()) return std::nullopt;
  return std::string(o->data.begin(), o->data.end());
}

std::optional<std::vector<uint8_t>> Dhcp4Packet::parameter_request_list() const {
  const Option* o = find(opt::ParameterRequestList);
  if (!o) return std::nullopt;
  return o->data;
}

std::optional<std::vector<uint8_t>> Dhcp4Packet::vendor_class() const {
  return non_empty(find(opt::VendorClass));
}

std::optional<std::vector<uint8_t>> Dhcp4Packet::user_class() const {
  return non_empty(find(opt::UserClass));
}

std::optional<ClientFqdn> Dhcp4Packet::client_fqdn() const {
  const Option* o = find(opt::ClientFqdn);
  if (!o || o->data.size() < 3) return std::nullopt;
  ClientFqdn f;
  f.flags = o->data[0];
  f.rcode1 = o->data[1];
  f.rcode2 = o->data[2];
  Bytes name = Bytes(o->data).subspan(3);
  f.raw_name.assign(name.begin(), name.end());
  f.name = fqdn_name_text(name, (f.flags & ClientFqdn::kE) != 0);
  return f;
}

std::string fqdn_name_text(Bytes name, bool wire) {
  if (!wire) return std::string(name.begin(), name.end());  // RFC 4702 2.3.1: deprecated ASCII
  // Wire form: a label is taken only when it lies wholly inside the option; the walk ends
  // at a zero length byte, the end of the data or a label that does not fit. Each step
  // moves forward by at least one byte, so the loop ends within name.size() steps.
  std::string out;
  size_t p = 0;
  while (p < name.size() && name[p] != 0) {
    const size_t len = name[p];
    if (p + len >= name.size()) break;
    if (!out.empty()) out += '.';
    out.append(reinterpret_cast<const char*>(&name[p + 1]), len);
    p += 1 + len;
  }
  return out;
}

std::vector<uint8_t> encode_client_fqdn(uint8_t flags, std::string_view host, std::string_view domain,
                                        bool wire, bool nul) {
  std::vector<uint8_t> out{flags, 255, 255};
  auto put = [&](std::string_view s) {
    for (char c : s) out.push_back(static_cast<uint8_t>(c));
  };
  if (!wire) {
    put(host);
    if (!domain.empty()) {
      out.push_back('.');
      put(domain);
    }
    if (nul) out.push_back(0);
  } else {
    auto labels = [&](std::string_view s) {
      while (!s.empty()) {
        size_t dot = s.find('.');
        std::string_view label = s.substr(0, dot);
        s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
        if (label.empty()) continue;
        label = label.substr(0, 63);
        out.push_back(static_cast<uint8_t>(label.size()));
        put(label);
      }
    };
    labels(host);
    if (!domain.empty()) {
      labels(domain);
      out.push_back(0);
    }
  }
  if (out.size() > 255) out.resize(255);
  return out;
}

std::optional<RelayAgentInfo> Dhcp4Packet::relay_agent_info() const {
  const Option* o = find(opt::RelayAgentInfo);
  if (!o) return std::nullopt;
  RelayAgentInfo info;
  Bytes d = o->data;
  size_t p = 0;
  while (p < d.size()) {
    if (d.size() - p < 2 || d.size() - p - 2 < d[p + 1]) return std::nullopt;
    Option sub{d[p],
               std::vector<uint8_t>(d.begin() + static_cast<std::ptrdiff_t>(p + 2),
                                    d.begin() + static_cast<std::ptrdiff_t>(p + 2 + d[p + 1]))};
    p += 2 + d[p + 1];
    // RFC 3046 does not join repeated sub-options; the first one counts.
    std::optional<std::vector<uint8_t>>* slot = sub.code == 1   ? &info.circuit_id
                                                : sub.code == 2 ? &info.remote_id
                                                : sub.code == 6 ? &info.subscriber_id
                                                                : nullptr;
    if (slot && !*slot) *slot = sub.data;
    info.sub_options.push_back(std::move(sub));
  }
  return info;
}

}  // namespace masqd::proto::dhcp4
