// Network boot: dhcp-boot, pxe-service, pxe-prompt, dhcp-pxe-vendor, and the TFTP server
// options that take values (enable-tftp, tftp-root, tftp-unique-root, tftp-max, tftp-mtu,
// tftp-port-range).
#include <array>

#include "base/text.h"
#include "config/config.h"
#include "config/dhcp_parse_util.h"
#include "config/dhcp_parsers.h"

namespace masqd::config::dhcp_parsers {

using namespace dhcp_text;

namespace {

// PXE client system types by name (RFC 4578 numbering: index = number).
constexpr std::array<std::string_view, 12> kPxeArch = {
    "x86PC",    "PC98",       "IA64_EFI",   "Alpha",  "Arc_x86",   "Intel_Lean_Client",
    "IA32_EFI", "x86-64_EFI", "Xscale_EFI", "BC_EFI", "ARM32_EFI", "ARM64_EFI"};

// Leading "tag:"/"net:" items. `rest` becomes nullopt when nothing follows them.
TagList leading_tags(std::optional<std::string_view>& rest) {
  TagList tags;
  while (rest && is_tag_prefix(*rest)) {
    std::string_view item = *rest;
    auto next = split_off(item);
    tags.push_back(tag_name(item.substr(4)));
    rest = next;
  }
  return tags;
}

}  // namespace

Result<void> parse_dhcp_boot(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  DhcpBoot b;
  b.tags = leading_tags(rest);
  if (!rest) return make_error("");
  std::string_view file = *rest;
  auto sname = split_off(file);
  b.file = unhide(file);
  if (sname) {
    std::string_view name = *sname;
    auto server = split_off(name);
    b.server_name = unhide(name);
    if (server) {
      std::string s = unhide(*server);
      if (auto a = IpAddr::parse_v4(s))
        b.next_server = *a;
      else
        b.tftp_server_name = s;  // looked up when a client boots
    }
  }
  ctx.config.dhcp.boots.push_back(std::move(b));
  return ok();
}

Result<void> parse_pxe_service(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  PxeService p;
  p.tags = leading_tags(rest);
  if (!rest) return make_error("");
  std::string_view csa = *rest;
  auto menu = split_off(csa);
  if (!menu) return make_error("");
  int32_t number = -1;
  for (size_t i = 0; i < kPxeArch.size(); ++i)
    if (text::iequals(kPxeArch[i], csa)) number = static_cast<int32_t>(i);
  if (number < 0 && !atoi_check(csa, &number)) return make_error("");
  p.csa = number;
  std::string_view menu_text = *menu;
  auto kind = split_off(menu_text);
  p.menu_text = unhide(menu_text);
  if (kind) {
    std::string_view type = *kind;
    auto server = split_off(type);
    int32_t n;
    if (atoi_check(type, &n)) {
      p.type = n;  // boot-server discovery type (0 = local boot)
    } else {
      p.type = ctx.config.dhcp.next_pxe_boot_type++;
      p.basename = unhide(type);
    }
    if (server) {
      std::string s = unhide(*server);
      if (auto a = IpAddr::parse_v4(s))
        p.server = *a;
      else
        p.server_name = s;
    }
  }
  ctx.config.dhcp.pxe_services.push_back(std::move(p));
  return ok();
}

Result<void> parse_pxe_prompt(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  PxePrompt p;
  p.tags = leading_tags(rest);
  if (!rest) return make_error("");
  std::string_view prompt = *rest;
  auto timeout = split_off(prompt);
  p.prompt = unhide(prompt);
  int32_t secs;
  // A missing or non-numeric timeout means "wait" (255), as in dnsmasq.
  if (timeout && atoi_check(*timeout, &secs)) p.timeout = static_cast<uint8_t>(secs);
  ctx.config.dhcp.pxe_prompts.push_back(std::move(p));
  return ok();
}

Result<void> parse_pxe_vendor(ParseContext& ctx, const OptArg* arg) {
  for (auto& item : unhidden_items(value_text(arg)))
    ctx.config.dhcp.pxe_vendors.push_back(std::move(item));
  return ok();
}

Result<void> parse_enable_tftp(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.tftp_enabled = true;
  if (!arg) return ok();
  for (auto& item : unhidden_items(value_text(arg)))
    ctx.config.dhcp.tftp_interfaces.push_back(std::move(item));
  return ok();
}

Result<void> parse_tftp_root(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view path = text;
  auto iface = split_off(path);
  ctx.config.dhcp.tftp_roots.push_back({unhide(path), iface ? unhide(*iface) : std::string()});
  return ok();
}

Result<void> parse_tftp_unique_root(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  if (!arg || text::iequals(text, "ip")) {
    ctx.config.dhcp.tftp_unique_root = TftpUniqueRoot::Ip;
  } else if (text::iequals(text, "mac")) {
    ctx.config.dhcp.tftp_unique_root = TftpUniqueRoot::Mac;
  } else {
    return make_error("");
  }
  return ok();
}

Result<void> parse_tftp_max(ParseContext& ctx, const OptArg* arg) {
  if (!atoi_check(value_text(arg), &ctx.config.dhcp.tftp_max)) return make_error("");
  return ok();
}

Result<void> parse_tftp_mtu(ParseContext& ctx, const OptArg* arg) {
  if (!atoi_check(value_text(arg), &ctx.config.dhcp.tftp_mtu)) return make_error("");
  return ok();
}

Result<void> parse_tftp_port_range(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view first = text;
  auto second = split_off(first);
  uint16_t lo, hi;
  if (!second || !atoi_check16(first, &lo) || !atoi_check16(*second, &hi))
    return make_error("bad port range");
  if (lo > hi) std::swap(lo, hi);
  ctx.config.dhcp.tftp_port_range = std::make_pair(lo, hi);
  return ok();
}

}  // namespace masqd::config::dhcp_parsers
