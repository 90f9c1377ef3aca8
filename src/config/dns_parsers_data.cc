// DNS option parsers: cache settings and local DNS data (hosts files, domains, address
// rules and the record options). Behaviour matches dnsmasq 2.90's --test.
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

constexpr int32_t kMaxCacheSize = 5000000;
constexpr int32_t kCacheSizeWarn = 10000;
constexpr int32_t kMinCacheTtlLimit = 3600;
constexpr int32_t kDefaultStaleSeconds = 86400;

// dnsmasq keeps TTLs in unsigned longs filled from a C int; on the wire only 32 bits count.
std::chrono::seconds ttl_from_int(int32_t v) {
  return std::chrono::seconds(static_cast<uint32_t>(v));
}

Result<void> set_ttl(const OptArg* arg, std::optional<std::chrono::seconds>& out) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  out = ttl_from_int(*v);
  return ok();
}

// "addr/len" of --domain and --synth-domain: the length must be a number (c_atoi, so ""
// is 0) within the family's range.
Result<IpPrefix> parse_domain_prefix(std::string_view text) {
  auto [addr_text, len_text] = split_at(text, '/');
  auto addr = parse_ip(addr_text);
  auto len = c_atoi(len_text.value_or(""));
  if (!addr || !len) return gen_err();
  if (*len < 0 || *len > static_cast<int32_t>(addr->size() * 8)) return make_error("bad prefix length");
  return IpPrefix{*addr, static_cast<uint8_t>(*len)};
}

}  // namespace

// ---- cache ----

Result<void> parse_cache_size(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  int32_t size = std::clamp(*v, 0, kMaxCacheSize);
  dns(ctx).cache_size = size;
  dns(ctx).cache_size_warn = size > kCacheSizeWarn;
  return ok();
}

Result<void> parse_neg_ttl(ParseContext& ctx, const OptArg* arg) { return set_ttl(arg, dns(ctx).neg_ttl); }
Result<void> parse_max_ttl(ParseContext& ctx, const OptArg* arg) { return set_ttl(arg, dns(ctx).max_ttl); }
Result<void> parse_max_cache_ttl(ParseContext& ctx, const OptArg* arg) {
  return set_ttl(arg, dns(ctx).max_cache_ttl);
}

Result<void> parse_min_cache_ttl(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  // Larger values are cut to the limit (a wrapped negative one is not, as in dnsmasq).
  dns(ctx).min_cache_ttl = ttl_from_int(std::min(*v, kMinCacheTtlLimit));
  return ok();
}

Result<void> parse_use_stale_cache(ParseContext& ctx, const OptArg* arg) {
  int32_t seconds = kDefaultStaleSeconds;
  if (arg) {
    auto v = c_atoi(arg->view());
    if (!v || *v < 0) return gen_err();
    seconds = *v;
  }
  dns(ctx).use_stale_cache = std::chrono::seconds(seconds);
  return ok();
}

Result<void> parse_cache_rr(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  std::vector<uint16_t> types;
  for (const auto& piece : split_all(*arg)) {
    auto t = parse_rr_type(piece);
    if (!t) return make_error("bad RR type");
    types.push_back(*t);
  }
  auto& out = dns(ctx).cache_rr;
  out.insert(out.end(), types.begin(), types.end());
  return ok();
}

Result<void> parse_local_ttl(ParseContext& ctx, const OptArg* arg) {
  auto v = arg ? c_atoi(arg->view()) : std::nullopt;
  if (!v) return gen_err();
  dns(ctx).local_ttl = ttl_from_int(*v);
  return ok();
}

Result<void> parse_dhcp_ttl(ParseContext& ctx, const OptArg* arg) { return set_ttl(arg, dns(ctx).dhcp_ttl); }

// ---- hosts files ----

Result<void> parse_addn_hosts(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  dns(ctx).addn_hosts.push_back(arg->text());
  return ok();
}

Result<void> parse_hostsdir(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  dns(ctx).hostsdirs.push_back(arg->text());
  return ok();
}

// ---- --domain: dom[,addr/len[,local] | ,start[,end[,local]] | ,iface] ----

