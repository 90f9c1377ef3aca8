// --dhcp-option, --dhcp-option-force, --dhcp-option-pxe and --dhcp-match: option selector
// (number, option:name, option6:name|number, vendor:, encap:, vi-encap:, tags) and the
// value, classified and encoded the way dnsmasq 2.90 does it.
#include <map>

#include "config/config.h"
#include "config/dhcp_option_names.h"
#include "config/dhcp_parse_util.h"
#include "config/dhcp_parsers.h"

namespace masqd::config::dhcp_parsers {

using namespace dhcp_text;

namespace {

constexpr int kOptSipServer = 120;
constexpr int kOptDomainSearch = 119;
constexpr int kOpt6NtpServer = 56;

enum class OptMode : uint8_t { Normal, Force, Pxe, Match };

// What the characters of a value allow it to be (dnsmasq's heuristics).
struct ValueShape {
  bool addr = true, addr6 = true, hex = true, dec = true, string = true;
  int addrs = 1, digs = 1, dots = 0;
  char len_char = 0;  // 'b', 's' or 'i' suffix forcing a number's width
  bool found_digit = false;
};

ValueShape classify(std::string& v, bool match) {
  ValueShape s;
  bool found_colon = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == ',') {
      s.addrs++;
      s.dec = s.hex = false;
    } else if (c == ':') {
      s.digs++;
      s.dec = s.addr = false;
      found_colon = true;
    } else if (c == '/') {
      s.addr6 = s.dec = s.hex = false;
      if (i == 0) s.addr = false;  // a leading '/' is a path
    } else if (c == '.') {
      s.dec = s.hex = false;
      s.dots++;
    } else if (c == '-') {
      s.hex = s.addr = s.addr6 = false;
    } else if (c == ' ') {
      s.dec = s.hex = false;
    } else if (c < '0' || c > '9') {
      s.addr = false;
      if (i + 1 == v.size() && s.dec && (c == 'b' || c == 's' || c == 'i')) {
        s.len_char = c;
        v.pop_back();  // last character: the loop ends after this one
      } else {
        s.dec = false;
      }
      bool hexletter = (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f') || (c == '*' && match);
      if (!hexletter) {
        s.hex = false;
        if (c != '[' && c != ']') s.addr6 = false;
      }
    } else {
      s.found_digit = true;
    }
  }
  if (!s.found_digit) s.dec = s.addr = false;
  if (!found_colon) s.addr6 = false;
  return s;
}

// RFC 1035 name list with compression pointers against earlier names (RFC 3397).
// `base` is the number of bytes already in `out` that pointers must skip (RFC 3361 byte).
void append_compressed(std::vector<uint8_t>& out, size_t base, const std::string& name,
                       std::map<std::string, size_t>& suffixes) {
  std::string_view rest = name;
  while (!rest.empty()) {
    auto it = suffixes.find(std::string(rest));
    if (it != suffixes.end() && it->second < 0x4000) {
      out.push_back(static_cast<uint8_t>(0xc0 | (it->second >> 8)));
      out.push_back(static_cast<uint8_t>(it->second & 0xff));
      return;
    }
    suffixes.emplace(std::string(rest), out.size() - base);
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  out.push_back(0);
}

void append_plain(std::vector<uint8_t>& out, const std::string& name) {
  std::string_view rest = name;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  out.push_back(0);
}

Result<void> encode_v4_addresses(std::string_view v, DhcpOption& o) {
  o.kind = DhcpOptionValueKind::Addr4;
  if (!o.vendor_class && !o.encap && !o.vi_encap && o.code == kOptSipServer) {
    o.value.push_back(1);  // RFC 3361: addresses follow
    o.kind = DhcpOptionValueKind::Addr4Fixed;
  }
  std::optional<std::string_view> rest = v;
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    std::optional<std::string_view> slash = split_off(item, '/');
    auto a = IpAddr::parse_v4(item);
    if (!a) return make_error("bad IPv4 address");
    const auto& b = a->bytes();
    if (!slash) {
      o.value.insert(o.value.end(), b.begin(), b.begin() + 4);
    } else {
      // RFC 3442 descriptor: width, then only the significant bytes.
      int32_t width = c_atoi(*slash);
      o.value.push_back(static_cast<uint8_t>(width));
      for (int i = 0; i < 4 && width > i * 8; ++i) o.value.push_back(b[static_cast<size_t>(i)]);
      o.kind = DhcpOptionValueKind::Addr4Fixed;
    }
  }
  return ok();
}

Result<void> encode_v6_addresses(std::string_view v, DhcpOption& o) {
  o.kind = DhcpOptionValueKind::Addr6;
  std::optional<std::string_view> rest = v;
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    if (!item.empty() && item.front() == '[') item.remove_prefix(1);
    if (item.size() > 1 && item.back() == ']') item.remove_suffix(1);
    auto a = IpAddr::parse_v6(item);
    if (!a) return make_error("bad IPv6 address");
    o.value.insert(o.value.end(), a->bytes().begin(), a->bytes().end());
  }
  return ok();
}

