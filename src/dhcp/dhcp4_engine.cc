// Dhcp4Engine: DISCOVER/REQUEST/DECLINE/RELEASE/INFORM the way dnsmasq 2.90 answers them.
// The rules below were taken from dnsmasq's man page and checked by sending the same
// packets to /usr/sbin/dnsmasq in a network namespace (tests/compat/test_dhcp4_compat.py).
#include "dhcp/dhcp4_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/text.h"
#include "config/dhcp_option_names.h"
#include "dhcp/address_pool.h"
#include "dhcp/encap_options.h"

namespace masqd::dhcp {

namespace d4 = proto::dhcp4;
using config::DhcpHost;
using config::DhcpOption;
using config::DhcpOptionValueKind;
using config::DhcpRange;

namespace {

constexpr std::chrono::seconds kDeclineBackoff{600};

uint32_t v4(const IpAddr& a) {
  const auto& b = a.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

IpAddr from_v4(uint32_t n) {
  return IpAddr::v4({static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                     static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
}

bool same_net(const IpAddr& a, const IpAddr& b, const IpAddr& mask) {
  return (v4(a) & v4(mask)) == (v4(b) & v4(mask));
}

// dnsmasq's guess for a relayed range without a netmask: the classful one.
IpAddr classful_mask(const IpAddr& a) {
  uint8_t top = a.bytes()[0];
  if (top < 128) return from_v4(0xff000000u);
  if (top < 192) return from_v4(0xffff0000u);
  return from_v4(0xffffff00u);
}

std::string hex_colon(std::span<const uint8_t> bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) s += ':';
    s += fmt::format("{:02x}", bytes[i]);
  }
  return s;
}

void put32(std::vector<uint8_t>& v, uint32_t n) {
  v.push_back(static_cast<uint8_t>(n >> 24));
  v.push_back(static_cast<uint8_t>(n >> 16));
  v.push_back(static_cast<uint8_t>(n >> 8));
  v.push_back(static_cast<uint8_t>(n));
}

d4::Option opt_u32(uint8_t code, uint32_t n) {
  d4::Option o{code, {}};
  put32(o.data, n);
  return o;
}

d4::Option opt_addr(uint8_t code, const IpAddr& a) {
  return d4::Option{code, {a.bytes()[0], a.bytes()[1], a.bytes()[2], a.bytes()[3]}};
}

bool hw_pattern_matches(const config::HwAddrPattern& p, uint8_t htype,
                        std::span<const uint8_t> hw) {
  if (p.hw_type != 0 && p.hw_type != htype) return false;
  if (p.bytes.size() != hw.size()) return false;
  for (size_t i = 0; i < hw.size(); ++i)
    if (!p.wildcard[i] && p.bytes[i] != hw[i]) return false;
  return true;
}

// Codes the engine writes itself; a dhcp-option for them is not sent again.
bool engine_owned(int code) {
  switch (code) {
    case d4::opt::Pad:
    case d4::opt::RequestedAddress:
    case d4::opt::LeaseTime:
    case d4::opt::Overload:
    case d4::opt::MessageType:
    case d4::opt::ServerId:
    case d4::opt::ParameterRequestList:
    case d4::opt::Message:
    case d4::opt::MaxMessageSize:
    case d4::opt::ClientId:
    case d4::opt::RelayAgentInfo:
    case 58:
    case 59:
    case d4::opt::End:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string format_lease_time(uint32_t secs) {
  if (secs == 0xffffffffu) return "infinite";
  std::string s;
  uint32_t d = secs / 86400, h = (secs / 3600) % 24, m = (secs / 60) % 60, sec = secs % 60;
  if (d) s += fmt::format("{}d", d);
  if (h) s += fmt::format("{}h", h);
  if (m) s += fmt::format("{}m", m);
  if (sec || s.empty()) s += fmt::format("{}s", sec);
  return s;
}

ClientName parse_client_hostname(std::string_view raw) {
  ClientName out;
  out.null_terminated = !raw.empty() && raw.back() == '\0';
  // A C string, as dnsmasq reads it: everything after a NUL is gone.
  raw = raw.substr(0, raw.find('\0'));
  std::string_view domain;
  if (auto dot = raw.find('.'); dot != std::string_view::npos) {
    domain = raw.substr(dot + 1);
    raw = raw.substr(0, dot);
  }
  if (raw.empty() || raw.size() > 63 || raw.front() == '-') return out;
  for (char c : raw) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return out;
  }
  out.name = std::string(raw);
  out.ignored_domain = std::string(domain);
  return out;
}

std::string sanitise_hostname(std::string_view raw) { return parse_client_hostname(raw).name; }

ClientName parse_fqdn_name(std::string_view text, bool wire) {
  const bool nul = !wire && !text.empty() && text.back() == '\0';
  text = text.substr(0, text.find('\0'));
  ClientName rejected;
  rejected.null_terminated = nul;  // whether or not a name is left (dnsmasq 2.90)
  size_t label = 0;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) return rejected;
    label = c == '.' ? 0 : label + 1;
    if (label > 63) return rejected;
  }
  ClientName out = parse_client_hostname(text);
  out.null_terminated = nul;
  return out;
}

uint8_t fqdn_reply_flags(uint8_t client_flags, bool client_update) {
  using F = d4::ClientFqdn;
  const bool we_update = !client_update;
  uint8_t out = static_cast<uint8_t>(client_flags & F::kE);
  out |= we_update ? F::kS : F::kN;
  if (((client_flags & F::kS) != 0) != we_update) out |= F::kO;
  return out;
}

// A usable network for this request: a dhcp-range reachable from the arrival interface (or
// the relay's subnet) and our address on it.
struct Dhcp4Engine::Context {
  const DhcpRange* range = nullptr;
  IpAddr server;     // our address on the client's network (server identifier)
  IpAddr netmask;
  IpAddr broadcast;
  IpAddr router;     // default router: us, or the relay
  IpAddr net;        // an address on the client's subnet: ours, or the relay's (giaddr)
  bool usable = true;  // the range's tag conditions hold
};

struct Dhcp4Engine::Request {
  Request(const d4::Dhcp4Packet& p, const InterfaceInfo& i, std::chrono::sys_seconds t)
      : pkt(p), iface(i), now(t) {}
  const d4::Dhcp4Packet& pkt;
  const InterfaceInfo& iface;
  std::chrono::sys_seconds now;
  d4::MessageType type{};
  bool relayed = false;
  std::vector<uint8_t> hwaddr;
  std::vector<uint8_t> client_id;  // empty: none (or ignored)
  ClientKey key;
  const DhcpHost* host = nullptr;
  std::vector<std::string> tags;
  std::string client_name;  // sanitised option 12
  std::string ignored_domain;  // the domain part of option 12/81 (logged unless it is ours)
  bool name_null_terminated = false;  // option 12 (or an ASCII 81) ended in NUL: ours does too
  std::optional<uint8_t> fqdn_flags;  // the client sent option 81 (3 bytes or more)
  std::string sent_name;  // the name from 12 or 81 before --dhcp-ignore-names (OFFER with 81, INFORM)
  std::optional<std::vector<uint8_t>> prl;
  std::optional<pxe::PxeClient> pxe;  // a PXE client (vendor class), when PXE is on
  bool boot_port = false;             // arrived on port 4011
  // Where each source of tags ends in `tags` (--log-dhcp lists them in dnsmasq's order):
  // the interface, then the dhcp-host's set: tags and "known", --dhcp-mac, the class
  // matches, --dhcp-match, --dhcp-name-match and --tag-if; later ones (a range's set:) after.
  struct TagMarks {
    size_t host = 1, mac = 1, cls = 1, match = 1, name = 1, tag_if = 1;
  } marks;
  std::vector<size_t> tag_if_starts;  // --log-dhcp only: where each matching --tag-if's tags start
};

Dhcp4Engine::Dhcp4Engine(const config::Config& config, LeaseStore& store)
    : config_(config), store_(store), verbose_(config.process.log_dhcp), domains_(local::ExpandDomains::from_rules(config.dns.domains)) {
  set_file_hosts({});
}

void Dhcp4Engine::set_file_hosts(std::vector<config::DhcpHost> hosts) {
  set_file_data(FileData{config_.dhcp.hosts, std::move(hosts), std::move(data_.file_options)});
}

void Dhcp4Engine::set_file_data(FileData data) {
  data_ = std::move(data);
  hosts_.clear();
  for (const auto& h : data_.config_hosts) hosts_.push_back(&h);
  for (const auto& h : data_.file_hosts) hosts_.push_back(&h);
  options4_ = config_.dhcp.options4;
  options4_.insert(options4_.end(), data_.file_options.begin(), data_.file_options.end());
}

std::vector<std::string> Dhcp4Engine::startup_lines() const {
  std::vector<std::string> lines;
  // dnsmasq keeps its ranges newest first, and lists and tries them in that order.
  for (auto it = config_.dhcp.ranges.rbegin(); it != config_.dhcp.ranges.rend(); ++it) {
    const auto& r = *it;
    if (r.is_v6) continue;
    if (r.proxy)
      lines.push_back(fmt::format("DHCP, proxy on subnet {}", r.start.to_string()));
    else if (r.static_only)
      lines.push_back(fmt::format("DHCP, static leases only on {}, lease time {}",
                                  r.start.to_string(), format_lease_time(r.lease.count())));
    else
      lines.push_back(fmt::format("DHCP, IP range {} -- {}, lease time {}", r.start.to_string(),
                                  r.end.to_string(), format_lease_time(r.lease.count())));
  }
  return lines;
}

bool Dhcp4Engine::tags_match(const config::TagList& conditions,
                             const std::vector<std::string>& tags) const {
  for (const auto& c : conditions) {
    bool negate = !c.empty() && (c[0] == '!' || c[0] == '#');
    std::string_view name = negate ? std::string_view(c).substr(1) : std::string_view(c);
    bool present;
    if (!name.empty() && name.back() == '*') {  // tag-if's trailing wildcard
      std::string_view stem = name.substr(0, name.size() - 1);
      present = std::any_of(tags.begin(), tags.end(),
                            [&](const std::string& t) { return std::string_view(t).substr(0, stem.size()) == stem; });
    } else {
      present = std::find(tags.begin(), tags.end(), name) != tags.end();
    }
    if (present == negate) return false;
  }
  return true;
}

std::vector<Dhcp4Engine::Context> Dhcp4Engine::contexts_for(const Request& rq) const {
  std::vector<Context> out;
  const IpAddr giaddr = rq.pkt.header().giaddr;
  // Tried in config order (dnsmasq builds each request's range chain by prepending to its
  // newest-first list, which turns it back), though start-up lists them newest first.
  for (const auto& r : config_.dhcp.ranges) {
    if (r.is_v6 || r.proxy) continue;
    Context c;
    c.range = &r;
    if (rq.relayed) {
      IpAddr mask = r.netmask ? *r.netmask : classful_mask(r.start);
      if (!same_net(r.start, giaddr, mask)) continue;
      if (rq.iface.addrs.empty()) continue;
      c.server = rq.iface.addrs.front().addr;
      c.netmask = mask;
      c.router = c.net = giaddr;
    } else {
      const InterfaceAddr4* on = nullptr;
      for (const auto& a : rq.iface.addrs) {
        IpAddr mask = r.netmask ? *r.netmask : a.netmask;
        if (same_net(a.addr, r.start, mask) && same_net(a.addr, r.end, mask)) {
          on = &a;
          break;
        }
      }
      if (!on) continue;
      c.server = on->addr;
      c.netmask = r.netmask ? *r.netmask : on->netmask;
      c.router = c.net = on->addr;
    }
    c.broadcast = r.broadcast ? *r.broadcast : from_v4(v4(c.net) | ~v4(c.netmask));
    c.usable = tags_match(r.tags, rq.tags);
    out.push_back(c);
  }
  return out;
}

const DhcpHost* Dhcp4Engine::find_host(const Request& rq, bool* other_net) const {
  const auto& h = rq.pkt.header();
  auto cid = rq.pkt.client_id();
  // An entry whose address is on none of the request's networks does not apply to it (as
  // dnsmasq: the client is not "known" there and gets a dynamic address), nor does one whose
  // only addresses are IPv6 (which the hosts data gave it, take_hosts_addresses).
  std::optional<std::vector<Context>> ctxs;
  auto applies_here = [&](const DhcpHost& host) {
    if (!host.addr4) return host.addrs6.empty();
    if (!ctxs) ctxs = contexts_for(rq);
    return std::any_of(ctxs->begin(), ctxs->end(),
                       [&](const Context& c) { return same_net(*host.addr4, c.net, c.netmask); });
  };
  // A client id match wins over a hardware-address match; tagged entries before untagged.
  for (int pass = 0; pass < 2; ++pass) {
    for (bool want_tagged : {true, false}) {
      for (const DhcpHost* hp : hosts_) {
        const DhcpHost& host = *hp;
        if (host.tags.empty() == want_tagged) continue;
        if (!tags_match(host.tags, rq.tags)) continue;
        bool hit = false;
        if (pass == 0) {
          hit = cid && host.client_id && *host.client_id == *cid;
        } else {
          for (const auto& m : host.macs)
            if (hw_pattern_matches(m, h.htype, h.hwaddr())) hit = true;
        }
        if (!hit) continue;
        if (applies_here(host)) return &host;
        *other_net = true;
      }
    }
  }
  // Name-only entries (no MAC, no client id) apply to a client presenting that name.
  if (!rq.client_name.empty())
    for (const DhcpHost* hp : hosts_)
      if (const DhcpHost& host = *hp; host.macs.empty() && !host.client_id && !host.ignore_client_id &&
          !host.hostname.empty() && host.hostname == rq.client_name && (host.addr4 || host.addrs6.empty()) &&
          tags_match(host.tags, rq.tags))
        return &host;
  return nullptr;
}

bool Dhcp4Engine::has_config_name(const Lease& l) const {
  if (l.hostname.empty()) return false;
  for (const DhcpHost* hp : hosts_) {
    if (hp->hostname.empty() || !text::iequals(hp->hostname, l.hostname)) continue;
    if (hp->client_id && !l.client_id.empty() && *hp->client_id == l.client_id) return true;
    for (const auto& m : hp->macs)
      if (hw_pattern_matches(m, l.htype, l.hwaddr)) return true;
  }
  return false;
}

// dnsmasq's rule: a client that sent an id is the lease with that id, or a lease without an
// id for its hardware address; a client without an id is any lease for its hardware address.
bool Dhcp4Engine::same_client(const Lease& l, const Request& rq) const {
  if (!rq.client_id.empty() && !l.client_id.empty()) return l.client_id == rq.client_id;
  return l.htype == rq.pkt.header().htype && l.hwaddr == rq.hwaddr;
}

std::optional<Lease> Dhcp4Engine::client_lease(const Request& rq) const {
  if (auto l = store_.find(rq.key)) return l;
  if (!rq.client_id.empty()) {
    auto l = store_.find(ClientKey::hwaddr(rq.pkt.header().htype, rq.hwaddr));
    if (l && l->client_id.empty()) return l;
    return std::nullopt;
  }
  // No id sent: a lease that carries one still belongs to this hardware address. A scan,
  // but only for clients without an id and without an id-less lease.
  std::optional<Lease> found;
  store_.for_each([&](const Lease& l) {
    if (!found && same_client(l, rq)) found = l;
  });
  return found;
}

namespace {

bool contains(std::span<const uint8_t> hay, std::span<const uint8_t> needle) {
  if (needle.empty()) return true;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// RFC 3004 user classes are counted strings; a client may send one plain string instead.
std::vector<std::span<const uint8_t>> user_classes(std::span<const uint8_t> raw) {
  std::vector<std::span<const uint8_t>> out;
  size_t i = 0;
  while (i < raw.size()) {
    size_t len = raw[i];
    if (len == 0 || i + 1 + len > raw.size()) return {raw};
    out.push_back(raw.subspan(i + 1, len));
    i += 1 + len;
  }
  return out;
}

}  // namespace

// The tags a request carries besides the interface and its dhcp-host's: --dhcp-mac,
// --dhcp-vendorclass/-userclass (substring), relay-agent ids (exact), --dhcp-match,
// --dhcp-name-match, then the --tag-if rules in config order.
void Dhcp4Engine::collect_tags(Request& rq) const {
  const auto& h = rq.pkt.header();
  const auto& dc = config_.dhcp;
  for (const auto& m : dc.mac_matches)
    if (hw_pattern_matches(m.pattern, h.htype, h.hwaddr())) rq.tags.push_back(m.tag);
  rq.marks.mac = rq.tags.size();
  auto vendor = rq.pkt.vendor_class();
  auto user = rq.pkt.user_class();
  auto relay = rq.pkt.relay_agent_info();
  for (const auto& m : dc.class_matches) {
    bool hit = false;
    switch (m.kind) {
      case config::DhcpClassKind::VendorClass:
        hit = m.enterprise == 0 && vendor && contains(*vendor, m.data);
        break;
      case config::DhcpClassKind::UserClass:
        if (user)
          for (auto one : user_classes(*user)) hit = hit || contains(one, m.data);
        break;
      case config::DhcpClassKind::CircuitId:
        hit = relay && relay->circuit_id && *relay->circuit_id == m.data;
        break;
      case config::DhcpClassKind::RemoteId:
        hit = relay && relay->remote_id && *relay->remote_id == m.data;
        break;
      case config::DhcpClassKind::SubscriberId:
        hit = relay && relay->subscriber_id && *relay->subscriber_id == m.data;
        break;
    }
    if (hit) rq.tags.push_back(m.tag);
  }
  rq.marks.cls = rq.tags.size();
  for (const auto& m : dc.matches4) {
    const d4::Option* o = rq.pkt.find(static_cast<uint8_t>(m.option.code));
    if (!o || m.option.code < 1 || m.option.code > 254) continue;
    bool hit = true;
    const auto& v = m.option.value;
    if (!v.empty() && m.option.kind == DhcpOptionValueKind::Hex) {
      // Hex with '*' bytes: the option starts with the value (wildcards match anything).
      hit = o->data.size() >= v.size();
      for (size_t i = 0; hit && i < v.size(); ++i)
        if (!(i < m.option.wildcard.size() && m.option.wildcard[i]) && o->data[i] != v[i]) hit = false;
    } else if (!v.empty()) {
      // Any other value: the option is an array of elements of the value's size, and one
      // element must equal it (option:client-arch,6 finds 6 among the architectures).
      hit = false;
      for (size_t i = 0; !hit && i + v.size() <= o->data.size(); i += v.size())
        hit = std::equal(v.begin(), v.end(), o->data.begin() + static_cast<long>(i));
    }
    if (hit) rq.tags.push_back(m.tag);
  }
  rq.marks.match = rq.tags.size();
  if (!rq.client_name.empty())
    for (const auto& m : dc.name_matches)
      if (m.prefix ? rq.client_name.compare(0, m.name.size(), m.name) == 0 : rq.client_name == m.name)
        rq.tags.push_back(m.tag);
  rq.marks.name = rq.tags.size();
  run_tag_ifs(rq, nullptr);
}

// The --tag-if rules in config order over the tags collected so far, and over the chosen
// range's set: tag when there is one: dnsmasq runs them again once the range is known, so a
// rule on the range's tag fires (seen with 2.90: "--dhcp-range=set:lan,..." with
// "--tag-if=set:x,tag:lan" tags its clients x). The range's tag goes after the rules' tags,
// where tags_line() expects it.
void Dhcp4Engine::run_tag_ifs(Request& rq, const std::string* range_tag) const {
  rq.tags.resize(rq.marks.name);  // without an earlier run's tags
  rq.tag_if_starts.clear();
  if (range_tag) rq.tags.push_back(*range_tag);
  for (const auto& t : config_.dhcp.tag_ifs)
    if (tags_match(t.conditions, rq.tags)) {
      if (verbose_) rq.tag_if_starts.push_back(rq.tags.size() - (range_tag ? 1 : 0));
      for (const auto& set : t.set) rq.tags.push_back(set);
    }
  if (range_tag) std::rotate(rq.tags.begin() + static_cast<long>(rq.marks.name),
                             rq.tags.begin() + static_cast<long>(rq.marks.name) + 1, rq.tags.end());
  rq.marks.tag_if = rq.tags.size() - (range_tag ? 1 : 0);
}

bool Dhcp4Engine::is_our_address(const IpAddr& a, const Request& rq) const {
  for (const auto& x : rq.iface.addrs)
    if (x.addr == a) return true;
  return false;
}

bool Dhcp4Engine::reserved_by_other_host(const IpAddr& a, const Request& rq) const {
  for (const DhcpHost* host : hosts_)
    if (host != rq.host && host->addr4 && *host->addr4 == a) return true;
  return false;
}

bool Dhcp4Engine::address_taken(const IpAddr& a, const Request& rq) const {
  if (is_our_address(a, rq)) return true;
  if (auto it = declined_.find(a); it != declined_.end() && it->second > rq.now) return true;
  if (ping_.in_use(a, rq.now)) return true;
  if (auto l = store_.find(a)) {
    bool expired = !l->never_expires() && l->expires <= rq.now;
    if (!expired && !same_client(*l, rq)) return true;
  }
  return reserved_by_other_host(a, rq);
}

const Dhcp4Engine::Context* Dhcp4Engine::context_of(const IpAddr& a,
                                                    const std::vector<Context>& ctxs,
                                                    bool ranges_only) const {
  // Inside a usable range first; then, for fixed addresses, a static range on the subnet
  // (as dnsmasq: its set: tag applies), then any usable range on the subnet.
  for (const auto& c : ctxs)
    if (c.usable && v4(a) >= v4(c.range->start) && v4(a) <= v4(c.range->end) &&
        !c.range->static_only)
      return &c;
  if (ranges_only) return nullptr;
  for (const auto& c : ctxs)
    if (c.usable && c.range->static_only && same_net(a, c.net, c.netmask)) return &c;
  for (const auto& c : ctxs)
    if (c.usable && same_net(a, c.net, c.netmask)) return &c;
  return nullptr;
}

std::optional<IpAddr> Dhcp4Engine::allocate(const Request& rq,
                                            const std::vector<Context>& ctxs) const {
  auto id = hash_identity(rq.pkt.header().htype, rq.hwaddr, rq.client_id);
  uint32_t hash = config_.dhcp.sequential_ip ? 0 : sdbm_hash(id);
  // Usable ranges with tag conditions come first, then those without, each in config
  // order (dnsmasq 2.90: a client matching "--dhcp-range=tag:x,..." or "tag:!x,..." gets its
  // address there even when an untagged range comes earlier in the config).
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& c : ctxs) {
      if (!c.usable || c.range->static_only || c.range->tags.empty() != (pass == 1)) continue;
      AddressRange range{c.range->start, c.range->end};
      auto a = choose_address(range, hash, config_.dhcp.sequential_ip ? 0 : epoch_,
                              [&](const IpAddr& x) { return address_taken(x, rq); });
      if (a) return a;
    }
  return std::nullopt;
}

std::string Dhcp4Engine::log_line(const char* type, const Request& rq, const IpAddr* addr,
                                  std::string_view extra) const {
  const auto& h = rq.pkt.header();
  std::string mac;
  if (h.hlen == 0) {
    mac = "<null>";
  } else {
    mac = hex_colon(h.hwaddr());
    if (h.htype != kHtypeEthernet) mac = fmt::format("{:02x}-{}", h.htype, mac);
  }
  if (verbose_)
    return fmt::format("{} {}({}) {}{}{} {}", h.xid, type, rq.iface.name,
                       addr ? addr->to_string() : std::string(), addr ? " " : "", mac, extra);
  return fmt::format("{}({}) {}{}{} {}", type, rq.iface.name,
                     addr ? addr->to_string() : std::string(), addr ? " " : "", mac, extra);
}

namespace {

std::string join_addrs(std::span<const uint8_t> data) {
  std::string s;
  for (size_t i = 0; i + 4 <= data.size(); i += 4) {
    if (i) s += ", ";
    s += fmt::format("{}.{}.{}.{}", data[i], data[i + 1], data[i + 2], data[i + 3]);
  }
  return s;
}

// A BOOTP text field up to its first NUL.
template <size_t N>
std::string_view field_text(const std::array<uint8_t, N>& f) {
  auto end = std::find(f.begin(), f.end(), uint8_t{0});
  return std::string_view(reinterpret_cast<const char*>(f.data()), static_cast<size_t>(end - f.begin()));
}

}  // namespace

std::string log_option_value(uint8_t code, std::span<const uint8_t> data) {
  const config::DhcpOptionName* known = config::find_dhcp_option(false, code);
  const uint16_t type = known ? known->type : 0;
  if ((type & config::kOptAddrList) && !data.empty() && data.size() % 4 == 0) return join_addrs(data);
  if (type & config::kOptName) {
    auto end = std::find(data.begin(), data.end(), uint8_t{0});
    return std::string(data.begin(), end);
  }
  if ((type & config::kOptTime) && data.size() == 4)
    return format_lease_time((uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) |
                             (uint32_t{data[2]} << 8) | data[3]);
  if ((type & config::kOptDecimal) && !data.empty() && data.size() <= 4) {
    uint32_t n = 0;
    for (uint8_t b : data) n = (n << 8) | b;
    return fmt::format("{}", n);
  }
  constexpr size_t kShown = 14;  // dnsmasq 2.90 shows this many bytes, then "..."
  std::string s = hex_colon(data.subspan(0, std::min(data.size(), kShown)));
  if (data.size() > kShown) s += "...";
  return s;
}

void Dhcp4Engine::log_request_details(const Request& rq, Dhcp4Result& out) const {
  const uint32_t xid = rq.pkt.header().xid;
  // Every range of the link (or the relay's subnet), proxy ranges too, in config order.
  auto ctxs = contexts_for(rq);
  if (pxe::enabled(config_.dhcp)) {
    auto proxies = proxy_contexts(rq);
    ctxs.insert(ctxs.end(), proxies.begin(), proxies.end());
    std::stable_sort(ctxs.begin(), ctxs.end(), [](const Context& a, const Context& b) { return a.range < b.range; });
  }
  if (ctxs.empty()) return;  // "no address range available": nothing more (dnsmasq 2.90)
  for (const auto& c : ctxs) {
    if (c.range->static_only || c.range->proxy)
      out.log.push_back(fmt::format("{} available DHCP subnet: {}/{}", xid, c.range->start.to_string(),
                                    c.netmask.to_string()));
    else
      out.log.push_back(fmt::format("{} available DHCP range: {} -- {}", xid, c.range->start.to_string(),
                                    c.range->end.to_string()));
  }
  if (auto vendor = rq.pkt.vendor_class())
    out.log.push_back(fmt::format("{} vendor class: {}", xid, std::string(vendor->begin(), vendor->end())));
  if (auto user = rq.pkt.user_class()) {
    std::string text;
    for (auto one : user_classes(*user)) text.append(one.begin(), one.end());
    out.log.push_back(fmt::format("{} user class: {}", xid, text));
  }
  // A usable name (option 81's when there is one), written as sent, domain and all, less a
  // trailing dot.
  if (!rq.sent_name.empty()) {
    std::string sent;
    if (auto fqdn = rq.pkt.client_fqdn()) sent = fqdn->name;
    else if (auto name = rq.pkt.hostname()) sent = *name;
    sent.resize(std::min(sent.size(), sent.find('\0')));
    if (!sent.empty() && sent.back() == '.') sent.pop_back();  // "eps." is written "eps"
    out.log.push_back(fmt::format("{} client provides name: {}", xid, sent));
  }
}

// dnsmasq keeps a request's tags newest first, each source adding its own in its list's
// order: this lists them that way from the marks collect_tags left.
std::string Dhcp4Engine::tags_line(const Request& rq) const {
  const auto& t = rq.tags;
  const auto& m = rq.marks;
  std::vector<const std::string*> order;
  order.reserve(t.size());
  auto backwards = [&](size_t from, size_t to) {
    for (size_t i = std::min(to, t.size()); i > from; --i) order.push_back(&t[i - 1]);
  };
  auto forwards = [&](size_t from, size_t to) {
    for (size_t i = from; i < std::min(to, t.size()); ++i) order.push_back(&t[i]);
  };
  // Each matching --tag-if's tags in its own order, the last one's first; then a range's
  // set: tag (dnsmasq has it before the --tag-if rules run); the dhcp-host's set: tags,
  // the --dhcp-name-match tags and "known".
  for (size_t i = rq.tag_if_starts.size(); i > 0; --i)
    forwards(rq.tag_if_starts[i - 1], i < rq.tag_if_starts.size() ? rq.tag_if_starts[i] : m.tag_if);
  backwards(m.tag_if, t.size());
  if (m.host > 1) forwards(1, m.host - 1);
  forwards(m.match, m.name);  // --dhcp-name-match, before "known" (or "known-othernet")
  if (m.host > 1) forwards(m.host - 1, m.host);
  forwards(m.mac, m.cls);
  forwards(m.cls, m.match);
  forwards(m.host, m.mac);
  forwards(0, 1);
  std::string s = fmt::format("{} tags: ", rq.pkt.header().xid);
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) s += ", ";
    s += *order[i];
  }
  return s;
}

