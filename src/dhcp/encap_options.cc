#include "dhcp/encap_options.h"

#include <algorithm>
#include <string>

namespace masqd::dhcp::encap {

namespace {

using config::DhcpOption;
namespace d4 = proto::dhcp4;

constexpr uint8_t kVendorSpecific = 43;     // RFC 2132 8.4
constexpr uint8_t kViVendorSpecific = 125;  // RFC 3925 4

enum class Kind { Encap, ViEncap, Vendor };

Kind kind_of(const DhcpOption& o) {
  if (o.vi_encap) return Kind::ViEncap;
  if (o.vendor_class) return Kind::Vendor;
  return Kind::Encap;
}

bool is_encapsulated(const DhcpOption& o) {
  return !o.is_v6 && !o.pxe_only && (o.encap || o.vi_encap || o.vendor_class);
}

bool contains(std::span<const uint8_t> hay, const std::string& needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// The sub-options of one group to send, newest first: every entry whose tags match (a
// tagged entry does not hide an untagged one with the same code, and copies of a code are all
// sent, as dnsmasq 2.90 does); when the client did not ask for the group's option, only the
// forced entries.
std::vector<const DhcpOption*> choose(const std::vector<const DhcpOption*>& members, int code,
                                      const Query& q) {
  const bool asked = q.requested(code);
  std::vector<const DhcpOption*> out;
  for (const DhcpOption* m : members)
    if (q.tags_ok(m->tags) && (asked || m->force)) out.push_back(m);
  return out;
}

void put_sub(std::vector<uint8_t>& data, const DhcpOption& m) {
  data.push_back(static_cast<uint8_t>(m.code & 0xff));
  data.push_back(static_cast<uint8_t>(m.value.size()));
  data.insert(data.end(), m.value.begin(), m.value.end());
}

// The sub-option code goes out as its low byte (dnsmasq 2.90 sends encap:175,300,... as
// sub-option 44); the parser keeps values within 253 bytes.
bool packable(const DhcpOption& m) { return m.value.size() <= 253; }

// encap:<n> and vendor: groups: sub-options (code, length, value) in option `code`; when the
// next one does not fit in 255 bytes a new copy of the option begins (dnsmasq 2.90, observed);
// END closes the last copy.
void pack_split(uint8_t code, const std::vector<const DhcpOption*>& chosen,
                std::vector<d4::Option>& out) {
  std::vector<uint8_t> data;
  for (const DhcpOption* m : chosen) {
    if (!packable(*m)) continue;
    if (!data.empty() && data.size() + 2 + m->value.size() > 255) {
      out.push_back({code, std::move(data)});
      data.clear();
    }
    put_sub(data, *m);
  }
  if (data.size() >= 255) {
    out.push_back({code, std::move(data)});
    data.clear();
  }
  data.push_back(255);
  out.push_back({code, std::move(data)});
}

std::vector<const DhcpOption*> chosen_vendor(const std::vector<DhcpOption>& options, const Query& q) {
  if (!q.vendor_class) return {};
  std::vector<const DhcpOption*> members;
  for (auto it = options.rbegin(); it != options.rend(); ++it)
    if (is_encapsulated(*it) && it->vendor_class && contains(*q.vendor_class, *it->vendor_class))
      members.push_back(&*it);
  // Unlike encap:/vi-encap:, one forced vendor: entry takes all the matching ones along
  // when the client did not ask for 43 (dnsmasq 2.90, observed).
  std::vector<const DhcpOption*> out;
  for (const DhcpOption* m : members)
    if (q.tags_ok(m->tags)) out.push_back(m);
  if (!q.requested(kVendorSpecific) &&
      std::none_of(out.begin(), out.end(), [](const DhcpOption* m) { return m->force; }))
    out.clear();
  return out;
}

}  // namespace

std::vector<uint8_t> vendor_suboptions(const std::vector<DhcpOption>& options, const Query& q) {
  std::vector<uint8_t> subs;
  for (const DhcpOption* m : chosen_vendor(options, q))
    if (packable(*m)) put_sub(subs, *m);
  return subs;
}

std::vector<d4::Option> build(const std::vector<DhcpOption>& options, const Query& q,
                              std::vector<std::string>* notes) {
  std::vector<d4::Option> out;
  // encap:/vi-encap: groups, in the order of each group's newest entry.
  std::vector<std::pair<Kind, int>> seen;
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    if (!is_encapsulated(*it) || it->vendor_class) continue;
    std::pair<Kind, int> key{kind_of(*it), it->vi_encap ? *it->vi_encap : *it->encap};
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    std::vector<const DhcpOption*> members;
    for (auto jt = it; jt != options.rend(); ++jt)
      if (is_encapsulated(*jt) && !jt->vendor_class && kind_of(*jt) == key.first &&
          (jt->vi_encap ? *jt->vi_encap : *jt->encap) == key.second)
        members.push_back(&*jt);
    if (key.first == Kind::Encap && (key.second < 1 || key.second > 254)) continue;
    auto chosen = choose(members, key.first == Kind::Encap ? key.second : kViVendorSpecific, q);
    if (chosen.empty()) continue;
    if (key.first == Kind::Encap) {
      pack_split(static_cast<uint8_t>(key.second), chosen, out);
    } else {
      // One option 125 per enterprise: enterprise number, data-len, sub-options. When they
      // come to more than 250 bytes dnsmasq sends none of them (observed).
      std::vector<uint8_t> subs;
      for (const DhcpOption* m : chosen)
        if (packable(*m)) put_sub(subs, *m);
      if (subs.size() > 250) {
        if (notes)
          notes->push_back("cannot send RFC3925 option: too many options for enterprise number " +
                           std::to_string(key.second));
        continue;
      }
      auto e = static_cast<uint32_t>(key.second);
      std::vector<uint8_t> data{static_cast<uint8_t>(e >> 24), static_cast<uint8_t>(e >> 16),
                                static_cast<uint8_t>(e >> 8), static_cast<uint8_t>(e),
                                static_cast<uint8_t>(subs.size())};
      data.insert(data.end(), subs.begin(), subs.end());
      out.push_back({kViVendorSpecific, std::move(data)});
    }
  }
  // vendor: sub-options of the classes the client's option 60 holds, all in option 43.
  if (q.with_vendor) {
    auto chosen = chosen_vendor(options, q);
    if (!chosen.empty()) pack_split(kVendorSpecific, chosen, out);
  }
  return out;
}

}  // namespace masqd::dhcp::encap