Result<void> parse_domain(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  DomainRule rule;
  std::string name = f.next().value_or("");
  if (name != "#") {
    auto checked = check_name(name);
    if (!checked) return gen_err();
    name = *checked;
  }
  rule.domain = name;
  if (auto second = f.next()) {
    if (second->find('/') != std::string::npos) {
      auto prefix = parse_domain_prefix(*second);
      if (!prefix) return prefix.error();
      rule.scope = DomainRule::Scope::Prefix;
      rule.prefix = *prefix;
      if (auto third = f.next()) {
        if (*third != "local" || !f.done()) return gen_err();
        rule.local = true;
      }
    } else if (auto start = parse_ip(*second)) {
      rule.scope = DomainRule::Scope::Range;
      rule.start = rule.end = *start;
      if (auto third = f.next()) {
        auto end = parse_ip(*third);
        if (!end || end->family() != start->family()) return gen_err();
        rule.end = *end;
        if (auto fourth = f.next(); fourth && *fourth == "local") rule.local = true;
      }
    } else {
      rule.scope = DomainRule::Scope::Interface;
      rule.interface = *second;
    }
  }
  dns(ctx).domains.push_back(std::move(rule));
  return ok();
}

// ---- --address=/dom/.../[addr|#] ----

Result<void> parse_address(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  auto split = split_slash_domains(arg->view());
  AddressRule rule;
  for (const auto& d : split.domains) {
    auto p = parse_domain_pattern(d);
    if (!p) return gen_err();
    rule.domains.push_back(std::move(*p));
  }
  if (split.rest.empty()) {
    rule.kind = AddressRule::Kind::NoAnswer;
  } else if (split.rest == "#") {
    rule.kind = AddressRule::Kind::AllZeros;
  } else {
    auto ip = parse_ip(split.rest);
    if (!ip) return make_error("Bad address in --address");
    rule.kind = AddressRule::Kind::Literal;
    rule.addr = *ip;
  }
  dns(ctx).addresses.push_back(std::move(rule));
  return ok();
}

namespace {

// add_plain_address's byte classes: 0 not allowed, '.' a dot, else the byte lower-cased.
constexpr std::array<char, 256> kPlainNameByte = [] {
  std::array<char, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = static_cast<char>(c + 32);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<char>(c);
  t['-'] = '-';
  t['_'] = '_';
  t['.'] = '.';
  return t;
}();

}  // namespace

bool add_plain_address(DnsConfig& dns, std::string_view value) {
  if (value.size() < 3 || value.front() != '/') return false;
  const size_t slash = value.find('/', 1);
  if (slash == std::string_view::npos) return false;
  std::string_view name = value.substr(1, slash - 1);
  const std::string_view rest = value.substr(slash + 1);
  // parse_domain_pattern: leading dots go, then one trailing dot; labels of at most 63.
  while (!name.empty() && name.front() == '.') name.remove_prefix(1);
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 1025) return false;
  char lower[1025];
  size_t label = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = kPlainNameByte[static_cast<unsigned char>(name[i])];
    if (c == 0) return false;
    lower[i] = c;
    if (c == '.') {
      if (label == 0) return false;  // an empty label: left to the general way
      label = 0;
    } else if (++label > 63) {
      return false;
    }
  }
  AddressRule::Kind kind = AddressRule::Kind::NoAnswer;
  IpAddr addr;
  if (rest == "#") {
    kind = AddressRule::Kind::AllZeros;
  } else if (!rest.empty()) {
    for (char c : rest)
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':')) return false;
    auto ip = parse_ip(rest);
    if (!ip) return false;
    kind = AddressRule::Kind::Literal;
    addr = *ip;
  }
  dns.addresses.push_domain(std::string_view(lower, name.size()), kind, addr);
  return true;
}

// ---- records ----

Result<void> parse_host_record(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  auto pieces = split_all(*arg);
  if (pieces.size() < 2) return make_error("Bad host-record");
  HostRecord rec;
  for (const auto& p : pieces) {
    if (auto ip = parse_ip(p)) {
      // One address per family: a later one replaces an earlier one (dnsmasq 2.90 answers
      // A, AAAA and PTR for the last of each).
      auto same = std::find_if(rec.addrs.begin(), rec.addrs.end(),
                               [&](const IpAddr& a) { return a.family() == ip->family(); });
      if (same != rec.addrs.end())
        *same = *ip;
      else
        rec.addrs.push_back(*ip);
    } else if (auto ttl = c_atoi(p)) {
      rec.ttl = static_cast<uint32_t>(*ttl);
    } else {
      auto name = check_name(p);
      if (!name) return make_error("Bad name in host-record");
      rec.names.push_back(std::move(*name));
    }
  }
  dns(ctx).host_records.push_back(std::move(rec));
  return ok();
}