void Dhcp4Engine::log_reply_details(const Request& rq, const Dhcp4Reply& reply, bool pxe,
                                    std::vector<std::string>& log) const {
  const uint32_t xid = rq.pkt.header().xid;
  const auto& h = reply.header;
  const bool nak = !reply.options.empty() && reply.options.front().code == d4::opt::MessageType &&
                   reply.options.front().data.size() == 1 &&
                   reply.options.front().data[0] == static_cast<uint8_t>(d4::MessageType::Nak);
  if (!nak && !pxe && rq.prl && !rq.prl->empty()) {
    // As dnsmasq: "code:name, " items, a line written once it is over 40 characters.
    std::string line;
    for (size_t i = 0; i < rq.prl->size(); ++i) {
      const uint8_t code = (*rq.prl)[i];
      const config::DhcpOptionName* known = config::find_dhcp_option(false, code);
      line += known ? fmt::format("{}:{}", code, known->name) : fmt::format("{}", code);
      const bool last = i + 1 == rq.prl->size();
      if (!last) line += ", ";
      if (last || line.size() > 40) {
        log.push_back(fmt::format("{} requested options: {}", xid, line));
        line.clear();
      }
    }
  }
  if (auto file = field_text(h.file); !file.empty()) log.push_back(fmt::format("{} bootfile name: {}", xid, file));
  if (auto sname = field_text(h.sname); !sname.empty())
    log.push_back(fmt::format("{} server name: {}", xid, sname));
  if (!h.siaddr.is_unspecified()) log.push_back(fmt::format("{} next server: {}", xid, h.siaddr.to_string()));
  // The flag, unless the reply goes to the client's own address (an INFORM's ACK: no line,
  // as dnsmasq 2.90; a relayed reply with the flag has the line).
  if (h.broadcast() && reply.destination.kind != Dhcp4Destination::Kind::Unicast)
    log.push_back(fmt::format("{} broadcast response", xid));
  for (const auto& o : reply.options) {
    if (o.code == d4::opt::Pad || o.code == d4::opt::Overload || o.code == d4::opt::End) continue;
    const config::DhcpOptionName* known = config::find_dhcp_option(false, o.code);
    log.push_back(fmt::format("{} sent size: {:2} option:{:3} {}  {}", xid, o.data.size(), o.code,
                              known ? known->name : std::string_view(), log_option_value(o.code, o.data)));
  }
}

