// PXE option encoding and decisions as dnsmasq 2.90 makes them. Each rule was checked by
// sending the same scapy packets to /usr/sbin/dnsmasq (tests/compat/test_pxe_compat.py).
#include "dhcp/pxe.h"

#include <algorithm>

namespace masqd::dhcp::pxe {

namespace d4 = proto::dhcp4;

namespace {

constexpr size_t kMaxSuboptionBytes = 253;  // option 43 holds 255, minus code and length
constexpr uint8_t kVendorOption = 43;        // RFC 2132 8.4: vendor-specific information

bool contains(std::span<const uint8_t> hay, std::string_view needle) {
  if (needle.empty()) return true;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); }) != hay.end();
}

void put_sub(std::vector<uint8_t>& out, uint8_t code, std::span<const uint8_t> value) {
  out.push_back(code);
  out.push_back(static_cast<uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

void put_addr(std::vector<uint8_t>& out, const IpAddr& a) {
  out.insert(out.end(), a.bytes().begin(), a.bytes().begin() + 4);
}

// The boot item (sub-option 71, 4 bytes) inside option 43, if the sub-options parse.
std::optional<std::array<uint8_t, 4>> boot_item_of(std::span<const uint8_t> v) {
  size_t i = 0;
  while (i < v.size()) {
    uint8_t code = v[i];
    if (code == 0) {
      ++i;
      continue;
    }
    if (code == 255 || i + 1 >= v.size()) break;
    size_t len = v[i + 1];
    if (i + 2 + len > v.size()) break;
    if (code == subopt::kBootItem && len >= 4) {
      std::array<uint8_t, 4> item;
      std::copy_n(v.begin() + static_cast<long>(i + 2), 4, item.begin());
      return item;
    }
    i += 2 + len;
  }
  return std::nullopt;
}

}  // namespace

bool enabled(const config::DhcpConfig& dc) {
  if (!dc.pxe_services.empty() || !dc.pxe_prompts.empty()) return true;
  return std::any_of(dc.ranges.begin(), dc.ranges.end(),
                     [](const config::DhcpRange& r) { return !r.is_v6 && r.proxy; });
}

std::vector<std::string> vendors(const config::DhcpConfig& dc) {
  if (!dc.pxe_vendors.empty()) return dc.pxe_vendors;
  return {"PXEClient"};
}

std::optional<PxeClient> detect(const d4::Dhcp4Packet& pkt, const config::DhcpConfig& dc) {
  if (!enabled(dc)) return std::nullopt;
  const d4::Option* vc = pkt.find(d4::opt::VendorClass);
  if (!vc) return std::nullopt;
  PxeClient c;
  for (const auto& v : vendors(dc)) {
    if (v.empty() || vc->data.size() < v.size()) continue;
    if (std::equal(v.begin(), v.end(), vc->data.begin(),
                   [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; })) {
      c.vendor = v;
      break;
    }
  }
  if (c.vendor.empty()) return std::nullopt;
  if (const d4::Option* a = pkt.find(93); a && a->data.size() >= 2)
    c.arch = static_cast<uint16_t>(a->data[0] << 8 | a->data[1]);
  if (const d4::Option* u = pkt.find(97); u && u->data.size() >= 17) {
    std::array<uint8_t, 16> id;
    std::copy_n(u->data.begin() + 1, 16, id.begin());
    c.uuid = id;
  }
  if (const d4::Option* v = pkt.find(kVendorOption)) c.boot_item = boot_item_of(v->data);
  return c;
}

std::vector<uint8_t> configured_prompts(const config::DhcpConfig& dc,
                                        std::span<const uint8_t> vendor_class,
                                        const TagMatch& match) {
  std::vector<uint8_t> out;
  auto vs = vendors(dc);
  bool pxe_class = std::any_of(vs.begin(), vs.end(),
                               [&](const std::string& v) { return contains(vendor_class, v); });
  if (!pxe_class) return out;
  for (auto it = dc.pxe_prompts.rbegin(); it != dc.pxe_prompts.rend(); ++it) {
    if (!match(it->tags)) continue;
    std::vector<uint8_t> value{it->timeout};
    size_t room = 254;  // one byte of the 255 holds the timeout
    value.insert(value.end(), it->prompt.begin(), it->prompt.begin() + static_cast<long>(std::min(it->prompt.size(), room)));
    put_sub(out, subopt::kMenuPrompt, value);
  }
  return out;
}

std::vector<uint8_t> menu_suboptions(const config::DhcpConfig& dc, uint16_t arch,
                                     const TagMatch& match, const IpAddr& local,
                                     std::span<const uint8_t> prompts) {
  std::vector<uint8_t> menu, servers;
  int entries = 0;
  bool broadcast_discovery = false;
  for (const auto& s : dc.pxe_services) {
    if (s.csa != arch || !match(s.tags)) continue;
    size_t len = std::min<size_t>(s.menu_text.size(), 255);
    if (menu.size() + len + 5 > kMaxSuboptionBytes) continue;
    auto type = static_cast<uint16_t>(s.type);
    menu.push_back(static_cast<uint8_t>(type >> 8));
    menu.push_back(static_cast<uint8_t>(type));
    menu.push_back(static_cast<uint8_t>(len));
    menu.insert(menu.end(), s.menu_text.begin(), s.menu_text.begin() + static_cast<long>(len));
    ++entries;
    if (type == 0) continue;  // local boot: no server to name
    // A service with a boot file is ours on port 4011 (the reply there names its TFTP
    // server); a discovery type names its server, or the client has to look for one.
    IpAddr server = s.basename.empty() ? s.server.value_or(IpAddr::v4({0, 0, 0, 0})) : local;
    if (server.is_unspecified()) {
      broadcast_discovery = true;
      continue;
    }
    if (servers.size() + 3 + 4 >= kMaxSuboptionBytes) continue;
    servers.push_back(static_cast<uint8_t>(type >> 8));
    servers.push_back(static_cast<uint8_t>(type));
    servers.push_back(1);  // one address
    put_addr(servers, server);
  }
  std::vector<uint8_t> out;
  // Bits 0 and 1: no broadcast, no multicast discovery (the servers are listed; bit 0 goes
  // when a service has no known server); 8: no menu, boot the file in the reply.
  const uint8_t discovery = entries == 0 ? 8 : broadcast_discovery ? 2 : 3;
  put_sub(out, subopt::kDiscoveryControl, std::span(&discovery, 1));
  if (prompts.empty()) {
    // No configured prompt: wait for the user only when there is a choice.
    const std::array<uint8_t, 4> prompt{static_cast<uint8_t>(entries > 1 ? 255 : 0), 'P', 'X', 'E'};
    put_sub(out, subopt::kMenuPrompt, prompt);
  }
  if (entries > 0) {
    if (!servers.empty()) put_sub(out, subopt::kBootServers, servers);
    put_sub(out, subopt::kBootMenu, menu);
  }
  out.insert(out.end(), prompts.begin(), prompts.end());
  return out;
}

std::vector<d4::Option> vendor_options(std::span<const uint8_t> subs) {
  std::vector<d4::Option> out;
  if (subs.empty()) return out;
  d4::Option cur{kVendorOption, {}};
  size_t i = 0;
  while (i + 1 < subs.size()) {
    size_t n = 2 + subs[i + 1];
    if (i + n > subs.size()) break;
    if (!cur.data.empty() && cur.data.size() + n > 255) {
      out.push_back(std::move(cur));
      cur = d4::Option{kVendorOption, {}};
    }
    cur.data.insert(cur.data.end(), subs.begin() + static_cast<long>(i), subs.begin() + static_cast<long>(i + n));
    i += n;
  }
  if (cur.data.size() < 255) cur.data.push_back(255);  // END of the encapsulated options
  out.push_back(std::move(cur));
  return out;
}

void add_identity(const PxeClient& client, std::vector<d4::Option>& out) {
  out.push_back({d4::opt::VendorClass, std::vector<uint8_t>(client.vendor.begin(), client.vendor.end())});
  if (client.uuid) {
    d4::Option u{97, {0}};
    u.data.insert(u.data.end(), client.uuid->begin(), client.uuid->end());
    out.push_back(std::move(u));
  }
}

const config::PxeService* single_uefi_service(const config::DhcpConfig& dc, uint16_t arch,
                                              const TagMatch& match) {
  if (arch < 6) return nullptr;
  const config::PxeService* found = nullptr;
  for (const auto& s : dc.pxe_services) {
    if (s.csa != arch || s.basename.empty() || !match(s.tags)) continue;
    if (found) return nullptr;  // a real choice: the menu is sent
    found = &s;
  }
  return found;
}

std::string boot_file(const config::PxeService& service, uint16_t layer) {
  if (service.basename.find('.') != std::string::npos) return service.basename;
  return service.basename + "." + std::to_string(layer);
}

const config::PxeService* service_of_type(const config::DhcpConfig& dc, uint16_t type) {
  for (const auto& s : dc.pxe_services)
    if (s.type == type) return &s;
  return nullptr;
}

const config::DhcpBoot* find_boot(const config::DhcpConfig& dc, const TagMatch& match) {
  for (bool tagged : {true, false})
    for (auto it = dc.boots.rbegin(); it != dc.boots.rend(); ++it)
      if (it->tags.empty() != tagged && match(it->tags)) return &*it;
  return nullptr;
}

IpAddr service_server(const config::PxeService& service, const IpAddr& local) {
  if (service.server && !service.server->is_unspecified()) return *service.server;
  return local;
}

}  // namespace masqd::dhcp::pxe
