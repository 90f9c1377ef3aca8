// DNS option parsers: listening (port, addresses, interfaces) and forwarding (server,
// local, rev-server, resolv files, ports, EDNS extras). Behaviour matches dnsmasq 2.90's
// --test, including what it lets through.
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include <algorithm>
#include <array>
#include <cctype>

#include "base/text.h"
#include "config/config.h"
#include "config/dns_parse_util.h"
#include "config/dns_parsers.h"

namespace masqd::config::dnsopt {

namespace {

DnsConfig& dns(ParseContext& ctx) { return ctx.config.dns; }

// Every comma-separated piece appended to `out` as given (interface names are not checked
// by dnsmasq at parse time; "" stands for "loopback only" in --interface).
Result<void> append_names(const OptArg* arg, std::vector<std::string>& out) {
  if (!arg) return gen_err();
  for (auto& piece : split_all(*arg)) out.push_back(std::move(piece));
  return ok();
}

Result<void> set_port16(const OptArg* arg, std::optional<uint16_t>& out) {
  if (!arg) return gen_err();
  auto v = c_atoi16(arg->view());
  if (!v) return gen_err();
  out = *v;
  return ok();
}

// Resolves the address part of a server spec: a literal (with an IPv6 "%iface" scope
// that must name an existing interface) or else a host name through the system resolver,
// which may give several addresses.
Result<std::vector<IpAddr>> resolve_server_addr(std::string text, ServerSpec& spec,
                                                bool resolve_names) {
  if (auto pct = text.find('%'); pct != std::string::npos) {
    std::string scope = text.substr(pct + 1);
    text.resize(pct);
    if (if_nametoindex(scope.c_str()) == 0) return make_error("bad interface name");
    spec.scope_interface = scope;
  }
  if (auto ip = parse_ip(text)) return std::vector<IpAddr>{*ip};
  // Fuzzers and tests turn lookups off so that no query leaves the machine.
  if (!resolve_names) return make_error(gai_strerror(EAI_NONAME));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(text.c_str(), nullptr, &hints, &res);
  if (rc != 0) return make_error(gai_strerror(rc));
  std::vector<IpAddr> out;
  for (addrinfo* p = res; p; p = p->ai_next) {
    std::optional<IpAddr> a;
    if (p->ai_family == AF_INET) {
      std::array<uint8_t, 4> b{};
      std::memcpy(b.data(), &reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr, 4);
      a = IpAddr::v4(b);
    } else if (p->ai_family == AF_INET6) {
      std::array<uint8_t, 16> b{};
      std::memcpy(b.data(), &reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr, 16);
      a = IpAddr::v6(b);
    }
    if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  freeaddrinfo(res);
  spec.hostname = text;
  return out;
}

// "addr[#port][@iface][@source[#port]]" (or "addr@source"): appends one Upstream entry per
// address to `out`, checking in dnsmasq's order: ports, address, source, families.
Result<void> parse_upstream(std::string_view text, ServerSpec spec, std::vector<ServerSpec>& out,
                            bool resolve_names) {
  auto [server_part, source_part] = split_at(text, '@');
  auto [addr_text, port_text] = split_at(server_part, '#');
  if (port_text) {
    auto p = c_atoi16(*port_text);
    if (!p) return make_error("bad port");
    spec.port = *p;
  }
  std::optional<std::string> source_text;
  std::optional<std::string> iface;
  std::optional<uint16_t> source_port;
  if (source_part) {
    auto [first, second] = split_at(*source_part, '@');
    if (second) {
      iface = first;
      source_text = *second;
    } else {
      source_text = first;
    }
    auto [src_addr, src_port] = split_at(*source_text, '#');
    if (src_port) {
      auto p = c_atoi16(*src_port);
      if (!p) return make_error("bad port");
      source_port = *p;
    }
    source_text = src_addr;
  }
  auto addrs = resolve_server_addr(addr_text, spec, resolve_names);
  if (!addrs) return addrs.error();
  if (source_text) {
    if (auto ip = parse_ip(*source_text)) {
      spec.source_addr = *ip;
      spec.source_port = source_port.value_or(0);
    } else if (iface) {
      return make_error("interface can only be specified once");
    } else {
      iface = *source_text;
    }
  }
  if (iface) spec.interface = *iface;
  for (const auto& a : *addrs) {
    if (spec.source_addr && spec.source_addr->is_v4() != a.is_v4())
      return make_error(a.is_v4() ? "cannot use IPv4 server address with IPv6 source address"
                                  : "cannot use IPv6 server address with IPv4 source address");
  }
  for (const auto& a : *addrs) {
    ServerSpec s = spec;
    s.addr = a;
    out.push_back(std::move(s));
  }
  return ok();
}

// --server and --local: "[/dom/[dom/...]][addr-spec|#]".
Result<void> parse_server_like(ParseContext& ctx, const OptArg* arg, ServerSpec::Source from) {
  if (!arg) return gen_err();
  auto split = split_slash_domains(arg->view());
  ServerSpec spec;
  spec.from = from;
  for (const auto& d : split.domains) {
    auto p = parse_domain_pattern(d);
    if (!p) return gen_err();
    spec.domains.push_back(std::move(*p));
  }
  if (split.rest.empty()) {
    spec.kind = ServerSpec::Kind::Local;
    dns(ctx).servers.push_back(std::move(spec));
    return ok();
  }
  if (split.rest == "#") {
    spec.kind = ServerSpec::Kind::UseDefault;
    dns(ctx).servers.push_back(std::move(spec));
    return ok();
  }
  std::vector<ServerSpec> out;
  if (auto r = parse_upstream(split.rest, std::move(spec), out, ctx.resolve_names); !r) return r;
  for (auto& s : out) dns(ctx).servers.push_back(std::move(s));
  return ok();
}

}  // namespace

Result<void> parse_port(ParseContext& ctx, const OptArg* arg) {
  std::optional<uint16_t> v;
  if (auto r = set_port16(arg, v); !r) return r;
  dns(ctx).port = *v;
  return ok();
}

Result<void> parse_listen_address(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  std::vector<IpAddr> addrs;
  for (const auto& piece : split_all(*arg)) {
    auto ip = parse_ip(piece);
    if (!ip) return gen_err();
    addrs.push_back(*ip);
  }
  auto& out = dns(ctx).listen_addresses;
  out.insert(out.end(), addrs.begin(), addrs.end());
  return ok();
}

Result<void> parse_interface(ParseContext& ctx, const OptArg* arg) {
  return append_names(arg, dns(ctx).interfaces);
}
Result<void> parse_except_interface(ParseContext& ctx, const OptArg* arg) {
  return append_names(arg, dns(ctx).except_interfaces);
}
Result<void> parse_no_dhcp_interface(ParseContext& ctx, const OptArg* arg) {
  return append_names(arg, dns(ctx).no_dhcp_interfaces);
}
Result<void> parse_no_dhcpv4_interface(ParseContext& ctx, const OptArg* arg) {
  return append_names(arg, dns(ctx).no_dhcpv4_interfaces);
}
Result<void> parse_no_dhcpv6_interface(ParseContext& ctx, const OptArg* arg) {
  return append_names(arg, dns(ctx).no_dhcpv6_interfaces);
}

Result<void> parse_local_service(ParseContext& ctx, const OptArg* arg) {
  if (!arg || arg->text() == "net") {
    dns(ctx).local_service = DnsConfig::LocalService::Net;
  } else if (arg->text() == "host") {
    dns(ctx).local_service = DnsConfig::LocalService::Host;
  } else {
    return gen_err();
  }
  return ok();
}

Result<void> parse_server(ParseContext& ctx, const OptArg* arg) {
  return parse_server_like(ctx, arg, ServerSpec::Source::Server);
}

Result<void> parse_local(ParseContext& ctx, const OptArg* arg) {
  return parse_server_like(ctx, arg, ServerSpec::Source::Local);
}

Result<void> parse_rev_server(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  std::string prefix_text = f.next().value_or("");
  auto server_text = f.rest();
  auto [addr_text, len_text] = split_at(prefix_text, '/');
  auto addr = parse_ip(addr_text);
  if (!addr) return gen_err();
  IpPrefix prefix{*addr, static_cast<uint8_t>(addr->size() * 8)};
  if (len_text) {
    // A length that is not a number is ignored (the full length stays), as in dnsmasq.
    if (auto len = c_atoi(*len_text)) {
      int max = static_cast<int>(addr->size() * 8);
      if (*len < 1 || *len > max)
        return make_error(addr->is_v4() ? "bad IPv4 prefix length" : "bad IPv6 prefix length");
      prefix.length = static_cast<uint8_t>(*len);
    }
  }
  // Zero the host bits so the zones name the network.
  auto bytes = prefix.addr.bytes();
  for (size_t i = 0; i < prefix.addr.size(); ++i) {
    int keep = std::clamp(static_cast<int>(prefix.length) - static_cast<int>(i * 8), 0, 8);
    bytes[i] = static_cast<uint8_t>(bytes[i] & (keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff));
  }
  if (prefix.addr.is_v4()) {
    prefix.addr = IpAddr::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  } else {
    prefix.addr = IpAddr::v6(bytes);
  }
  ServerSpec spec;
  spec.from = ServerSpec::Source::RevServer;
  spec.rev_prefix = prefix;
  for (auto& zone : reverse_zones(prefix)) spec.domains.push_back({DomainPattern::Kind::Suffix, zone, false});
  if (!server_text) {
    spec.kind = ServerSpec::Kind::Local;
    dns(ctx).servers.push_back(std::move(spec));
    return ok();
  }
  if (*server_text == "#") {
    spec.kind = ServerSpec::Kind::UseDefault;
    dns(ctx).servers.push_back(std::move(spec));
    return ok();
  }
  std::vector<ServerSpec> out;
  if (auto r = parse_upstream(*server_text, std::move(spec), out, ctx.resolve_names); !r) return r;
  for (auto& s : out) dns(ctx).servers.push_back(std::move(s));
  return ok();
}

Result<void> parse_resolv_file(ParseContext& ctx, const OptArg* arg) {
  // The first --resolv-file replaces the default; an empty one names no file.
  dns(ctx).resolv_files_given = true;
  if (arg && !arg->empty()) dns(ctx).resolv_files.push_back(arg->text());
  return ok();
}

Result<void> parse_dns_forward_max(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  dns(ctx).dns_forward_max = *v;
  return ok();
}

Result<void> parse_edns_packet_max(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  // dnsmasq keeps it in an unsigned short: larger values wrap.
  dns(ctx).edns_packet_max = static_cast<uint16_t>(static_cast<uint32_t>(*v));
  return ok();
}

Result<void> parse_query_port(ParseContext& ctx, const OptArg* arg) {
  return set_port16(arg, dns(ctx).query_port);
}
Result<void> parse_min_port(ParseContext& ctx, const OptArg* arg) {
  return set_port16(arg, dns(ctx).min_port);
}
Result<void> parse_max_port(ParseContext& ctx, const OptArg* arg) {
  return set_port16(arg, dns(ctx).max_port);
}

Result<void> parse_port_limit(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v || *v < 1) return gen_err();
  dns(ctx).port_limit = *v;
  return ok();
}

Result<void> parse_max_tcp_connections(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v || *v < 1) return gen_err();
  dns(ctx).max_tcp_connections = *v;
  return ok();
}