namespace {

// A BOOTREPLY to `in`: its hardware type and address, transaction id, flags and relay.
Dhcp4Reply reply_to(const d4::Header& in) {
  Dhcp4Reply r;
  auto& h = r.header;
  h.op = 2;
  h.htype = in.htype;
  h.hlen = in.hlen;
  h.xid = in.xid;
  h.flags = in.flags;
  h.chaddr = in.chaddr;
  h.giaddr = in.giaddr;
  return r;
}

}  // namespace

Dhcp4Reply Dhcp4Engine::make_reply(const Request& rq, const Context& ctx, d4::MessageType type,
                                   const IpAddr& yiaddr, std::optional<uint32_t> lease_secs,
                                   const std::string& hostname,
                                   std::vector<std::string>* notes, uint32_t fuzz) const {
  const auto& in = rq.pkt.header();
  Dhcp4Reply r = reply_to(in);
  auto& h = r.header;
  h.ciaddr = (type == d4::MessageType::Ack) ? in.ciaddr : IpAddr::v4({0, 0, 0, 0});
  h.yiaddr = yiaddr;
  h.siaddr = ctx.server;
  r.source = ctx.server;

  auto& o = r.options;
  o.push_back({d4::opt::MessageType, {static_cast<uint8_t>(type)}});
  o.push_back(opt_addr(d4::opt::ServerId, ctx.server));

  // Configured options: dnsmasq keeps them newest first; per code, a tagged match beats an
  // untagged one.
  auto configured = [&](int code) -> const DhcpOption* {
    const DhcpOption* untagged = nullptr;
    for (auto it = options4_.rbegin(); it != options4_.rend(); ++it) {
      const DhcpOption& opt = *it;
      if (opt.is_v6 || opt.code != code || opt.pxe_only || opt.encap || opt.vi_encap ||
          opt.vendor_class)
        continue;
      if (!tags_match(opt.tags, rq.tags)) continue;
      if (!opt.tags.empty()) return &opt;
      if (!untagged) untagged = &opt;
    }
    return untagged;
  };
  auto requested = [&](int code) {
    if (!rq.prl) return true;
    return std::find(rq.prl->begin(), rq.prl->end(), static_cast<uint8_t>(code)) != rq.prl->end();
  };

  // --dhcp-boot, as dnsmasq: the newest entry whose tags match, else the newest untagged
  // one. Its server address goes in siaddr; its names go in the BOOTP sname/file fields,
  // or, when the client's request list asks for options 66/67, into those options (with a
  // NUL, which some PXE ROMs need) right after the lease time.
  const config::DhcpBoot* boot = nullptr;
  for (int pass = 0; pass < 2 && !boot; ++pass)
    for (auto it = config_.dhcp.boots.rbegin(); it != config_.dhcp.boots.rend() && !boot; ++it)
      if ((pass == 0) != it->tags.empty() && tags_match(it->tags, rq.tags)) boot = &*it;
  auto add_boot = [&] {
    if (!boot) return;
    if (boot->next_server) h.siaddr = *boot->next_server;
    auto put = [&](int code, const std::string& name, auto& field) {
      if (name.empty()) return;
      if (rq.prl && requested(code) && !config_.dhcp.no_override) {  // --dhcp-no-override: fields only
        std::vector<uint8_t> v(name.begin(), name.end());
        v.push_back(0);
        o.push_back({static_cast<uint8_t>(code), std::move(v)});
      } else {
        std::copy_n(name.begin(), std::min(name.size(), field.size() - 1), field.begin());
      }
    };
    put(66, boot->server_name, h.sname);
    put(67, boot->file, h.file);
  };
  if (!lease_secs) add_boot();
  if (lease_secs) {
    o.push_back(opt_u32(d4::opt::LeaseTime, *lease_secs));
    add_boot();
    if (*lease_secs != 0xffffffffu) {
      // A renewal's T1 and T2 come a little earlier, by a random "fuzz" of 1 s up to below lease/16, so
      // that clients renewing together spread out (dnsmasq does the same).
      uint32_t t1 = *lease_secs / 2 - fuzz,
               t2 = static_cast<uint32_t>((uint64_t{*lease_secs} * 7) / 8) - fuzz;
      auto time_opt = [&](int code, uint32_t dflt) {
        if (auto* c = configured(code); c && c->value.size() == 4) {
          uint32_t v = (uint32_t{c->value[0]} << 24) | (uint32_t{c->value[1]} << 16) |
                       (uint32_t{c->value[2]} << 8) | c->value[3];
          if (v < *lease_secs) return v;
        }
        return dflt;
      };
      o.push_back(opt_u32(58, time_opt(58, t1)));
      o.push_back(opt_u32(59, time_opt(59, t2)));
    }
  }

  // Netmask and broadcast always; router, DNS server, domain and hostname when asked for.
  auto value_of = [&](const DhcpOption& c) {
    std::vector<uint8_t> v = c.value;
    if (c.kind == DhcpOptionValueKind::Addr4)
      for (size_t i = 0; i + 4 <= v.size(); i += 4)
        if (v[i] == 0 && v[i + 1] == 0 && v[i + 2] == 0 && v[i + 3] == 0)
          std::copy_n(ctx.server.bytes().begin(), 4, v.begin() + static_cast<long>(i));
    return v;
  };
  std::vector<int> done;
  auto send_configured = [&](const DhcpOption& c) {
    done.push_back(c.code);
    if (c.value.empty() && (c.code == 1 || c.code == 3 || c.code == 6 || c.code == 15 ||
                            c.code == 28))
      return;  // an empty value suppresses the default
    if (!c.force && !requested(c.code)) return;
    o.push_back({static_cast<uint8_t>(c.code), value_of(c)});
    // A client whose name ended in NUL gets its configured text options NUL-terminated
    // too (seen with dnsmasq 2.90 for option 15 after an ASCII option 81 "y\0").
    if (rq.name_null_terminated && c.kind == DhcpOptionValueKind::String && c.code != 66 && c.code != 67)
      o.back().data.push_back(0);
    // Some PXE ROMs need the boot server and file names NUL-terminated: dnsmasq always does.
    if ((c.code == 66 || c.code == 67) && (o.back().data.empty() || o.back().data.back() != 0))
      o.back().data.push_back(0);
  };
  // Without a --dhcp-boot entry the options stand in for it, as in dnsmasq: a server or file
  // name not asked for as an option (66/67) goes in the BOOTP sname/file field, and the
  // server-ip-address pseudo-option (255) sets siaddr.
  if (!boot) {
    if (const DhcpOption* a = configured(255); a && a->value.size() == 4)
      h.siaddr = IpAddr::v4({a->value[0], a->value[1], a->value[2], a->value[3]});
    auto to_field = [&](int code, auto& field) {
      const DhcpOption* c = configured(code);
      if (!c || c->force || (rq.prl && requested(code))) return;
      std::copy_n(c->value.begin(), std::min(c->value.size(), field.size() - 1), field.begin());
      done.push_back(code);
    };
    to_field(66, h.sname);
    to_field(67, h.file);
  }
  auto default_opt = [&](int code, bool always, const std::vector<uint8_t>& value) {
    if (configured(code)) return;  // sent with the configured ones
    if (!always && !requested(code)) return;
    o.push_back({static_cast<uint8_t>(code), value});
    done.push_back(code);
  };
  auto addr_bytes = [](const IpAddr& a) {
    return std::vector<uint8_t>(a.bytes().begin(), a.bytes().begin() + 4);
  };
  default_opt(1, true, addr_bytes(ctx.netmask));
  default_opt(28, true, addr_bytes(ctx.broadcast));
  default_opt(3, false, addr_bytes(ctx.router));
  if (config_.dns.port == 53) default_opt(6, false, addr_bytes(ctx.server));
  for (const auto& d : config_.dns.domains) {
    if (d.scope != config::DomainRule::Scope::Everywhere || d.domain.empty() || d.domain == "#")
      continue;
    default_opt(15, false, std::vector<uint8_t>(d.domain.begin(), d.domain.end()));
    break;
  }
  if (!hostname.empty() && !configured(12) && requested(12)) {
    o.push_back({12, std::vector<uint8_t>(hostname.begin(), hostname.end())});
    if (rq.name_null_terminated) o.back().data.push_back(0);
    done.push_back(12);
  }
  // RFC 4702: a client that sent option 81 gets one back, asked for or not, with the name
  // it will have (host name plus the domain of its address), when it has one.
  if (!hostname.empty() && rq.fqdn_flags) {
    const bool wire = (*rq.fqdn_flags & d4::ClientFqdn::kE) != 0;
    // The domain of the client's address (an INFORM's ACK has no yiaddr: its ciaddr).
    const auto domain = domains_.domain_for(yiaddr.is_unspecified() ? in.ciaddr : yiaddr);
    o.push_back({d4::opt::ClientFqdn,
                 d4::encode_client_fqdn(fqdn_reply_flags(*rq.fqdn_flags, config_.dhcp.client_update), hostname,
                                        domain ? *domain : std::string_view(), wire, rq.name_null_terminated)});
    done.push_back(d4::opt::ClientFqdn);
  }
  for (auto it = options4_.rbegin(); it != options4_.rend(); ++it) {
    int code = it->code;
    if (it->is_v6 || code < 1 || code > 254 || engine_owned(code)) continue;
    if (it->encap || it->vi_encap || it->vendor_class) continue;  // sub-options: encap::build
    const DhcpOption* c = configured(code);
    if (!c) continue;
    // The chosen entry goes where it stands, not where another entry of its code that
    // does not apply stands (dnsmasq 2.90: an untagged option 15 after a "tag:x,15,..."
    // the client lacks is sent in the untagged entry's place).
    if (&*it == c && std::find(done.begin(), done.end(), code) == done.end()) send_configured(*c);
    // dnsmasq walks its options newest first and says so for every further copy of a code
    // that applies as well (same tagged-ness, tags matching), asked for or not.
    if (&*it != c && notes && it->tags.empty() == c->tags.empty() && !it->pxe_only && !it->encap &&
        !it->vi_encap && !it->vendor_class && tags_match(it->tags, rq.tags))
      notes->push_back(fmt::format("Ignoring duplicate dhcp-option {}", code));
  }
  // encap:, vi-encap: and vendor: forms after the plain ones; a vendor: option 43 names its
  // class: the client's option 60 follows it unless already in the reply (dnsmasq 2.90).
  encap::Query eq{[&](const config::TagList& t) { return tags_match(t, rq.tags); },
                  [&](int code) { return requested(code); }, std::nullopt};
  auto vendor = rq.pkt.vendor_class();
  if (vendor) eq.vendor_class = std::span<const uint8_t>(vendor->data(), vendor->size());
  eq.with_vendor = !pxe::enabled(config_.dhcp);
  bool vendor_opts = false;
  for (auto& e : encap::build(options4_, eq, notes)) {
    vendor_opts = vendor_opts || e.code == 43;
    o.push_back(std::move(e));
  }
  if (vendor_opts && vendor && std::none_of(o.begin(), o.end(), [](const d4::Option& x) {
        return x.code == d4::opt::VendorClass;
      }))
    o.push_back({d4::opt::VendorClass, *vendor});
  add_pxe_options(rq, ctx, o);
  // RFC 3046: a relay gets its agent information back.
  if (rq.relayed)
    if (const d4::Option* ri = rq.pkt.find(d4::opt::RelayAgentInfo)) o.push_back(*ri);

  r.limits.max_size = 576 - 28;
  if (auto m = rq.pkt.max_message_size(); m && *m > 576) r.limits.max_size = *m - 28u;
  return r;
}

