// DNS option parsers: answer filters, DNSSEC, authoritative zones and integrations
// (ipset, nftset, connmark, DBus/UBus, packet dumps). Behaviour matches dnsmasq 2.90's --test.
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

// "addr[/len]" for --bogus-nxdomain and --ignore-address ("" length = 0).
Result<void> append_prefix(const OptArg* arg, std::vector<IpPrefix>& out) {
  if (!arg) return gen_err();
  auto p = parse_lax_prefix(arg->view());
  if (!p || p->len < 0 || p->len > static_cast<int32_t>(p->addr.size() * 8)) return gen_err();
  out.push_back({p->addr, static_cast<uint8_t>(p->len)});
  return ok();
}

Result<void> append_rr_types(const OptArg* arg, std::vector<uint16_t>& out) {
  if (!arg) return gen_err();
  std::vector<uint16_t> types;
  for (const auto& piece : split_all(*arg)) {
    auto t = parse_rr_type(piece);
    if (!t) return make_error("bad RR type");
    types.push_back(*t);
  }
  out.insert(out.end(), types.begin(), types.end());
  return ok();
}

std::optional<IpAddr> parse_v4(std::string_view s) { return IpAddr::parse_v4(s); }

uint32_t v4_bits(const IpAddr& a) {
  const auto& b = a.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// One subnet/interface item of --auth-server or --auth-zone: "addr[/len]", "iface",
// "iface/4" or "iface/6".
std::optional<AuthSubnet> parse_auth_item(std::string_view s, bool allow_prefix) {
  AuthSubnet item;
  if (auto ip = parse_ip(s)) {
    item.prefix = {*ip, static_cast<uint8_t>(ip->size() * 8)};
    return item;
  }
  auto [left, right] = split_at(s, '/');
  if (!right) {
    item.kind = AuthSubnet::Kind::Interface;
    item.interface = left;
    return item;
  }
  if (auto ip = parse_ip(left)) {
    auto len = c_atoi(*right);
    if (!allow_prefix || !len) return std::nullopt;
    // dnsmasq does not range-check this length; keep it within the family's bits.
    int32_t max = static_cast<int32_t>(ip->size() * 8);
    item.prefix = {*ip, static_cast<uint8_t>(std::clamp(*len, 0, max))};
    return item;
  }
  item.kind = AuthSubnet::Kind::Interface;
  item.interface = left;
  if (*right == "4") item.family = AuthSubnet::Family::V4;
  else if (*right == "6") item.family = AuthSubnet::Family::V6;
  else return std::nullopt;
  return item;
}

Result<void> parse_set_rule(const OptArg* arg, std::vector<IpsetRule>& out) {
  if (!arg) return gen_err();
  auto split = split_slash_domains(arg->view());
  IpsetRule rule;
  for (const auto& d : split.domains) {
    auto p = parse_domain_pattern(d);
    if (!p) return gen_err();
    rule.domains.push_back(std::move(*p));
  }
  if (split.rest.empty()) return gen_err();
  for (auto s : text::split(split.rest, ',')) rule.sets.emplace_back(s);
  out.push_back(std::move(rule));
  return ok();
}

// A --connmark-allowlist name pattern: "*", or dot-separated labels of letters, digits,
// '-' and up to two '*' each, no '-' at a label's ends, the last two labels literal, and
// the last one neither all digits nor "local".
bool valid_connmark_pattern(std::string_view p) {
  if (p == "*") return true;
  auto labels = text::split(p, '.');
  if (labels.size() < 2) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    auto label = labels[i];
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    int stars = 0;
    for (char c : label) {
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (c == '*') ++stars;
      else if (!alnum && c != '-') return false;
    }
    if (stars > 2 || (stars > 0 && i + 2 >= labels.size())) return false;
  }
  auto last = labels.back();
  bool all_digits = true;
  for (char c : last) all_digits = all_digits && c >= '0' && c <= '9';
  return !all_digits && !text::iequals(last, "local");
}

}  // namespace

// ---- filters ----

Result<void> parse_bogus_nxdomain(ParseContext& ctx, const OptArg* arg) {
  return append_prefix(arg, dns(ctx).bogus_nxdomain);
}

Result<void> parse_ignore_address(ParseContext& ctx, const OptArg* arg) {
  return append_prefix(arg, dns(ctx).ignore_addresses);
}

