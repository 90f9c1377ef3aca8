// The remaining DHCP options with values: lease file and limits, host/option files,
// scripts, ports, relays and proxies, bridges, shared networks, DUID, RA parameters,
// reply delay, and the newer-than-2.90 relay/leasequery options.
#include <net/if.h>

#include "base/text.h"
#include "config/config.h"
#include "config/dhcp_parse_util.h"
#include "config/dhcp_parsers.h"

namespace masqd::config::dhcp_parsers {

using namespace dhcp_text;

namespace {

constexpr uint16_t kDhcpServerPort = 67;
constexpr uint16_t kDhcp6ServerPort = 547;
constexpr uint16_t kDhcpAltServerPort = 1067;
constexpr uint16_t kDhcpAltClientPort = 1068;
constexpr size_t kMaxIfNameLen = IF_NAMESIZE - 1;

std::string whole(const OptArg* arg) { return arg ? arg->text() : std::string(); }

}  // namespace

Result<void> parse_lease_file(ParseContext& ctx, const OptArg* arg) {
  if (arg) ctx.config.dhcp.lease_file = arg->text();  // no value: keep the default
  return ok();
}

Result<void> parse_lease_max(ParseContext& ctx, const OptArg* arg) {
  if (!atoi_check(value_text(arg), &ctx.config.dhcp.lease_max)) return make_error("");
  return ok();
}

Result<void> parse_hosts_file(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.hosts_files.push_back(whole(arg));
  return ok();
}
Result<void> parse_opts_file(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.opts_files.push_back(whole(arg));
  return ok();
}
Result<void> parse_hosts_dir(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.hosts_dirs.push_back(whole(arg));
  return ok();
}
Result<void> parse_opts_dir(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.opts_dirs.push_back(whole(arg));
  return ok();
}

Result<void> parse_script(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.script = whole(arg);
  return ok();
}

Result<void> parse_lua_script(ParseContext&, const OptArg*) {
  // The reference build (Debian 2.90) has no Lua support and refuses the option.
  return make_error("recompile with HAVE_LUASCRIPT defined to enable Lua scripts");
}

Result<void> parse_script_user(ParseContext& ctx, const OptArg* arg) {
  ctx.config.dhcp.script_user = whole(arg);
  return ok();
}

Result<void> parse_alternate_port(ParseContext& ctx, const OptArg* arg) {
  if (!arg) {
    ctx.config.dhcp.alternate_ports = std::make_pair(kDhcpAltServerPort, kDhcpAltClientPort);
    return ok();
  }
  std::string text = value_text(arg);
  std::string_view server = text;
  auto client = split_off(server);
  uint16_t s, c = 0;
  if (!atoi_check16(server, &s) || (client && !atoi_check16(*client, &c)))
    return make_error("invalid port number");
  if (!client) c = static_cast<uint16_t>(s + 1);
  ctx.config.dhcp.alternate_ports = std::make_pair(s, c);
  return ok();
}

Result<void> parse_dhcp_proxy(ParseContext& ctx, const OptArg* arg) {
  if (!arg) {
    ctx.config.dhcp.proxy_all_relays = true;
    return ok();
  }
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    auto a = IpAddr::parse_v4(item);
    if (!a) return make_error("bad dhcp-proxy address");
    ctx.config.dhcp.proxy_relays.push_back(*a);
  }
  return ok();
}

Result<void> parse_dhcp_relay(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view local = text;
  auto two = split_off(local);
  std::optional<std::string_view> three;
  if (two) {
    std::string_view server = *two;
    three = split_off(server);
    two = server;
  }
  if (!two) return make_error("Bad dhcp-relay");
  std::optional<IpAddr> local_addr = IpAddr::parse_v4(local);
  bool v6 = false;
  if (!local_addr) {
    local_addr = IpAddr::parse_v6(local);
    v6 = true;
  }
  // dnsmasq 2.90 silently ignores a relay whose local address is not an address.
  if (!local_addr) return ok();
  DhcpRelay r;
  r.local = *local_addr;
  std::string_view server = *two;
  auto port = split_off(server, '#');
  if (!port || !atoi_check16(*port, &r.port)) r.port = v6 ? kDhcp6ServerPort : kDhcpServerPort;
  auto server_addr = v6 ? IpAddr::parse_v6(server) : IpAddr::parse_v4(server);
  if (server_addr) {
    r.server = *server_addr;
  } else {
    // Two-field form "local,iface": broadcast (or multicast) out of iface.
    if (three || server.find('*') != std::string_view::npos) return make_error("Bad dhcp-relay");
    three = server;
  }
  if (three) r.interface = unhide(*three);
  ctx.config.dhcp.relays.push_back(std::move(r));
  return ok();
}