void Dhcp4Engine::nak(Request& rq, const IpAddr& server, const std::string& message,
                      Dhcp4Result& out) const {
  const auto& in = rq.pkt.header();
  Dhcp4Reply r = reply_to(in);
  auto& h = r.header;
  r.source = server;
  r.options.push_back({d4::opt::MessageType, {static_cast<uint8_t>(d4::MessageType::Nak)}});
  r.options.push_back(opt_addr(d4::opt::ServerId, server));
  r.options.push_back({d4::opt::Message, std::vector<uint8_t>(message.begin(), message.end())});
  // A NAK always carries the broadcast flag, whatever the client sent (dnsmasq 2.90,
  // observed); RFC 2131 4.3.2: through a relay, it asks the relay to broadcast.
  h.flags |= 0x8000;
  if (rq.relayed) {
    if (const d4::Option* ri = rq.pkt.find(d4::opt::RelayAgentInfo)) r.options.push_back(*ri);
    r.destination = {Dhcp4Destination::Kind::Relay, in.giaddr};
  } else {
    r.destination = {Dhcp4Destination::Kind::Broadcast, {}};
  }
  IpAddr req = rq.pkt.requested_address().value_or(in.ciaddr);
  out.log.push_back(log_line("DHCPNAK", rq, &req, message));
  out.reply = std::move(r);
}