Result<void> parse_fast_dns_retry(ParseContext& ctx, const OptArg* arg) {
  auto& d = dns(ctx);
  if (!arg) {
    d.fast_dns_retry = std::chrono::milliseconds(1000);
    return ok();
  }
  Fields f(*arg);
  auto first = c_atoi(f.next().value_or(""));
  if (!first || *first < 50) return gen_err();
  std::chrono::milliseconds total = d.fast_dns_retry_total;
  if (auto second = f.next()) {
    auto v = c_atoi(*second);
    if (!v || !f.done()) return gen_err();
    total = std::chrono::milliseconds(*v);
  }
  d.fast_dns_retry = std::chrono::milliseconds(*first);
  d.fast_dns_retry_total = total;
  return ok();
}

Result<void> parse_add_mac(ParseContext& ctx, const OptArg* arg) {
  if (!arg) dns(ctx).add_mac = DnsConfig::AddMac::Binary;
  else if (arg->text() == "base64") dns(ctx).add_mac = DnsConfig::AddMac::Base64;
  else if (arg->text() == "text") dns(ctx).add_mac = DnsConfig::AddMac::Text;
  else return gen_err();
  return ok();
}

Result<void> parse_add_subnet(ParseContext& ctx, const OptArg* arg) {
  auto& d = dns(ctx);
  std::optional<IpAddr> addr[2];
  int32_t len[2] = {0, 0};
  if (arg) {
    auto pieces = split_all(*arg);
    if (pieces.size() > 2) return gen_err();
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (pieces[i].empty()) continue;
      if (pieces[i].find('/') != std::string::npos) {
        auto p = parse_lax_prefix(pieces[i]);
        if (!p) return gen_err();
        addr[i] = p->addr;
        len[i] = p->len;
      } else {
        auto v = c_atoi(pieces[i]);
        if (!v) return gen_err();
        len[i] = *v;
      }
    }
  }
  d.add_subnet = true;
  d.add_subnet_v4_addr = addr[0];
  d.add_subnet_v6_addr = addr[1];
  d.add_subnet_v4_len = len[0];
  d.add_subnet_v6_len = len[1];
  return ok();
}