Result<void> parse_split_relay(ParseContext& ctx, const OptArg* arg) {
  // dnsmasq 2.93: local,[server[#port]],server-iface|server-addr. Checked for shape only.
  std::string text = value_text(arg);
  std::string_view local = text;
  auto rest = split_off(local);
  if (!rest || !IpAddr::parse_v4(local)) return make_error("Bad dhcp-split-relay");
  std::string_view server = *rest;
  auto last = split_off(server);
  if (!last || last->empty()) return make_error("Bad dhcp-split-relay");
  ctx.config.dhcp.split_relays.push_back(unhide(text));
  return ok();
}

Result<void> parse_leasequery(ParseContext& ctx, const OptArg* arg) {
  // dnsmasq 2.93: optional list of addr[/len] relays allowed to query.
  ctx.config.dhcp.leasequery = true;
  if (!arg) return ok();
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    auto p = IpPrefix::parse(item);
    if (!p) return make_error("bad leasequery address");
    ctx.config.dhcp.leasequery_from.push_back(*p);
  }
  return ok();
}

Result<void> parse_bridge_interface(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view iface = text;
  auto rest = split_off(iface);
  if (!rest || iface.size() > kMaxIfNameLen) return make_error("bad bridge-interface");
  DhcpBridge b;
  b.interface = unhide(iface);
  while (rest) {
    std::string_view alias = *rest;
    rest = split_off(alias);
    // Empty or over-long alias names are skipped, not refused.
    if (!alias.empty() && alias.size() <= kMaxIfNameLen) b.aliases.push_back(unhide(alias));
  }
  ctx.config.dhcp.bridges.push_back(std::move(b));
  return ok();
}

Result<void> parse_shared_network(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view match = text;
  auto shared = split_off(match);
  if (!shared) return make_error("bad shared-network");
  DhcpSharedNetwork n;
  bool v6 = false;
  if (auto a4 = IpAddr::parse_v4(*shared)) {
    n.shared_addr = *a4;
  } else if (auto a6 = IpAddr::parse_v6(*shared)) {
    n.shared_addr = *a6;
    v6 = true;
  } else {
    return make_error("bad shared-network");
  }
  if (auto m = v6 ? IpAddr::parse_v6(match) : IpAddr::parse_v4(match)) {
    n.match_addr = *m;
  } else {
    // An interface name must exist now (dnsmasq resolves it while parsing).
    std::string name = unhide(match);
    n.if_index = if_nametoindex(name.c_str());
    if (n.if_index == 0) return make_error("bad shared-network");
    n.if_name = std::move(name);
  }
  ctx.config.dhcp.shared_networks.push_back(std::move(n));
  return ok();
}

Result<void> parse_dhcp_duid(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view enterprise = text;
  auto hex = split_off(enterprise);
  int32_t en;
  if (!hex || !atoi_check(enterprise, &en)) return make_error("bad DUID");
  std::vector<uint8_t> bytes;
  // dnsmasq 2.90 crashes on bad hex here; refusing it is the safe reading.
  if (!parse_hex(*hex, static_cast<int>(hex->size()), &bytes, nullptr, nullptr))
    return make_error("bad DUID");
  ctx.config.dhcp.duid_enterprise = en;
  ctx.config.dhcp.duid = std::move(bytes);
  return ok();
}

Result<void> parse_ra_param(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view iface = text;
  auto rest = split_off(iface);
  if (!rest) return ok();  // a bare interface name is accepted and has no effect
  const auto bad = [] { return make_error("bad RA-params"); };
  RaParam p;
  p.interface = unhide(iface);
  std::string_view cur = *rest;
  if (text::starts_with_nocase(cur, "mtu:")) {
    std::string_view mtu = cur.substr(4);
    auto next = split_off(mtu);
    if (!next) return bad();
    if (text::iequals(mtu, "off")) {
      p.mtu = -1;
    } else if (!atoi_check(mtu, &p.mtu)) {
      p.mtu = 0;
      p.mtu_interface = unhide(mtu);
    } else if (p.mtu < 1280) {
      return bad();
    }
    cur = *next;
  }
  std::optional<std::string_view> after = cur;
  if (text::starts_with_nocase(cur, "high") || text::starts_with_nocase(cur, "low")) {
    p.priority = (cur[0] == 'l' || cur[0] == 'L') ? 0x18 : 0x08;
    std::string_view prio = cur;
    after = split_off(prio);
  }
  if (!after) return bad();
  std::string_view interval = *after;
  auto lifetime = split_off(interval);
  if (!atoi_check(interval, &p.interval) || (lifetime && !atoi_check(*lifetime, &p.lifetime)))
    return bad();
  ctx.config.dhcp.ra_params.push_back(std::move(p));
  return ok();
}

Result<void> parse_reply_delay(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::optional<std::string_view> rest = std::string_view(text);
  DhcpReplyDelay d;
  while (rest && is_tag_prefix(*rest)) {
    std::string_view item = *rest;
    auto next = split_off(item);
    d.tags.push_back(tag_name(item.substr(4)));
    rest = next;
  }
  if (!rest || !atoi_check(*rest, &d.seconds)) return make_error("");
  ctx.config.dhcp.reply_delays.push_back(std::move(d));
  return ok();
}

}  // namespace masqd::config::dhcp_parsers