namespace {

Dhcp4Destination destination_for(const d4::Header& in, const IpAddr& yiaddr, bool inform) {
  if (!in.giaddr.is_unspecified()) return {Dhcp4Destination::Kind::Relay, in.giaddr};
  if (!in.ciaddr.is_unspecified()) return {Dhcp4Destination::Kind::Unicast, in.ciaddr};
  if (inform || in.broadcast() || in.hlen == 0 || in.hlen > 6 || yiaddr.is_unspecified())
    return {Dhcp4Destination::Kind::Broadcast, {}};
  return {Dhcp4Destination::Kind::UnicastArp, yiaddr};
}

}  // namespace

Dhcp4Result Dhcp4Engine::handle(const d4::Dhcp4Packet& packet, const InterfaceInfo& iface,
                                std::chrono::sys_seconds now, bool boot_server_port) {
  Dhcp4Result out;
  const auto& h = packet.header();
  auto type = packet.message_type();
  if (h.op != 1 || !packet.has_cookie() || !type || h.hlen > kMaxHwaddr ||
      h.giaddr.family() != IpAddr::Family::V4) {
    out.drop = Dhcp4Result::Drop::Malformed;  // BOOTP and non-requests are not served
    return out;
  }
  Request rq(packet, iface, now);
  rq.type = *type;
  rq.relayed = !h.giaddr.is_unspecified();
  auto hw = h.hwaddr();
  rq.hwaddr.assign(hw.begin(), hw.end());
  if (auto cid = packet.client_id(); cid && !config_.dhcp.ignore_clid) rq.client_id = *cid;
  if (auto name = packet.hostname()) {
    auto parsed = parse_client_hostname(*name);
    rq.client_name = std::move(parsed.name);
    rq.ignored_domain = std::move(parsed.ignored_domain);
    rq.name_null_terminated = parsed.null_terminated;
  }
  // An option 81 of 3 bytes or more replaces option 12, even when its name is empty or
  // unusable (dnsmasq 2.90: the client then has no name); a shorter one is ignored.
  if (auto fqdn = packet.client_fqdn()) {
    auto parsed = parse_fqdn_name(fqdn->name, (fqdn->flags & d4::ClientFqdn::kE) != 0);
    rq.fqdn_flags = fqdn->flags;
    rq.client_name = std::move(parsed.name);
    rq.ignored_domain = std::move(parsed.ignored_domain);
    rq.name_null_terminated = parsed.null_terminated;
  }
  rq.sent_name = rq.client_name;
  rq.prl = packet.parameter_request_list();
  rq.tags.push_back(iface.name);
  bool other_net = false;
  rq.host = find_host(rq, &other_net);
  if (rq.host) {
    if (rq.host->ignore_client_id) rq.client_id.clear();
    for (const auto& t : rq.host->set_tags) rq.tags.push_back(t);
    rq.tags.push_back("known");
  } else if (other_net) {
    rq.tags.push_back("known-othernet");  // only an entry for another subnet matched
  }
  rq.marks.host = rq.tags.size();
  collect_tags(rq);
  if (verbose_) log_request_details(rq, out);
  apply_name_rules(rq);
  rq.key = rq.client_id.empty() ? ClientKey::hwaddr(h.htype, rq.hwaddr)
                                : ClientKey::client_id(rq.client_id);
  rq.boot_port = boot_server_port;
  rq.pxe = pxe::detect(packet, config_.dhcp);
  if (handle_pxe(rq, out)) {
    // A proxy or boot-server reply: its tags after the PXE line, no request list (dnsmasq 2.90).
    if (verbose_ && out.reply) {
      out.log.push_back(tags_line(rq));
      log_reply_details(rq, *out.reply, true, out.log);
    }
    return out;
  }

  // --dhcp-ignore: the whole request, as for a dhcp-host "ignore".
  for (const auto& cond : config_.dhcp.ignore) {
    if (!tags_match(cond, rq.tags)) continue;
    // dnsmasq logs an ignored DISCOVER only; other messages are dropped silently.
    if (rq.type == d4::MessageType::Discover)
      out.log.push_back(log_line("DHCPDISCOVER", rq, nullptr, "ignored"));
    out.drop = Dhcp4Result::Drop::Ignored;
    return out;
  }

  switch (rq.type) {
    case d4::MessageType::Discover: handle_discover(rq, out); break;
    case d4::MessageType::Request: handle_request(rq, out); break;
    case d4::MessageType::Decline: handle_decline(rq, out); break;
    case d4::MessageType::Release: handle_release(rq, out); break;
    case d4::MessageType::Inform: handle_inform(rq, out); break;
    default: out.drop = Dhcp4Result::Drop::NotForUs; break;
  }
  if (out.reply) {
    apply_broadcast(rq, *out.reply);
    if (verbose_) log_reply_details(rq, *out.reply, false, out.log);
  }
  return out;
}