Result<void> parse_add_cpe_id(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  dns(ctx).add_cpe_id = arg->text();
  return ok();
}

Result<void> parse_umbrella(ParseContext& ctx, const OptArg* arg) {
  auto& d = dns(ctx);
  if (arg) {
    for (const auto& piece : split_all(*arg)) {
      std::string_view p = piece;
      auto number = [](std::string_view s) -> std::optional<uint32_t> {
        return s.empty() ? std::optional<uint32_t>(0) : text::parse_uint<uint32_t>(s);
      };
      if (p.substr(0, 9) == "deviceid:") {
        auto hex = p.substr(9);
        if (hex.size() != 16) return gen_err();
        for (char c : hex)
          if (!std::isxdigit(static_cast<unsigned char>(c))) return gen_err();
        d.umbrella_device_id = std::string(hex);
      } else if (p.substr(0, 6) == "orgid:") {
        auto v = number(p.substr(6));
        if (!v) return gen_err();
        d.umbrella_org_id = *v;
      } else if (p.substr(0, 8) == "assetid:") {
        auto v = number(p.substr(8));
        if (!v) return gen_err();
        d.umbrella_asset_id = *v;
      } else {
        return gen_err();
      }
    }
  }
  d.umbrella = true;
  return ok();
}

}  // namespace masqd::config::dnsopt