Result<void> parse_rebind_domain_ok(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  // dnsmasq does not check these names at all; they are only compared later.
  auto add = [&ctx](std::string_view d) {
    DomainPattern p;
    if (d.empty()) {
      p.kind = DomainPattern::Kind::Unqualified;
    } else {
      while (!d.empty() && d.front() == '.') d.remove_prefix(1);
      if (!d.empty() && d.back() == '.') d.remove_suffix(1);
      p.name = std::string(d);
      for (char& c : p.name) c = text::ascii_lower(c);
    }
    dns(ctx).rebind_domain_ok.push_back(std::move(p));
  };
  auto split = split_slash_domains(arg->view());
  if (arg->view().empty() || arg->view().front() != '/') {
    add(arg->view());
    return ok();
  }
  for (const auto& d : split.domains) add(d);
  if (!split.rest.empty()) add(split.rest);
  return ok();
}

Result<void> parse_filter_rr(ParseContext& ctx, const OptArg* arg) {
  return append_rr_types(arg, dns(ctx).filter_rr);
}

Result<void> parse_alias(ParseContext& ctx, const OptArg* arg) {
  const Error missing = make_error("missing address in alias");
  const Error bad_range = make_error("invalid alias range");
  if (!arg) return missing;
  Fields f(*arg);
  auto from = f.next();
  auto to = f.next();
  auto mask_text = f.rest();
  if (!from || !to) return missing;
  AddressAlias alias;
  auto [start_text, end_text] = split_at(*from, '-');
  auto start = parse_v4(start_text);
  if (!start) return missing;
  alias.start = alias.end = *start;
  if (end_text) {
    auto end = parse_v4(*end_text);
    if (!end) return bad_range;
    alias.end = *end;
  }
  auto target = parse_v4(*to);
  if (!target) return missing;
  alias.target = *target;
  alias.mask = IpAddr::v4({255, 255, 255, 255});
  if (mask_text) {
    auto mask = parse_v4(*mask_text);
    if (!mask) return missing;
    alias.mask = *mask;
  }
  if (end_text) {
    uint32_t s = v4_bits(alias.start), e = v4_bits(alias.end), m = v4_bits(alias.mask);
    if (s > e || (s & m) != (e & m)) return bad_range;
  }
  dns(ctx).aliases.push_back(alias);
  return ok();
}

// ---- DNSSEC ----

Result<void> parse_trust_anchor(ParseContext& ctx, const OptArg* arg) {
  const Error bad = make_error("bad trust anchor");
  if (!arg) return bad;
  Fields f(*arg);
  TrustAnchor ta;
  auto name = check_name(f.next().value_or(""));
  auto second = f.next();
  if (!name || !second) return bad;
  ta.domain = *name;
  std::optional<std::string> key_tag = second;
  if (*second == "IN" || *second == "CH" || *second == "HS") {
    ta.dns_class = *second == "IN" ? 1 : *second == "CH" ? 3 : 4;
    key_tag = f.next();
  }
  auto algorithm = f.next();
  auto digest_type = f.next();
  auto digest = f.rest();
  if (!key_tag || !algorithm || !digest_type || !digest) return bad;
  auto kt = c_atoi16(*key_tag);
  auto alg = c_atoi8(*algorithm);
  auto dt = c_atoi8(*digest_type);
  if (!kt || !alg || !dt) return bad;
  ta.key_tag = *kt;
  ta.algorithm = *alg;
  ta.digest_type = *dt;
  auto bytes = parse_hex(*digest);
  if (!bytes) return make_error("bad HEX in trust anchor");
  ta.digest = std::move(*bytes);
  dns(ctx).trust_anchors.push_back(std::move(ta));
  return ok();
}

Result<void> parse_dnssec_check_unsigned(ParseContext& ctx, const OptArg* arg) {
  if (!arg) {
    dns(ctx).dnssec_check_unsigned = true;
  } else if (arg->text() == "no") {
    dns(ctx).dnssec_check_unsigned = false;
  } else {
    return make_error("bad value for dnssec-check-unsigned");
  }
  return ok();
}

Result<void> parse_dnssec_timestamp(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  dns(ctx).dnssec_timestamp = arg->text();
  return ok();
}

Result<void> parse_dnssec_limits(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  int32_t values[4];
  std::copy(std::begin(dns(ctx).dnssec_limits), std::end(dns(ctx).dnssec_limits), values);
  for (auto& slot : values) {
    auto piece = f.next();
    if (!piece) break;
    auto v = c_atoi(*piece);
    if (!v) return gen_err();
    if (*v != 0) slot = *v;
  }
  std::copy(std::begin(values), std::end(values), dns(ctx).dnssec_limits);
  return ok();
}

// ---- authoritative ----