bool Dhcp4Engine::any_tags_match(const std::vector<config::TagList>& lists, const Request& rq) const {
  return std::any_of(lists.begin(), lists.end(), [&](const config::TagList& l) { return tags_match(l, rq.tags); });
}

// --dhcp-ignore-names drops the name the client sent; --dhcp-generate-names then gives a
// client without one a name made of its hardware address ("02-00-00-00-00-0a"), as dnsmasq.
void Dhcp4Engine::apply_name_rules(Request& rq) const {
  if (any_tags_match(config_.dhcp.ignore_names, rq)) {
    rq.client_name.clear();
    rq.ignored_domain.clear();
    // The NUL mark stays (dnsmasq 2.90: text options still get their NUL).
  }
  if (rq.client_name.empty() && !rq.hwaddr.empty() && any_tags_match(config_.dhcp.generate_names, rq)) {
    std::string name = hex_colon(rq.hwaddr);
    std::replace(name.begin(), name.end(), ':', '-');
    rq.client_name = std::move(name);
  }
}

// --dhcp-broadcast: the reply carries the broadcast flag and goes to 255.255.255.255 instead
// of unicast to a client that has no address yet.
void Dhcp4Engine::apply_broadcast(const Request& rq, Dhcp4Reply& reply) const {
  if (!any_tags_match(config_.dhcp.broadcast, rq)) return;
  reply.header.flags |= 0x8000;
  if (reply.destination.kind == Dhcp4Destination::Kind::UnicastArp)
    reply.destination = {Dhcp4Destination::Kind::Broadcast, {}};
}

namespace {
uint32_t lease_secs_for(const DhcpHost* host, const DhcpRange* range) {
  if (host && host->lease) return host->lease->count();
  return range ? range->lease.count() : config::kDefaultLease4.count();
}
}  // namespace

void Dhcp4Engine::handle_discover(Request& rq, Dhcp4Result& out) {
  auto requested = rq.pkt.requested_address();
  if (rq.host && rq.host->ignore) {
    out.log.push_back(log_line("DHCPDISCOVER", rq, nullptr, "ignored"));
    out.drop = Dhcp4Result::Drop::Ignored;
    return;
  }
  auto ctxs = contexts_for(rq);
  if (ctxs.empty()) {
    out.log.push_back(fmt::format("no address range available for DHCP request via {}",
                                  rq.relayed ? rq.pkt.header().giaddr.to_string()
                                             : rq.iface.name));
    out.drop = Dhcp4Result::Drop::NotForUs;
    return;
  }
  std::optional<IpAddr> addr;
  const Context* ctx = nullptr;
  // 1. the dhcp-host address, 2. the client's current lease, 3. the address it asks for,
  // 4. a new one from the hash of its hardware address.
  bool fixed_wanted = rq.host && rq.host->addr4;
  if (fixed_wanted) {
    const IpAddr& fixed = *rq.host->addr4;
    auto d = declined_.find(fixed);
    if (d != declined_.end() && d->second > rq.now) {
      out.log.push_back(fmt::format(
          "not using configured address {} because it was previously declined", fixed.to_string()));
      fixed_wanted = false;
    } else if ((ctx = context_of(fixed, ctxs, false)) && !address_taken(fixed, rq)) {
      addr = fixed;
    } else {
      ctx = nullptr;
    }
  }
  out.log.push_back(log_line("DHCPDISCOVER", rq, requested ? &*requested : nullptr, ""));
  bool fresh = false;
  if (!addr && !fixed_wanted) {
    if (auto l = client_lease(rq)) {
      if ((ctx = context_of(l->address, ctxs, true)) && !address_taken(l->address, rq))
        addr = l->address;
      else ctx = nullptr;
    }
    // 3 and 4 are new to the client: checked with an ICMP echo before they are offered.
    if (!addr && requested) {
      if ((ctx = context_of(*requested, ctxs, true)) && !address_taken(*requested, rq)) {
        addr = *requested;
        fresh = true;
      } else {
        ctx = nullptr;
      }
    }
    if (!addr) {
      addr = allocate(rq, ctxs);
      if (addr) ctx = context_of(*addr, ctxs, true);
      fresh = true;
    }
  }
  if (!addr || !ctx) {
    out.log.back() = log_line("DHCPDISCOVER", rq, requested ? &*requested : nullptr,
                              "no address available");
    out.drop = Dhcp4Result::Drop::Ignored;
    return;
  }
  if (!ctx->range->set_tag.empty()) run_tag_ifs(rq, &ctx->range->set_tag);
  uint32_t secs = lease_secs_for(rq.host, ctx->range);
  std::string name = rq.host ? rq.host->hostname : std::string();
  // A client that sent option 81 sees its name in the OFFER already (options 12 and 81),
  // as it sent it: dnsmasq 2.90 applies --dhcp-ignore-names only from the REQUEST on.
  if (name.empty() && rq.fqdn_flags) name = rq.sent_name;
  std::vector<std::string> notes;
  auto reply = make_reply(rq, *ctx, d4::MessageType::Offer, *addr, secs, name, &notes);
  reply.destination = destination_for(rq.pkt.header(), *addr, false);
  reply.header.ciaddr = IpAddr::v4({0, 0, 0, 0});
  if (reply.destination.kind == Dhcp4Destination::Kind::Unicast)
    reply.destination = {Dhcp4Destination::Kind::Broadcast, {}};
  if (verbose_) out.log.push_back(tags_line(rq));
  out.log.push_back(log_line("DHCPOFFER", rq, &*addr, ""));
  out.log.insert(out.log.end(), notes.begin(), notes.end());
  out.reply = std::move(reply);
  if (fresh && !config_.dhcp.no_ping && ping_.should_check(*addr, rq.now)) out.check_address = *addr;
}

void Dhcp4Engine::address_answered(const IpAddr& addr, std::chrono::sys_seconds now) {
  ping_.record_in_use(addr, now);
  if (!config_.dhcp.sequential_ip) ++epoch_;
}