Result<void> parse_dynamic_host(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  DynamicHost host;
  // dnsmasq looks at the addresses before it checks the name.
  auto name = check_name(f.next().value_or(""));
  auto store = [&host](const IpAddr& a) { (a.is_v4() ? host.v4 : host.v6) = a; };
  auto first = f.next();
  auto first_ip = first ? parse_ip(*first) : std::nullopt;
  auto second = f.next();
  if (!first_ip || !second) return make_error("missing address in dynamic host");
  if (!name) return make_error("bad dynamic host");
  host.name = *name;
  store(*first_ip);
  if (auto second_ip = parse_ip(*second)) {
    store(*second_ip);
    host.interface = f.next().value_or("");
  } else {
    host.interface = *second;
  }
  dns(ctx).dynamic_hosts.push_back(std::move(host));
  return ok();
}

Result<void> parse_cname(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  auto pieces = split_all(*arg);
  if (pieces.size() < 2) return make_error("bad CNAME");
  std::optional<uint32_t> ttl;
  if (pieces.size() >= 3) {
    if (auto v = c_atoi(pieces.back())) {
      ttl = static_cast<uint32_t>(*v);
      pieces.pop_back();
    }
  }
  auto target = check_name(pieces.back());
  if (!target) return make_error("bad CNAME");
  pieces.pop_back();
  std::vector<CnameRecord> added;
  for (const auto& p : pieces) {
    auto alias = check_name(p);
    if (!alias) return make_error("bad CNAME");
    for (const auto& existing : dns(ctx).cnames)
      if (text::iequals(existing.alias, *alias)) return make_error("duplicate CNAME");
    for (const auto& existing : added)
      if (text::iequals(existing.alias, *alias)) return make_error("duplicate CNAME");
    added.push_back({*alias, *target, ttl});
  }
  auto& out = dns(ctx).cnames;
  out.insert(out.end(), added.begin(), added.end());
  return ok();
}

Result<void> parse_mx_host(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  MxRecord mx;
  auto name = check_name(f.next().value_or(""));
  if (!name) return make_error("bad MX name");
  mx.name = *name;
  if (auto second = f.next()) {
    std::optional<std::string> pref_text;
    if (auto third = f.rest()) {
      mx.target = *second;
      pref_text = *third;
    } else if (c_atoi(*second)) {
      pref_text = *second;  // "name,pref"
    } else {
      mx.target = *second;
    }
    if (pref_text) {
      auto pref = c_atoi16(*pref_text);
      if (!pref) return make_error("bad MX preference");
      mx.preference = *pref;
    }
    auto target = check_name(mx.target);
    if (!target) return make_error("bad MX name");
    mx.target = *target;
  }
  dns(ctx).mx_records.push_back(std::move(mx));
  return ok();
}

Result<void> parse_mx_target(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  auto name = check_name(arg->view());
  if (!name) return make_error("bad MX target");
  dns(ctx).mx_target = *name;
  return ok();
}

Result<void> parse_srv_host(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  SrvRecord srv;
  auto name = check_name(f.next().value_or(""));
  if (!name) return make_error("bad SRV record");
  srv.name = *name;
  if (auto target = f.next()) {
    auto t = check_name(*target);
    if (!t) return make_error("bad SRV target");
    srv.target = *t;
    if (auto port = f.next()) {
      auto v = c_atoi16(*port);
      if (!v) return make_error("invalid port number");
      srv.port = *v;
      if (auto prio = f.next()) {
        auto p = c_atoi16(*prio);
        if (!p) return make_error("invalid priority");
        srv.priority = *p;
        if (auto weight = f.rest()) {
          auto w = c_atoi16(*weight);
          if (!w) return make_error("invalid weight");
          srv.weight = *w;
        }
      }
    }
  }
  dns(ctx).srv_records.push_back(std::move(srv));
  return ok();
}

Result<void> parse_txt_record(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  TxtRecord txt;
  auto name = check_name(f.next().value_or(""));
  if (!name) return make_error("bad TXT record");
  txt.name = *name;
  while (auto s = f.next()) txt.strings.push_back(std::move(*s));
  dns(ctx).txt_records.push_back(std::move(txt));
  return ok();
}

Result<void> parse_ptr_record(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  PtrRecord ptr;
  auto name = check_name(f.next().value_or(""));
  if (!name) return make_error("bad PTR record");
  ptr.name = *name;
  if (auto target = f.rest()) {
    auto t = check_name(*target);
    if (!t) return make_error("bad PTR record");
    ptr.target = *t;
  }
  dns(ctx).ptr_records.push_back(std::move(ptr));
  return ok();
}