Result<void> parse_auth_server(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  std::string name = f.next().value_or("");
  std::vector<AuthSubnet> on;
  while (auto piece = f.next()) {
    auto item = parse_auth_item(*piece, false);
    if (!item) return gen_err();
    on.push_back(std::move(*item));
  }
  dns(ctx).auth_server = name;
  dns(ctx).auth_server_on = std::move(on);
  return ok();
}

Result<void> parse_auth_zone(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  AuthZone zone;
  auto name = check_name(f.next().value_or(""));
  if (!name) return make_error("invalid auth-zone");
  zone.domain = *name;
  while (auto piece = f.next()) {
    std::string_view p = *piece;
    bool exclude = p.substr(0, 8) == "exclude:";
    if (exclude) p.remove_prefix(8);
    auto item = parse_auth_item(p, true);
    if (!item) return gen_err();
    (exclude ? zone.excludes : zone.subnets).push_back(std::move(*item));
  }
  dns(ctx).auth_zones.push_back(std::move(zone));
  return ok();
}

Result<void> parse_auth_ttl(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  dns(ctx).auth_ttl = std::chrono::seconds(static_cast<uint32_t>(*v));
  return ok();
}

Result<void> parse_auth_soa(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  // dnsmasq reads these numbers without any check: junk gives 0.
  auto num = [](const std::string& s) { return static_cast<uint32_t>(c_strtol(s, 10)); };
  auto& d = dns(ctx);
  Fields f(*arg);
  d.auth_soa_serial = num(f.next().value_or(""));
  if (auto hm = f.next()) d.auth_hostmaster = *hm;
  if (auto v = f.next()) d.auth_soa_refresh = num(*v);
  if (auto v = f.next()) d.auth_soa_retry = num(*v);
  if (auto v = f.next()) d.auth_soa_expiry = num(*v);
  return ok();
}

Result<void> parse_auth_sec_servers(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  for (auto& s : split_all(*arg)) dns(ctx).auth_sec_servers.push_back(std::move(s));
  return ok();
}

Result<void> parse_auth_peer(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  std::vector<IpAddr> peers;
  for (const auto& s : split_all(*arg)) {
    auto ip = parse_ip(s);
    if (!ip) return gen_err();
    peers.push_back(*ip);
  }
  auto& out = dns(ctx).auth_peers;
  out.insert(out.end(), peers.begin(), peers.end());
  return ok();
}

// ---- integrations ----

Result<void> parse_ipset(ParseContext& ctx, const OptArg* arg) { return parse_set_rule(arg, dns(ctx).ipsets); }
Result<void> parse_nftset(ParseContext& ctx, const OptArg* arg) { return parse_set_rule(arg, dns(ctx).nftsets); }

Result<void> parse_connmark_allowlist_enable(ParseContext& ctx, const OptArg* arg) {
  uint32_t mask = 0xffffffff;
  if (arg) {
    auto v = c_strtoul32(arg->view());
    if (!v || *v == 0) return gen_err();
    mask = *v;
  }
  dns(ctx).connmark_allowlist_mask = mask;
  return ok();
}

Result<void> parse_connmark_allowlist(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  ConnmarkAllowlist entry;
  auto [mark_text, mask_text] = split_at(f.next().value_or(""), '/');
  auto mark = c_strtoul32(mark_text);
  if (!mark || *mark == 0) return gen_err();
  entry.mark = *mark;
  if (mask_text) {
    auto mask = c_strtoul32(*mask_text);
    if (!mask || *mask == 0) return gen_err();
    entry.mask = *mask;
  }
  if (auto patterns = f.rest()) {
    for (auto p : text::split(*patterns, '/')) {
      if (!valid_connmark_pattern(p)) return gen_err();
      entry.patterns.emplace_back(p);
    }
  }
  dns(ctx).connmark_allowlists.push_back(std::move(entry));
  return ok();
}

Result<void> parse_enable_dbus(ParseContext& ctx, const OptArg* arg) {
  dns(ctx).dbus_service = arg ? arg->text() : std::string();
  return ok();
}

Result<void> parse_enable_ubus(ParseContext& ctx, const OptArg* arg) {
  dns(ctx).ubus_name = arg ? arg->text() : std::string();
  return ok();
}

Result<void> parse_dumpfile(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  dns(ctx).dumpfile = arg->text();
  return ok();
}

Result<void> parse_dumpmask(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  // Read like strtol(value, NULL, 0): never an error.
  dns(ctx).dumpmask = static_cast<uint32_t>(c_strtol(arg->view(), 0));
  return ok();
}

}  // namespace masqd::config::dnsopt