void Dhcp4Engine::handle_request(Request& rq, Dhcp4Result& out) {
  const auto& h = rq.pkt.header();
  auto server_id = rq.pkt.server_id();
  auto requested = rq.pkt.requested_address();
  const bool selecting = server_id.has_value();
  const bool renewing = !selecting && !requested && !h.ciaddr.is_unspecified();
  const bool auth = config_.dhcp.authoritative;
  IpAddr addr = requested ? *requested : h.ciaddr;
  if (!requested && !renewing) {
    out.drop = Dhcp4Result::Drop::Malformed;  // no address to talk about
    return;
  }
  if (rq.host && rq.host->ignore) {  // silent, as dnsmasq
    out.drop = Dhcp4Result::Drop::Ignored;
    return;
  }
  auto ctxs = contexts_for(rq);
  if (ctxs.empty()) {
    out.drop = Dhcp4Result::Drop::NotForUs;
    return;
  }
  // Our address on the requested address's subnet (an interface may serve several), for
  // the server identifier of a NAK.
  IpAddr server = ctxs.front().server;
  for (const auto& c : ctxs)
    if (same_net(addr, c.net, c.netmask)) {
      server = c.server;
      break;
    }
  auto lease = client_lease(rq);
  if (lease && !lease->never_expires() && lease->expires <= rq.now) lease.reset();

  if (selecting) {
    if (!is_our_address(*server_id, rq)) {
      if (!auth) {  // the client chose another server
        out.drop = Dhcp4Result::Drop::NotForUs;
        return;
      }
      out.log.push_back(log_line("DHCPREQUEST", rq, &addr, ""));
      nak(rq, server, "wrong server-ID", out);
      return;
    }
  } else if (renewing) {
    // Renewing/rebinding: only a lease we hold for this client at that address.
    if (!lease || lease->address != addr) {
      out.drop = Dhcp4Result::Drop::NotForUs;
      return;
    }
  } else {
    // INIT-REBOOT: a client we know asking for another address is told; an unknown one
    // only when we are authoritative.
    if (!lease && !auth && !(rq.host && rq.host->addr4)) {
      out.drop = Dhcp4Result::Drop::NotForUs;
      return;
    }
    if (lease && lease->address != addr) {
      out.log.push_back(log_line("DHCPREQUEST", rq, &addr, ""));
      nak(rq, server, "wrong address", out);
      return;
    }
  }
  out.log.push_back(log_line("DHCPREQUEST", rq, &addr, ""));
  const size_t tags_at = out.log.size();  // dnsmasq writes the tags before the notes below
  const auto our_domain = domains_.domain_for(addr);
  if (!rq.ignored_domain.empty() && !rq.client_name.empty() &&
      !(our_domain && text::iequals(*our_domain, rq.ignored_domain)))
    out.log.push_back(fmt::format("Ignoring domain {} for DHCP host name {}", rq.ignored_domain,
                                  rq.client_name));

  bool on_subnet = false;
  for (const auto& c : ctxs)
    if (same_net(addr, c.net, c.netmask)) on_subnet = true;
  if (!on_subnet) {
    nak(rq, server, "wrong network", out);
    return;
  }
  const bool have_lease = lease && lease->address == addr;
  if (!have_lease && store_.size() >= static_cast<size_t>(std::max(config_.dhcp.lease_max, 0))) {
    nak(rq, server, "no leases left", out);
    return;
  }
  // A dhcp-host client may take a dynamic address it selected (dnsmasq 2.90 ACKs it, with
  // the host's name and lease time); DISCOVERs still offer it its own address.
  const Context* ctx = nullptr;
  if (rq.host && rq.host->addr4 && *rq.host->addr4 == addr) ctx = context_of(addr, ctxs, false);
  else ctx = context_of(addr, ctxs, true);
  if (!ctx || is_our_address(addr, rq)) {
    nak(rq, server, "address not available", out);
    return;
  }
  if (address_taken(addr, rq)) {
    nak(rq, server, "address in use", out);
    return;
  }
  if (!ctx->range->set_tag.empty()) {
    run_tag_ifs(rq, &ctx->range->set_tag);
    apply_name_rules(rq);
  }

  uint32_t secs = lease_secs_for(rq.host, ctx->range);
  Lease l;
  l.address = addr;
  l.htype = h.htype;
  l.hwaddr = rq.hwaddr;
  // A client that stops sending its id keeps the lease's (dnsmasq does the same).
  l.client_id = rq.client_id.empty() && lease ? lease->client_id : rq.client_id;
  if (rq.host && !rq.host->hostname.empty()) l.hostname = rq.host->hostname;
  else if (!rq.client_name.empty()) l.hostname = rq.client_name;
  else if (lease) l.hostname = lease->hostname;
  l.expires = secs == 0xffffffffu ? kNeverExpires
                                  : rq.now + std::chrono::seconds(secs);
  // One lease per client: an old one at another address goes.
  if (lease && lease->address != addr) store_.remove(lease->address);
  if (auto old = store_.find(addr); old && !same_client(*old, rq)) store_.remove(addr);
  // A hostname is one client's: an older lease holding it loses it, unless a --dhcp-host
  // gave it that name and this client only sent it (dnsmasq 2.90: the sender gets no name).
  if (!l.hostname.empty()) {
    std::vector<Lease> clash;
    store_.for_each([&](const Lease& x) {
      if (x.address != addr && text::iequals(x.hostname, l.hostname)) clash.push_back(x);
    });
    const bool from_config = rq.host && !rq.host->hostname.empty();
    if (!from_config && std::any_of(clash.begin(), clash.end(), [&](const Lease& x) { return has_config_name(x); })) {
      l.hostname.clear();
      clash.clear();
    }
    for (auto& x : clash) {
      x.hostname.clear();
      store_.upsert(x);
    }
  }
  store_.upsert(l);  // new, changed or renewed (the expiry moves on): always written
  out.store_changed = true;
  std::vector<std::string> notes;
  // The name in the reply and the log is the configured one or the one sent now; a name
  // the lease kept from before stays in the lease file only (as dnsmasq).
  std::string reply_name = rq.host && !rq.host->hostname.empty() ? rq.host->hostname : rq.client_name;
  // At least 1 s, so a renewal is always told an earlier T1/T2 (a plain `% (secs / 16)`
  // was 0 once in 225 renewals of a 1h lease, and the client got the exact halves).
  uint32_t fuzz = 0;
  if (renewing && have_lease && secs != 0xffffffffu && secs >= 32)
    fuzz = 1 + static_cast<uint32_t>(rng_() % (secs / 16 - 1));
  auto reply = make_reply(rq, *ctx, d4::MessageType::Ack, addr, secs, reply_name, &notes, fuzz);
  reply.destination = destination_for(h, addr, false);
  if (verbose_) out.log.insert(out.log.begin() + static_cast<long>(tags_at), tags_line(rq));
  out.log.push_back(log_line("DHCPACK", rq, &addr, reply_name));
  out.log.insert(out.log.end(), notes.begin(), notes.end());
  out.reply = std::move(reply);
  out.tags = rq.tags;
}

void Dhcp4Engine::handle_decline(Request& rq, Dhcp4Result& out) {
  auto server_id = rq.pkt.server_id();
  auto requested = rq.pkt.requested_address();
  if (!requested || !server_id || !is_our_address(*server_id, rq)) {
    out.drop = Dhcp4Result::Drop::NotForUs;
    return;
  }
  out.log.push_back(log_line("DHCPDECLINE", rq, &*requested, ""));
  // dnsmasq keeps no back-off for a dynamic address (its ping check finds a thief); a
  // dhcp-host address is not used for 10 minutes.
  if (rq.host && rq.host->addr4 && *rq.host->addr4 == *requested) {
    declined_[*requested] = rq.now + kDeclineBackoff;
    out.log.push_back(fmt::format("disabling DHCP static address {} for 10m", requested->to_string()));
  } else {
    // Any other DECLINE moves every client's hash start one address on (seen with dnsmasq
    // 2.90: the decliner would otherwise be offered the same address again).
    ++epoch_;
  }
  if (auto l = store_.find(*requested); l && same_client(*l, rq)) {
    store_.remove(*requested);
    out.store_changed = true;
  }
  for (auto it = declined_.begin(); it != declined_.end();)
    it = it->second <= rq.now ? declined_.erase(it) : std::next(it);
}

void Dhcp4Engine::handle_release(Request& rq, Dhcp4Result& out) {
  const auto& h = rq.pkt.header();
  auto server_id = rq.pkt.server_id();
  if (!server_id || !is_our_address(*server_id, rq)) {
    out.drop = Dhcp4Result::Drop::NotForUs;
    return;
  }
  auto l = store_.find(h.ciaddr);
  if (l && same_client(*l, rq)) {
    store_.remove(h.ciaddr);
    out.store_changed = true;
    out.log.push_back(log_line("DHCPRELEASE", rq, &h.ciaddr, ""));
  } else {
    out.log.push_back(log_line("DHCPRELEASE", rq, &h.ciaddr, "unknown lease"));
  }
}

void Dhcp4Engine::handle_inform(Request& rq, Dhcp4Result& out) {
  const auto& h = rq.pkt.header();
  if (h.ciaddr.is_unspecified()) {
    out.drop = Dhcp4Result::Drop::Malformed;
    return;
  }
  auto ctxs = contexts_for(rq);
  const Context* ctx = nullptr;
  for (const auto& c : ctxs)
    if (c.usable && same_net(h.ciaddr, c.net, c.netmask)) {
      ctx = &c;
      break;
    }
  if (!ctx) {
    out.drop = Dhcp4Result::Drop::NotForUs;
    return;
  }
  out.log.push_back(log_line("DHCPINFORM", rq, &h.ciaddr, ""));
  if (!ctx->range->set_tag.empty()) run_tag_ifs(rq, &ctx->range->set_tag);
  std::string name = rq.host ? rq.host->hostname : std::string();
  // The INFORM's ACK names the client with what it sent (12 or 81), as dnsmasq 2.90 does.
  if (name.empty()) name = rq.sent_name;
  std::vector<std::string> notes;
  auto reply = make_reply(rq, *ctx, d4::MessageType::Ack, IpAddr::v4({0, 0, 0, 0}),
                          std::nullopt, name, &notes);
  reply.destination = destination_for(h, h.ciaddr, true);
  if (verbose_) out.log.push_back(tags_line(rq));
  out.log.push_back(log_line("DHCPACK", rq, &h.ciaddr, name));
  out.log.insert(out.log.end(), notes.begin(), notes.end());
  out.reply = std::move(reply);
}

size_t Dhcp4Engine::prune_expired(std::chrono::sys_seconds now) {
  std::vector<IpAddr> gone;
  store_.for_each([&](const Lease& l) {
    if (!l.never_expires() && l.expires <= now) gone.push_back(l.address);
  });
  for (const auto& a : gone) store_.remove(a);
  for (auto it = declined_.begin(); it != declined_.end();)
    it = it->second <= now ? declined_.erase(it) : std::next(it);
  return gone.size();
}

// ---- PXE (the encoding is in pxe.cc) ----

// A proxy range on one of our links, or (relayed) the relay's subnet, as dnsmasq 2.90 does:
// a relayed PXE DISCOVER from a subnet with a proxy range gets the proxy OFFER via giaddr:67.
std::vector<Dhcp4Engine::Context> Dhcp4Engine::proxy_contexts(const Request& rq) const {
  std::vector<Context> out;
  const IpAddr giaddr = rq.pkt.header().giaddr;
  for (const auto& r : config_.dhcp.ranges) {
    if (r.is_v6 || !r.proxy) continue;
    Context c;
    c.range = &r;
    if (rq.relayed) {
      IpAddr mask = r.netmask ? *r.netmask : classful_mask(r.start);
      if (!same_net(r.start, giaddr, mask) || rq.iface.addrs.empty()) continue;
      c.server = rq.iface.addrs.front().addr;
      c.netmask = mask;
      c.router = c.net = giaddr;
    } else {
      const InterfaceAddr4* on = nullptr;
      for (const auto& a : rq.iface.addrs) {
        if (same_net(a.addr, r.start, r.netmask ? *r.netmask : a.netmask)) {
          on = &a;
          break;
        }
      }
      if (!on) continue;
      c.server = c.router = c.net = on->addr;
      c.netmask = r.netmask ? *r.netmask : on->netmask;
    }
    c.broadcast = r.broadcast ? *r.broadcast : from_v4(v4(c.net) | ~v4(c.netmask));
    c.usable = tags_match(r.tags, rq.tags);
    out.push_back(c);
  }
  return out;
}

