// Tag-setting and tag-testing options: dhcp-vendorclass/userclass/circuitid/remoteid/
// subscrid, dhcp-mac, dhcp-name-match, tag-if, and the tag-list options (dhcp-ignore,
// dhcp-ignore-names, dhcp-generate-names, dhcp-broadcast, bootp-dynamic).
#include <cctype>

#include "config/config.h"
#include "config/dhcp_parse_util.h"
#include "config/dhcp_parsers.h"

namespace masqd::config::dhcp_parsers {

using namespace dhcp_text;

namespace {

constexpr int kMaxHwAddrLen = 16;

Result<void> parse_class(ParseContext& ctx, const OptArg* arg, DhcpClassKind kind) {
  std::string text = value_text(arg);
  std::string_view tag = text;
  auto rest = split_off(tag);
  if (!rest) return make_error("");
  DhcpClassMatch m;
  m.kind = kind;
  m.tag = tag_name(strip_set_prefix(tag));
  std::string_view data = *rest;
  if (auto third = split_off(data)) {
    // Only the vendor class takes a middle "enterprise:<n>" field.
    if (kind != DhcpClassKind::VendorClass || !has_prefix(data, "enterprise:")) return make_error("");
    m.enterprise = c_atoi(data.substr(11));
    data = *third;
  }
  // Relay-agent ids written as hex ("01:02:03") are matched as bytes.
  bool digit = false, hex_only = true;
  for (char c : data) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c != ':') {
      hex_only = false;
      break;
    }
  }
  bool text_match = kind == DhcpClassKind::VendorClass || kind == DhcpClassKind::UserClass;
  if (text_match || !hex_only || !digit) {
    std::string raw = unhide(data);
    m.data.assign(raw.begin(), raw.end());
  } else {
    (void)parse_hex(data, static_cast<int>(data.size()), &m.data, nullptr, nullptr);
  }
  ctx.config.dhcp.class_matches.push_back(std::move(m));
  return ok();
}

// A list of "tag:x" (or bare) names; no value means "every client".
TagList tag_list(const OptArg* arg) {
  TagList tags;
  if (!arg) return tags;
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    tags.push_back(tag_name(is_tag_prefix(item) ? item.substr(4) : item));
  }
  return tags;
}

}  // namespace

Result<void> parse_vendor_class(ParseContext& ctx, const OptArg* arg) {
  return parse_class(ctx, arg, DhcpClassKind::VendorClass);
}
Result<void> parse_user_class(ParseContext& ctx, const OptArg* arg) {
  return parse_class(ctx, arg, DhcpClassKind::UserClass);
}
Result<void> parse_circuit_id(ParseContext& ctx, const OptArg* arg) {
  return parse_class(ctx, arg, DhcpClassKind::CircuitId);
}
Result<void> parse_remote_id(ParseContext& ctx, const OptArg* arg) {
  return parse_class(ctx, arg, DhcpClassKind::RemoteId);
}
Result<void> parse_subscriber_id(ParseContext& ctx, const OptArg* arg) {
  return parse_class(ctx, arg, DhcpClassKind::SubscriberId);
}

Result<void> parse_dhcp_mac(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view tag = text;
  auto rest = split_off(tag);
  if (!rest) return make_error("");
  DhcpMacMatch m;
  m.tag = tag_name(strip_set_prefix(tag));
  std::string pattern = unhide(*rest);
  if (!parse_hex(pattern, kMaxHwAddrLen, &m.pattern.bytes, &m.pattern.wildcard, &m.pattern.hw_type))
    return make_error("");
  ctx.config.dhcp.mac_matches.push_back(std::move(m));
  return ok();
}

Result<void> parse_name_match(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view tag = text;
  auto rest = split_off(tag);
  if (!rest || rest->empty()) return make_error("");
  DhcpNameMatch m;
  m.tag = tag_name(strip_set_prefix(tag));
  std::string_view name = *rest;
  if (name.back() == '*') {
    name.remove_suffix(1);
    m.prefix = true;
  }
  m.name = unhide(name);
  ctx.config.dhcp.name_matches.push_back(std::move(m));
  return ok();
}

Result<void> parse_tag_if(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  DhcpTagIf t;
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    // Every item is "set:<name>" or "tag:<name>" with a non-empty name.
    if (item.size() < 5) return make_error("bad tag-if");
    if (has_prefix(item, "set:")) {
      t.set.push_back(tag_name(item.substr(4)));
    } else if (has_prefix(item, "tag:")) {
      t.conditions.push_back(tag_name(item.substr(4)));
    } else {
      return make_error("bad tag-if");
    }
  }
  if (t.set.empty()) return make_error("bad tag-if");
  ctx.config.dhcp.tag_ifs.push_back(std::move(t));
  return ok();
}

Result<void> parse_dhcp_ignore(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.ignore.push_back(tag_list(arg));
  return ok();
}
Result<void> parse_ignore_names(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.ignore_names.push_back(tag_list(arg));
  return ok();
}
Result<void> parse_generate_names(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.generate_names.push_back(tag_list(arg));
  return ok();
}
Result<void> parse_dhcp_broadcast(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.broadcast.push_back(tag_list(arg));
  return ok();
}
Result<void> parse_bootp_dynamic(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.bootp_dynamic.push_back(tag_list(arg));
  return ok();
}

}  // namespace masqd::config::dhcp_parsers