Result<void> encode_text(std::string_view v, uint16_t type, bool v6, DhcpOption& o) {
  bool plain_v4 = !v6 && !o.vendor_class && !o.encap && !o.vi_encap;
  if (plain_v4 && (o.code == kOptDomainSearch || o.code == kOptSipServer)) {
    o.kind = DhcpOptionValueKind::Names;
    size_t base = 0;
    if (o.code == kOptSipServer) {
      o.value.push_back(0);  // RFC 3361: names follow
      base = 1;
    }
    std::map<std::string, size_t> suffixes;
    std::optional<std::string_view> rest = v;
    while (rest) {
      std::string_view item = *rest;
      rest = split_off(item);
      if (item.empty()) break;  // an empty item ends the list
      std::string name;
      if (item != ".") {
        auto n = canonical_name(item);
        if (!n) return make_error("bad domain in dhcp-option");
        name = *n;
      }
      append_compressed(o.value, base, name, suffixes);
    }
    return ok();
  }
  if (v6 && (type & kOptDomainNames)) {
    o.kind = DhcpOptionValueKind::Names;
    std::optional<std::string_view> rest = v;
    while (rest) {
      std::string_view item = *rest;
      rest = split_off(item);
      if (item.empty()) break;  // an empty item ends the list
      auto n = canonical_name(item);
      if (!n) return make_error("bad domain in dhcp-option");
      append_plain(o.value, *n);
    }
    return ok();
  }
  if (v6 && (type & kOptCountedStrings)) {
    o.kind = DhcpOptionValueKind::CountedStrings;
    std::optional<std::string_view> rest = v;
    while (rest) {
      std::string_view item = *rest;
      rest = split_off(item);
      if (item.empty()) break;  // an empty item ends the list
      std::string s = unhide(item);
      o.value.push_back(static_cast<uint8_t>(s.size() >> 8));
      o.value.push_back(static_cast<uint8_t>(s.size() & 0xff));
      o.value.insert(o.value.end(), s.begin(), s.end());
    }
    return ok();
  }
  o.kind = DhcpOptionValueKind::String;
  std::string s = unhide(v);
  o.value.assign(s.begin(), s.end());
  return ok();
}

Result<void> encode_value(std::string value, uint16_t type, bool v6, bool match, DhcpOption& o) {
  ValueShape s = classify(value, match);
  if (v6 && o.code == kOpt6NtpServer && !s.hex) type |= s.addr6 ? kOptAddrList : kOptDomainNames;
  if (type & kOptAddrList) {
    s.string = s.dec = s.hex = false;
    if (!v6 && (!s.addr || s.dots == 0)) return make_error("bad IP address");
    if (v6 && !s.addr6) return make_error("bad IPv6 address");
  } else if (type & (kOptName | kOptDomainNames | kOptCountedStrings)) {
    s.addr6 = s.addr = s.dec = s.hex = false;
  }

  if (s.found_digit && (type & kOptTime) && !value.empty()) {
    uint32_t factor = 1;
    switch (value.back()) {
      case 'w': case 'W': factor *= 7; [[fallthrough]];
      case 'd': case 'D': factor *= 24; [[fallthrough]];
      case 'h': case 'H': factor *= 60; [[fallthrough]];
      case 'm': case 'M': factor *= 60; [[fallthrough]];
      case 's': case 'S': value.pop_back(); break;
      default: break;
    }
    uint32_t secs = static_cast<uint32_t>(c_atoi(value)) * factor;
    o.kind = DhcpOptionValueKind::Time;
    for (int i = 3; i >= 0; --i) o.value.push_back(static_cast<uint8_t>(secs >> (8 * i)));
    return ok();
  }
  if (s.hex && s.digs > 1) {
    o.kind = DhcpOptionValueKind::Hex;
    // Malformed wildcards ("*1") leave a short value, as in dnsmasq; never an error here.
    (void)parse_hex(value, s.digs, &o.value, match ? &o.wildcard : nullptr, nullptr);
    return ok();
  }
  if (s.dec) {
    auto n = static_cast<uint32_t>(c_atoi(value));
    size_t len = type & kOptLengthMask;
    if (len == 0) len = (n & 0xffff0000u) ? 4 : (n & 0xff00u) ? 2 : 1;
    if (s.len_char == 'b') len = 1;
    if (s.len_char == 's') len = 2;
    if (s.len_char == 'i') len = 4;
    o.kind = DhcpOptionValueKind::Number;
    for (size_t i = len; i-- > 0;)
      o.value.push_back(i >= 4 ? 0 : static_cast<uint8_t>(n >> (8 * i)));
    return ok();
  }
  if (s.addr && !v6) return encode_v4_addresses(value, o);
  if (s.addr6 && v6) return encode_v6_addresses(value, o);
  if (s.string) return encode_text(value, type, v6, o);
  return ok();
}