void Dhcp4Engine::add_pxe_options(const Request& rq, const Context& ctx,
                                  std::vector<d4::Option>& o) const {
  if (!pxe::enabled(config_.dhcp)) return;
  auto vendor = rq.pkt.vendor_class();
  if (!vendor) return;
  auto match = [&](const config::TagList& t) { return tags_match(t, rq.tags); };
  auto requested = [&](uint8_t code) {
    return !rq.prl || std::find(rq.prl->begin(), rq.prl->end(), code) != rq.prl->end();
  };
  // --pxe-prompt entries are vendor-class options: any client whose class holds a PXE
  // vendor gets them in 43. A PXE client with an architecture gets the menu too (not when
  // one EFI service is its only choice: dnsmasq then leaves the menu out), after 60 and 97.
  encap::Query eq{match, requested, std::span<const uint8_t>(vendor->data(), vendor->size())};
  // The --dhcp-option=vendor: sub-options come before the prompts (forced ones go out
  // whatever the request list says, and take the rest of 43 with them).
  std::vector<uint8_t> subs = encap::vendor_suboptions(options4_, eq);
  const bool forced = !subs.empty();
  auto prompts = pxe::configured_prompts(config_.dhcp, *vendor, match);
  subs.insert(subs.end(), prompts.begin(), prompts.end());
  if (rq.pxe && rq.pxe->arch) {
    pxe::add_identity(*rq.pxe, o);
    if (!pxe::single_uefi_service(config_.dhcp, *rq.pxe->arch, match))
      subs = pxe::menu_suboptions(config_.dhcp, *rq.pxe->arch, match, ctx.server, subs);
  }
  if (subs.empty() || !(requested(43) || forced)) return;
  for (auto& v : pxe::vendor_options(subs)) o.push_back(std::move(v));
  // Vendor options name their class: when 60 is not in the reply yet, the client's own
  // vendor class follows 43 (dnsmasq 2.90, observed, asked for or not).
  if (std::none_of(o.begin(), o.end(), [](const d4::Option& x) { return x.code == d4::opt::VendorClass; }))
    o.push_back({d4::opt::VendorClass, *vendor});
}

bool Dhcp4Engine::handle_pxe(Request& rq, Dhcp4Result& out) {
  if (!pxe::enabled(config_.dhcp)) return false;
  auto match = [&](const config::TagList& t) { return tags_match(t, rq.tags); };
  bool ignored = rq.host && rq.host->ignore;
  for (const auto& cond : config_.dhcp.ignore) ignored = ignored || match(cond);
  if (rq.boot_port) out.drop = Dhcp4Result::Drop::NotForUs;  // unless answered below
  if (rq.boot_port && rq.pxe && rq.pxe->boot_item) {
    pxe_boot_item(rq, ignored, out);
    return true;
  }
  const bool proxy_type = rq.type == d4::MessageType::Discover ||
                          (rq.boot_port && rq.type == d4::MessageType::Request);
  auto proxies = proxy_contexts(rq);
  const Context* ctx = nullptr;
  for (const auto& c : proxies)
    if (c.usable && !ctx) ctx = &c;
  if (!rq.pxe || !rq.pxe->arch || !proxy_type || !ctx) {
    // Nothing for other clients on a link we only proxy for (dnsmasq logs nothing either).
    if (!rq.boot_port && !proxies.empty() && contexts_for(rq).empty()) {
      out.drop = Dhcp4Result::Drop::NotForUs;
      return true;
    }
    return rq.boot_port;
  }
  // Proxy DHCP: PXE information only, no address and no lease.
  if (!ctx->range->set_tag.empty()) run_tag_ifs(rq, &ctx->range->set_tag);
  if (ignored) {
    out.log.push_back(log_line("PXE", rq, nullptr, "proxy-ignored"));
    out.drop = Dhcp4Result::Drop::Ignored;
    return true;
  }
  const auto& px = *rq.pxe;
  const uint16_t arch = *px.arch;
  const auto& in = rq.pkt.header();
  Dhcp4Reply r = reply_to(in);
  auto& h = r.header;
  h.ciaddr = in.ciaddr;
  // A proxy reply on port 67 offers no address, whatever the client wrote in yiaddr.
  h.yiaddr = rq.boot_port ? in.yiaddr : IpAddr::v4({0, 0, 0, 0});
  h.siaddr = IpAddr::v4({0, 0, 0, 0});
  if (rq.type == d4::MessageType::Discover) {
    // The OFFER is broadcast, whatever the client asked (dnsmasq 2.90, observed).
    h.ciaddr = IpAddr::v4({0, 0, 0, 0});
    h.flags |= 0x8000;
  }
  r.source = ctx->server;
  // EFI firmware is sent on to port 4011 of this server, where it gets the menu or file.
  const bool redirect = arch >= 6;
  if (redirect) h.siaddr = ctx->server;
  const config::PxeService* only = pxe::single_uefi_service(config_.dhcp, arch, match);
  auto put = [](auto& field, const std::string& text) {
    field.fill(0);
    std::copy_n(text.begin(), std::min(text.size(), field.size() - 1), field.begin());
  };
  if (only && rq.boot_port) {
    h.siaddr = pxe::service_server(*only, ctx->server);
    put(h.sname, h.siaddr.to_string());
    put(h.file, pxe::boot_file(*only, 0));
  } else if (!only) {
    if (const config::DhcpBoot* boot = pxe::find_boot(config_.dhcp, match)) {
      if (boot->next_server && !boot->next_server->is_unspecified()) h.siaddr = *boot->next_server;
      put(h.file, boot->file);
    }
  }
  auto type = rq.type == d4::MessageType::Discover ? d4::MessageType::Offer : d4::MessageType::Ack;
  r.options.push_back({d4::opt::MessageType, {static_cast<uint8_t>(type)}});
  r.options.push_back(opt_addr(d4::opt::ServerId, ctx->server));
  pxe::add_identity(px, r.options);
  if ((rq.boot_port && !only) || !redirect) {
    auto vendor = rq.pkt.vendor_class();
    auto prompts = pxe::configured_prompts(config_.dhcp, vendor ? *vendor : std::vector<uint8_t>{}, match);
    auto subs = pxe::menu_suboptions(config_.dhcp, arch, match, ctx->server, prompts);
    for (auto& v : pxe::vendor_options(subs)) r.options.push_back(std::move(v));
  }
  r.limits.max_size = 576 - 28;
  if (auto m = rq.pkt.max_message_size(); m && *m > 576) r.limits.max_size = *m - 28u;
  r.destination = destination_for(h, IpAddr::v4({0, 0, 0, 0}), false);
  out.log.push_back(log_line("PXE", rq, nullptr, "proxy"));
  out.drop = Dhcp4Result::Drop::None;
  out.reply = std::move(r);
  return true;
}

// Port 4011: the client picked a menu entry (sub-option 71: type and layer) and asks its
// boot server for the file. Answered with the file and server; yiaddr is the client's own.
void Dhcp4Engine::pxe_boot_item(Request& rq, bool ignored, Dhcp4Result& out) {
  const auto& px = *rq.pxe;
  const auto& in = rq.pkt.header();
  if (ignored) return;
  if (px.item_layer() & 0x8000) {
    out.log.push_back("PXE BIS not supported");
    return;
  }
  const config::PxeService* service = pxe::service_of_type(config_.dhcp, px.item_type());
  auto ctxs = contexts_for(rq);
  auto proxies = proxy_contexts(rq);
  ctxs.insert(ctxs.end(), proxies.begin(), proxies.end());
  const Context* ctx = nullptr;
  for (const auto& c : ctxs)
    if (c.usable && !ctx && same_net(in.ciaddr, c.range->start, c.netmask)) ctx = &c;
  if (!service || service->basename.empty() || !ctx) return;
  auto match = [&](const config::TagList& t) { return tags_match(t, rq.tags); };
  Dhcp4Reply r = reply_to(in);
  auto& h = r.header;
  h.yiaddr = in.ciaddr;
  h.ciaddr = IpAddr::v4({0, 0, 0, 0});
  h.siaddr = pxe::service_server(*service, ctx->server);
  std::string file = pxe::boot_file(*service, px.item_layer());
  std::copy_n(file.begin(), std::min(file.size(), h.file.size() - 1), h.file.begin());
  r.source = ctx->server;
  r.options.push_back({d4::opt::MessageType, {static_cast<uint8_t>(d4::MessageType::Ack)}});
  r.options.push_back(opt_addr(d4::opt::ServerId, ctx->server));
  pxe::add_identity(px, r.options);
  std::vector<uint8_t> subs{pxe::subopt::kBootItem, 4};
  subs.insert(subs.end(), px.boot_item->begin(), px.boot_item->end());
  auto vendor = rq.pkt.vendor_class();
  auto prompts = pxe::configured_prompts(config_.dhcp, vendor ? *vendor : std::vector<uint8_t>{}, match);
  subs.insert(subs.end(), prompts.begin(), prompts.end());
  for (auto& v : pxe::vendor_options(subs)) r.options.push_back(std::move(v));
  r.limits.max_size = 576 - 28;
  if (auto m = rq.pkt.max_message_size(); m && *m > 576) r.limits.max_size = *m - 28u;
  r.destination = {Dhcp4Destination::Kind::Unicast, in.ciaddr};
  out.log.push_back(log_line("PXE", rq, &h.yiaddr, file));
  out.drop = Dhcp4Result::Drop::None;
  out.reply = std::move(r);
}

}  // namespace masqd::dhcp