Result<void> parse_naptr_record(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  const Error bad = make_error("bad NAPTR record");
  Fields f(*arg);
  NaptrRecord rec;
  auto name = check_name(f.next().value_or(""));
  auto order = f.next();
  auto pref = f.next();
  auto flags = f.next();
  auto service = f.next();
  auto regexp = f.next();
  if (!name || !regexp) return bad;
  auto order_v = c_atoi16(*order);
  auto pref_v = c_atoi16(*pref);
  if (!order_v || !pref_v) return bad;
  rec.name = *name;
  rec.order = *order_v;
  rec.preference = *pref_v;
  rec.flags = *flags;
  rec.service = *service;
  rec.regexp = *regexp;
  if (auto replacement = f.rest()) {
    auto r = check_name(*replacement);
    if (!r) return bad;
    rec.replacement = *r;
  }
  dns(ctx).naptr_records.push_back(std::move(rec));
  return ok();
}

Result<void> parse_caa_record(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  const Error bad = make_error("bad CAA record");
  Fields f(*arg);
  auto name = check_name(f.next().value_or(""));
  auto flags = f.next();
  auto tag = f.next();
  auto value = f.rest();
  if (!name || !value) return bad;
  auto flags_v = c_atoi(*flags);
  if (!flags_v) return bad;
  dns(ctx).caa_records.push_back({*name, *flags_v, *tag, *value});
  return ok();
}

Result<void> parse_dns_rr(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  const Error bad = make_error("bad RR record");
  Fields f(*arg);
  auto name = check_name(f.next().value_or(""));
  auto type = f.next();
  if (!name || !type) return bad;
  auto type_v = c_atoi(*type);
  if (!type_v) return bad;
  RawRecord rr{*name, static_cast<uint16_t>(static_cast<uint32_t>(*type_v)), {}};
  if (auto hex = f.rest()) {
    auto bytes = parse_hex(*hex);
    // dnsmasq reports a bad hex string this way (and exits with its memory-error code).
    if (!bytes) return make_error("could not get memory", 4);
    rr.rdata = std::move(*bytes);
  }
  dns(ctx).raw_records.push_back(std::move(rr));
  return ok();
}

Result<void> parse_interface_name(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  InterfaceName in;
  auto name = check_name(f.next().value_or(""));
  auto iface = f.next();
  if (!name || !iface) return make_error("bad interface name");
  in.name = *name;
  auto [if_name, family] = split_at(*iface, '/');
  in.interface = if_name;
  if (family) {
    if (*family == "4") in.family = InterfaceName::Family::V4;
    else if (*family == "6") in.family = InterfaceName::Family::V6;
    else return gen_err();
  }
  dns(ctx).interface_names.push_back(std::move(in));
  return ok();
}

Result<void> parse_synth_domain(ParseContext& ctx, const OptArg* arg) {
  if (!arg) return gen_err();
  Fields f(*arg);
  SynthDomain sd;
  auto name = check_name(f.next().value_or(""));
  auto second = f.next();
  if (!name || !second) return gen_err();
  sd.domain = *name;
  std::optional<std::string> prefix_text;
  if (second->find('/') != std::string::npos) {
    auto prefix = parse_domain_prefix(*second);
    if (!prefix) return prefix.error();
    sd.prefix = *prefix;
    prefix_text = f.rest();
  } else {
    auto start = parse_ip(*second);
    if (!start) return gen_err();
    sd.is_range = true;
    sd.start = sd.end = *start;
    if (auto third = f.next()) {
      auto end = parse_ip(*third);
      if (!end || end->family() != start->family()) return gen_err();
      sd.end = *end;
      prefix_text = f.rest();
    }
  }
  if (prefix_text) {
    sd.name_prefix = *prefix_text;
    if (!sd.name_prefix.empty() && sd.name_prefix.back() == '*') {
      sd.name_prefix.pop_back();
      sd.sequential = true;
    }
  }
  // Sequential IPv6 names need the varying part to fit in 64 bits.
  bool v6 = sd.is_range ? sd.start.is_v6() : sd.prefix.addr.is_v6();
  if (sd.sequential && v6 && (sd.is_range || sd.prefix.length < 64))
    return make_error("prefix length too small");
  dns(ctx).synth_domains.push_back(std::move(sd));
  return ok();
}

}  // namespace masqd::config::dnsopt