Result<void> parse_option_spec(ParseContext& ctx, const OptArg* arg, OptMode mode) {
  const bool match = mode == OptMode::Match;
  std::string text = value_text(arg);
  std::optional<std::string_view> cur = std::string_view(text);
  std::optional<std::string_view> value;
  DhcpOption o;
  o.force = mode == OptMode::Force;
  o.pxe_only = mode == OptMode::Pxe;
  bool option_ok = false, v6 = false;
  uint16_t type = 0;
  while (cur) {
    std::string_view item = *cur;
    value = split_off(item);
    if (all_digits(item)) {
      o.code = c_atoi(item);
      option_ok = true;
      break;
    }
    if (has_prefix(item, "option:")) {
      if (const auto* e = find_dhcp_option(false, item.substr(7))) {
        o.code = e->code;
        type = e->type;
        if (!(type & kOptInternal) || match) option_ok = true;
      }
      break;
    }
    if (has_prefix(item, "option6:")) {
      v6 = true;
      std::string_view what = item.substr(8);
      if (all_digits(what)) {
        o.code = c_atoi(what);
        option_ok = true;
      } else if (const auto* e = find_dhcp_option(true, what)) {
        o.code = e->code;
        type = e->type;
        if (!(type & kOptInternal) || match) option_ok = true;
      }
      break;
    }
    if (has_prefix(item, "vendor:")) {
      if (o.encap || match) return make_error("inappropriate vendor:");
      o.vendor_class = unhide(item.substr(7));
    } else if (has_prefix(item, "encap:")) {
      // dnsmasq 2.90 crashes on "vendor:...,encap:..."; refusing it is the safe reading.
      if (o.vendor_class || match) return make_error("inappropriate encap:");
      o.encap = c_atoi(item.substr(6));
    } else if (has_prefix(item, "vi-encap:")) {
      o.vi_encap = c_atoi(item.substr(9));
      if (match) {
        option_ok = true;
        break;
      }
    } else {
      o.tags.push_back(tag_name(is_tag_prefix(item) ? item.substr(4) : strip_set_prefix(item)));
    }
    cur = value;
  }

  if (v6) {
    if (o.vendor_class || o.encap) return make_error("unsupported encapsulation for IPv6 option");
    if (type == 0 && !o.vi_encap)
      if (const auto* e = find_dhcp_option(true, o.code)) type = e->type;
  } else if (type == 0 && !o.vendor_class && !o.encap && !o.vi_encap) {
    if (const auto* e = find_dhcp_option(false, o.code)) type = e->type;
  }
  if (!option_ok) return make_error("bad dhcp-option");

  o.is_v6 = v6;
  if (value) {
    if (auto r = encode_value(std::string(*value), type, v6, match, o); !r) return r;
  }
  size_t len = o.value.size();
  if (!v6 && (len > 255 || (len > 253 && (o.vendor_class || o.encap)) || (len > 250 && o.vi_encap)))
    return make_error("dhcp-option too long");

  auto& dhcp = ctx.config.dhcp;
  if (match) {
    if (o.vendor_class || o.encap || o.tags.size() != 1) return make_error("illegal dhcp-match");
    DhcpMatch m{o.tags.front(), std::move(o)};
    m.option.tags.clear();
    (v6 ? dhcp.matches6 : dhcp.matches4).push_back(std::move(m));
  } else {
    (v6 ? dhcp.options6 : dhcp.options4).push_back(std::move(o));
  }
  return ok();
}

}  // namespace

Result<void> parse_dhcp_option(ParseContext& ctx, const OptArg* arg) {
  return parse_option_spec(ctx, arg, OptMode::Normal);
}
Result<void> parse_dhcp_option_force(ParseContext& ctx, const OptArg* arg) {
  return parse_option_spec(ctx, arg, OptMode::Force);
}
Result<void> parse_dhcp_option_pxe(ParseContext& ctx, const OptArg* arg) {
  return parse_option_spec(ctx, arg, OptMode::Pxe);
}
Result<void> parse_dhcp_match(ParseContext& ctx, const OptArg* arg) {
  return parse_option_spec(ctx, arg, OptMode::Match);
}

}  // namespace masqd::config::dhcp_parsers
