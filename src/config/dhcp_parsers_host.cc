// --dhcp-host: comma-separated items, each recognised by its form: MAC address(es),
// id:client-id, set:/tag: tags, [IPv6], IPv4 address, lease time, "ignore", host name.
#include <fmt/core.h>

#include "config/config.h"
#include "config/dhcp_parse_util.h"
#include "config/dhcp_parsers.h"

namespace masqd::config::dhcp_parsers {

using namespace dhcp_text;

namespace {

constexpr int kMaxHwAddrLen = 16;  // DHCP chaddr field

Result<void> parse_host_addr6(std::string_view item, DhcpHost& h) {
  item = item.substr(1, item.size() - 2);  // drop [ ]
  std::string_view len_text;
  bool has_len = false;
  if (auto after = split_off(item, '/')) {
    len_text = *after;
    has_len = true;
  }
  auto addr = IpAddr::parse_v6(item);
  if (!addr) return make_error("bad IPv6 address");
  DhcpHostAddr6 a{*addr, std::nullopt, false};
  if (has_len) {
    int32_t len;
    if (!atoi_check(len_text, &len) || len < 0 || len > 128)
      return make_error("bad IPv6 prefix");
    // Bits of the host half below the prefix must be clear.
    uint64_t host = 0;
    for (size_t i = 8; i < 16; ++i) host = (host << 8) | addr->bytes()[i];
    // dnsmasq computes (1 << (128 - len)) - 1 on 64 bits; x86 takes the shift count mod 64,
    // so /64 (and /0) check nothing and shorter prefixes check only some low bits.
    unsigned shift = (128 - static_cast<unsigned>(len)) & 63;
    uint64_t below = (uint64_t{1} << shift) - 1;
    if ((below & host) != 0) return make_error("bad IPv6 prefix");
    a.prefix_len = static_cast<uint8_t>(len);
  }
  bool net_zero = true;
  for (size_t i = 0; i < 8; ++i)
    if (addr->bytes()[i] != 0) net_zero = false;
  a.wildcard = net_zero;
  h.addrs6.push_back(a);
  return ok();
}

// An item with a ':' in it: client id, tag, IPv6 address or hardware address.
Result<void> parse_colon_item(std::string_view item, DhcpHost& h) {
  if (item.size() >= 3 && (item[0] == 'i' || item[0] == 'I') && (item[1] == 'd' || item[1] == 'D') &&
      item[2] == ':') {
    std::string_view id = item.substr(3);
    if (!id.empty() && id[0] == '*') {
      h.ignore_client_id = true;
      return ok();
    }
    std::vector<uint8_t> bytes;
    if (id.find(':') != std::string_view::npos) {
      if (!parse_hex(id, -1, &bytes, nullptr, nullptr)) return make_error("bad hex constant");
    } else {
      std::string raw = unhide(id);
      bytes.assign(raw.begin(), raw.end());
    }
    h.client_id = std::move(bytes);
    return ok();
  }
  if (has_prefix(item, "net:") || has_prefix(item, "set:")) {
    h.set_tags.push_back(tag_name(item.substr(4)));
    return ok();
  }
  if (has_prefix(item, "tag:")) {
    h.tags.push_back(tag_name(item.substr(4)));
    return ok();
  }
  if (item.front() == '[' && item.back() == ']') return parse_host_addr6(item, h);
  HwAddrPattern mac;
  if (!parse_hex(item, kMaxHwAddrLen, &mac.bytes, &mac.wildcard, &mac.hw_type))
    return make_error("bad hex constant");
  h.macs.push_back(std::move(mac));
  return ok();
}

// Neither ':' nor an IPv4 address: a lease time, "infinite", "ignore" or a host name.
Result<void> parse_word_item(std::string_view item, DhcpHost& h) {
  uint32_t factor = 1;
  std::string_view number = item;
  if (item.size() > 1) {
    switch (item.back()) {
      case 'w': case 'W': factor *= 7; [[fallthrough]];
      case 'd': case 'D': factor *= 24; [[fallthrough]];
      case 'h': case 'H': factor *= 60; [[fallthrough]];
      case 'm': case 'M': factor *= 60; [[fallthrough]];
      case 's': case 'S': number.remove_suffix(1); break;
      default: break;
    }
  }
  bool has_digit = false, is_number = true;
  for (char c : number) {
    if (c >= '0' && c <= '9') {
      has_digit = true;
    } else if (c != ' ') {
      is_number = false;
      break;
    }
  }
  if (is_number) {
    if (has_digit) {
      uint32_t secs = static_cast<uint32_t>(c_atoi(number)) * factor;
      h.lease = LeaseSeconds(std::max(secs, static_cast<uint32_t>(kMinLease.count())));
    }
    return ok();  // blank items are skipped
  }
  if (item == "infinite") {
    h.lease = kInfiniteLease;
    return ok();
  }
  if (item == "ignore") {
    h.ignore = true;
    return ok();
  }
  auto name = canonical_name(item);
  if (!name || !legal_hostname(*name)) return make_error("bad DHCP host name");
  size_t dot = name->find('.');
  h.hostname = name->substr(0, dot);
  h.domain = dot == std::string::npos ? std::string() : name->substr(dot + 1);
  return ok();
}

}  // namespace

Result<void> parse_dhcp_host(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  DhcpHost h;
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    if (item.find(':') != std::string_view::npos) {
      if (auto r = parse_colon_item(item, h); !r) return r;
    } else if (item.find('.') != std::string_view::npos && IpAddr::parse_v4(item)) {
      IpAddr a = *IpAddr::parse_v4(item);
      // The same address in two hosts would make a DISCOVER/REQUEST loop.
      for (const auto& other : ctx.config.dhcp.hosts)
        if (other.addr4 == a)
          return make_error(fmt::format("duplicate dhcp-host IP address {}", a.to_string()));
      h.addr4 = a;
    } else {
      if (auto r = parse_word_item(item, h); !r) return r;
    }
  }
  ctx.config.dhcp.hosts.push_back(std::move(h));
  return ok();
}

}  // namespace masqd::config::dhcp_parsers
