// The reply half of dhcp4_wire.h: laying options out over the options field and, with
// option overload, the file and sname fields.
#include <algorithm>
#include <cstring>

#include "proto/dhcp4_wire.h"

namespace masqd::proto::dhcp4 {

namespace {

constexpr size_t kMaxPiece = 255;

// Bytes an option takes on the wire: one code+length header per 255-byte instance; an
// empty value still takes one instance (e.g. RFC 4039 rapid commit).
size_t wire_size(const Option& o) {
  const size_t pieces = o.data.empty() ? 1 : (o.data.size() + kMaxPiece - 1) / kMaxPiece;
  return o.data.size() + 2 * pieces;
}

void put_option(std::vector<uint8_t>& out, const Option& o) {
  size_t done = 0;
  do {
    const size_t n = std::min(kMaxPiece, o.data.size() - done);
    out.push_back(o.code);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), o.data.begin() + static_cast<std::ptrdiff_t>(done),
               o.data.begin() + static_cast<std::ptrdiff_t>(done + n));
    done += n;
  } while (done < o.data.size());
}

bool all_zero(std::span<const uint8_t> b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t c) { return c == 0; });
}

// Where each option goes: area 0 = options field, 1 = file, 2 = sname; -1 = left out.
struct Layout {
  std::vector<int> area;
  std::array<size_t, 3> used{};
  bool dropped_any = false;
  bool uses_overload() const { return used[1] > 0 || used[2] > 0; }
};

// First fit, in field order. Each option stays whole inside one field (clients without
// RFC 3396 support then still read every short option), and a repeated code never lands
// in an earlier field than its previous instance, so joining keeps the caller's order.
Layout plan(std::span<const Option> options, const std::array<size_t, 3>& capacity) {
  Layout l;
  std::array<int, 256> last_area;
  last_area.fill(0);
  for (const Option& o : options) {
    int chosen = -1;
    if (o.code != opt::Pad && o.code != opt::End && o.code != opt::Overload) {
      const size_t need = wire_size(o);
      for (int a = last_area[o.code]; a < 3; ++a) {
        const auto i = static_cast<size_t>(a);
        if (capacity[i] - l.used[i] >= need) {
          chosen = a;
          l.used[i] += need;
          last_area[o.code] = a;
          break;
        }
      }
      if (chosen < 0) l.dropped_any = true;
    }
    l.area.push_back(chosen);
  }
  return l;
}

void write_header(const Header& h, std::vector<uint8_t>& out) {
  out.assign(kFixedSize, 0);
  out[0] = h.op;
  out[1] = h.htype;
  out[2] = h.hlen;
  out[3] = h.hops;
  for (int i = 0; i < 4; ++i)
    out[4 + static_cast<size_t>(i)] = static_cast<uint8_t>(h.xid >> (24 - 8 * i));
  out[8] = static_cast<uint8_t>(h.secs >> 8);
  out[9] = static_cast<uint8_t>(h.secs);
  out[10] = static_cast<uint8_t>(h.flags >> 8);
  out[11] = static_cast<uint8_t>(h.flags);
  const IpAddr* addrs[4] = {&h.ciaddr, &h.yiaddr, &h.siaddr, &h.giaddr};
  for (size_t i = 0; i < 4; ++i) std::memcpy(&out[12 + 4 * i], addrs[i]->bytes().data(), 4);
  std::memcpy(&out[28], h.chaddr.data(), kChaddrSize);
  std::memcpy(&out[kSnameOffset], h.sname.data(), kSnameSize);
  std::memcpy(&out[kFileOffset], h.file.data(), kFileSize);
}

// Fills a BOOTP field with the options planned for it, then END and zeros.
void fill_field(std::vector<uint8_t>& out, size_t offset, size_t size,
                std::span<const Option> options, const Layout& l, int area) {
  std::vector<uint8_t> field;
  for (size_t i = 0; i < options.size(); ++i)
    if (l.area[i] == area) put_option(field, options[i]);
  field.push_back(opt::End);
  field.resize(size, 0);
  std::memcpy(&out[offset], field.data(), size);
}

}  // namespace

BuildOutput build(const Header& header, std::span<const Option> options,
                  const BuildLimits& limits) {
  const size_t limit = std::max(limits.max_size, kMinBootpSize);
  const size_t main_room = limit - kOptionsOffset - 1;  // END always fits
  Layout layout = plan(options, {main_room, 0, 0});
  if (layout.dropped_any) {
    const bool file_free = limits.overload_file && all_zero(header.file);
    const bool sname_free = limits.overload_sname && all_zero(header.sname);
    if (file_free || sname_free) {
      // Option 52 takes 3 bytes of the options field; each field keeps a byte for END.
      Layout wide = plan(
          options, {main_room - 3, file_free ? kFileSize - 1 : 0, sname_free ? kSnameSize - 1 : 0});
      if (wide.uses_overload()) layout = std::move(wide);
    }
  }

  BuildOutput out;
  write_header(header, out.bytes);
  out.bytes.insert(out.bytes.end(), kMagicCookie.begin(), kMagicCookie.end());
  for (size_t i = 0; i < options.size(); ++i) {
    if (layout.area[i] == 0) put_option(out.bytes, options[i]);
    const uint8_t c = options[i].code;
    if (layout.area[i] < 0 && c != opt::Pad && c != opt::End && c != opt::Overload)
      out.dropped.push_back(c);
  }
  if (layout.used[1] > 0) out.overload |= kOverloadFile;
  if (layout.used[2] > 0) out.overload |= kOverloadSname;
  if (out.overload) {
    put_option(out.bytes, Option{opt::Overload, {out.overload}});
    if (out.overload & kOverloadFile)
      fill_field(out.bytes, kFileOffset, kFileSize, options, layout, 1);
    if (out.overload & kOverloadSname)
      fill_field(out.bytes, kSnameOffset, kSnameSize, options, layout, 2);
  }
  out.bytes.push_back(opt::End);
  // dnsmasq pads every reply to the RFC 951 size: some BOOTP relays and clients drop less.
  if (out.bytes.size() < kMinBootpSize) out.bytes.resize(kMinBootpSize, 0);
  return out;
}

}  // namespace masqd::proto::dhcp4
