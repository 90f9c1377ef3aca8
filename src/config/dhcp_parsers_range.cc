// --dhcp-range: IPv4 forms (start,end|static|proxy[,mask[,broadcast]][,lease]) and IPv6
// forms (start[,end|constructor:if][,mode...][,prefix-len][,lease]), with tag prefixes.
#include "config/config.h"
#include "config/dhcp_parse_util.h"
#include "config/dhcp_parsers.h"

namespace masqd::config::dhcp_parsers {

using namespace dhcp_text;

namespace {

constexpr size_t kMaxFields = 8;

// Characters an address of either family is made of; a leading field holding only these
// (up to the first comma) is never taken as a tag.
bool is_address_char(char c) {
  return c == ' ' || c == '.' || c == ':' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

bool same_net4(const IpAddr& a, const IpAddr& b, const IpAddr& mask) {
  for (size_t i = 0; i < 4; ++i)
    if ((a.bytes()[i] & mask.bytes()[i]) != (b.bytes()[i] & mask.bytes()[i])) return false;
  return true;
}

uint32_t v4_number(const IpAddr& a) {
  const auto& b = a.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

uint64_t v6_host_part(const IpAddr& a) {
  uint64_t v = 0;
  for (size_t i = 8; i < 16; ++i) v = (v << 8) | a.bytes()[i];
  return v;
}

Result<void> bad_range() { return make_error("bad dhcp-range"); }

// The address fields: IPv4 start,end|static|proxy[,netmask[,broadcast]].
// Returns the index of the first field after them.
Result<size_t> parse_v4(const std::vector<std::string_view>& f, DhcpRange& r) {
  r.lease = kDefaultLease4;
  r.end = r.start;
  if (f[1] == "static") {
    r.static_only = true;
  } else if (f[1] == "proxy") {
    r.proxy = true;
  } else if (auto end = IpAddr::parse_v4(f[1])) {
    r.end = *end;
  } else {
    return make_error("bad dhcp-range");
  }
  if (v4_number(r.start) > v4_number(r.end)) std::swap(r.start, r.end);
  size_t pos = 2;
  if (f.size() > 2 && f[2].find('.') != std::string_view::npos) {
    if (auto mask = IpAddr::parse_v4(f[2])) {
      r.netmask = *mask;
      pos = 3;
      if (!same_net4(r.start, r.end, *mask)) return make_error("inconsistent DHCP range");
      if (f.size() > 3 && f[3].find('.') != std::string_view::npos) {
        if (auto bcast = IpAddr::parse_v4(f[3])) {
          r.broadcast = *bcast;
          pos = 4;
        }
      }
    }
  }
  return pos;
}

// IPv6: start[,end][,constructor:iface][,modes...][,prefix-len]. Returns the next index.
Result<size_t> parse_v6(const std::vector<std::string_view>& f, DhcpRange& r) {
  r.is_v6 = true;
  r.lease = kDefaultLease6;
  r.end = r.start;
  size_t pos = 1;
  for (; pos < f.size(); ++pos) {
    std::string_view w = f[pos];
    std::optional<IpAddr> end;
    if (w == "static") {
      r.static_only = r.dhcp6 = true;
    } else if (w == "ra-only" || w == "slaac") {
      r.ra_only = true;
    } else if (w == "ra-names") {
      r.ra_names = r.ra_only = true;
    } else if (w == "ra-advrouter") {
      r.ra_advrouter = r.ra_only = true;
    } else if (w == "ra-stateless") {
      r.ra_stateless = r.dhcp6 = r.ra_only = true;
    } else if (w == "off-link") {
      r.off_link = true;
    } else if (pos == 1 && (end = IpAddr::parse_v6(w))) {
      r.end = *end;
      r.dhcp6 = true;
    } else if (has_prefix(w, "constructor:")) {
      r.constructor = true;
      r.constructor_iface = unhide(w.substr(12));
    } else {
      break;
    }
  }
  // A bare number up to 128 (an empty field counts as 0) is the prefix length.
  if (pos < f.size() && all_digits(f[pos])) {
    int32_t len = c_atoi(f[pos]);
    if (len <= 128) {
      r.prefix_len = static_cast<uint8_t>(len);
      ++pos;
    }
  }
  if (r.prefix_len > 64) {
    if (r.ra_only) return make_error("prefix length must be exactly 64 for RA subnets");
    if (r.constructor) return make_error("prefix length must be exactly 64 for subnet constructors");
  } else if (r.prefix_len < 64) {
    return make_error("prefix length must be at least 64");
  }
  if (!IpPrefix{r.start, r.prefix_len}.contains(r.end))
    return make_error("inconsistent DHCPv6 range");
  // "::" alone: answer stateless requests on any subnet.
  if (r.start.is_unspecified() && !r.constructor) r.prefix_len = 0;
  if (v6_host_part(r.start) > v6_host_part(r.end)) std::swap(r.start, r.end);
  return pos;
}

}  // namespace

Result<void> parse_dhcp_range(ParseContext& ctx, const OptArg* arg) {
  std::string text = value_text(arg);
  std::string_view rest = text;
  DhcpRange r;
  bool have_set_tag = false;
  // Leading tag fields: "tag:x"/"net:x" (conditions), "set:x" or a bare name (one only).
  while (true) {
    size_t i = 0;
    while (i < rest.size() && is_address_char(rest[i])) ++i;
    std::optional<std::string_view> after;
    if (i < rest.size() && rest[i] == ',') break;
    if (!(after = split_off(rest))) break;
    if (is_tag_prefix(rest)) {
      if (rest.size() > 4) r.tags.push_back(tag_name(rest.substr(4)));
    } else {
      if (have_set_tag) return make_error("only one tag allowed");
      std::string name = tag_name(strip_set_prefix(rest));
      // An empty name leaves the range without a set tag, as dnsmasq's does.
      if (!name.empty()) {
        r.set_tag = std::move(name);
        have_set_tag = true;
      }
    }
    rest = *after;
  }

  std::vector<std::string_view> f{rest};
  while (f.size() < kMaxFields) {
    auto next = split_off(f.back());
    if (!next) break;
    f.push_back(*next);
  }
  if (f.size() < 2) return bad_range();

  size_t lease_pos;
  if (auto start4 = IpAddr::parse_v4(f[0])) {
    r.start = *start4;
    auto pos = parse_v4(f, r);
    if (!pos) return pos.error();
    lease_pos = *pos;
  } else if (auto start6 = IpAddr::parse_v6(f[0])) {
    r.start = *start6;
    auto pos = parse_v6(f, r);
    if (!pos) return pos.error();
    lease_pos = *pos;
  } else {
    return bad_range();
  }

  if (lease_pos < f.size()) {
    if (lease_pos != f.size() - 1) return bad_range();
    std::string_view lease = f[lease_pos];
    if (lease == "infinite") {
      r.lease = kInfiniteLease;
      r.lease_set = true;
    } else if (lease == "deprecated") {
      r.deprecated = true;
    } else {
      auto secs = parse_range_lease(lease);
      if (!secs) return bad_range();
      r.lease = *secs;
      r.lease_set = true;
    }
  }
  ctx.config.dhcp.ranges.push_back(std::move(r));
  return ok();
}

}  // namespace masqd::config::dhcp_parsers
