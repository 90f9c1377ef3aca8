#include "dhcp/lease_file.h"

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "base/text.h"

namespace masqd::dhcp {

namespace {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && text::is_space(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !text::is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Colon-separated hex as dnsmasq reads it back: groups of one or two digits ("2:0:d"), or
// longer runs of digit pairs ("0102"). Either case. "" is no bytes.
std::optional<std::vector<uint8_t>> parse_hex(std::string_view s, size_t max_bytes) {
  std::vector<uint8_t> out;
  if (s.empty()) return out;
  for (std::string_view group : text::split(s, ':')) {
    if (group.empty() || (group.size() > 2 && group.size() % 2 != 0)) return std::nullopt;
    for (size_t i = 0; i < group.size(); i += 2) {
      const size_t n = std::min<size_t>(2, group.size() - i);
      int v = 0;
      for (size_t j = i; j < i + n; ++j) {
        const int d = hex_digit(group[j]);
        if (d < 0) return std::nullopt;
        v = v * 16 + d;
      }
      if (out.size() == max_bytes) return std::nullopt;
      out.push_back(static_cast<uint8_t>(v));
    }
  }
  return out;
}

void append_hex(std::string& out, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ':';
    out += fmt::format("{:02x}", b[i]);
  }
}

std::optional<ExpiryTime> parse_expiry(std::string_view s) {
  auto v = text::parse_uint<uint64_t>(s);
  if (!v || *v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return ExpiryTime(std::chrono::seconds(static_cast<int64_t>(*v)));
}

// A hostname the file can hold: one field of visible ASCII.
bool is_hostname_field(std::string_view s) {
  if (s.empty() || s.size() > 255 || s == "*") return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// "aa:bb:..", or "HH-aa:bb:.." with the ARP hardware type in hex.
bool parse_hwaddr(std::string_view s, Lease& out) {
  out.htype = kHtypeEthernet;
  if (s.size() >= 3 && s[2] == '-') {
    const int hi = hex_digit(s[0]), lo = hex_digit(s[1]);
    if (hi < 0 || lo < 0) return false;
    out.htype = static_cast<uint8_t>(hi * 16 + lo);
    s.remove_prefix(3);
  } else if (s.empty()) {
    return false;
  }
  auto bytes = parse_hex(s, kMaxHwaddr);
  if (!bytes) return false;
  out.hwaddr = std::move(*bytes);
  return true;
}

// What the line is, judged on its own; the reason when it is damaged.
std::optional<std::string> check_kept_line(const std::vector<std::string_view>& f) {
  if (f[0] == "duid") {
    if (f.size() != 2 || !parse_hex(f[1], 130)) return "bad duid line";
    return std::nullopt;
  }
  // <expiry> <[T]iaid> <ipv6> <hostname|*> <duid|*>
  if (f.size() != 5) return "expected 5 fields";
  if (!parse_expiry(f[0])) return "bad expiry time";
  std::string_view iaid = f[1];
  if (!iaid.empty() && iaid.front() == 'T') iaid.remove_prefix(1);
  if (!text::parse_uint<uint32_t>(iaid)) return "bad IAID";
  if (!IpAddr::parse_v6(f[2])) return "bad IPv6 address";
  if (f[3] != "*" && !is_hostname_field(f[3])) return "bad hostname";
  if (f[4] != "*" && (f[4].empty() || !parse_hex(f[4], 130))) return "bad client DUID";
  return std::nullopt;
}

bool is_line_text(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return (c >= ' ' && c < 0x7f) || c == '\t' || c == '\r'; });
}

}  // namespace

Result<Lease> parse_lease_line(std::string_view line) {
  if (!is_line_text(line)) return make_error("control or non-ASCII bytes");
  auto f = fields(line);
  // dnsmasq always writes five fields; a missing client id (four) is read as none, as a
  // hand-made file may have it and nothing else could be meant.
  if (f.size() != 5 && f.size() != 4) return make_error("expected 5 fields");
  Lease l;
  auto expiry = parse_expiry(f[0]);
  if (!expiry) return make_error("bad expiry time");
  l.expires = *expiry;
  if (!parse_hwaddr(f[1], l)) return make_error("bad hardware address");
  auto addr = IpAddr::parse_v4(f[2]);
  if (!addr) return make_error("bad IPv4 address");
  l.address = *addr;
  if (f[3] != "*") {
    if (!is_hostname_field(f[3])) return make_error("bad hostname");
    l.hostname = std::string(f[3]);
  }
  if (f.size() == 5 && f[4] != "*") {
    auto id = parse_hex(f[4], kMaxClientId);
    if (!id || id->empty()) return make_error("bad client id");
    l.client_id = std::move(*id);
  }
  return l;
}

LeaseFileContents parse_lease_file(std::string_view text) {
  LeaseFileContents out;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

    auto problem = [&](std::string reason) {
      out.problems.push_back({line_no, std::move(reason)});
    };
    if (line.size() > kMaxLeaseLine) {
      problem(fmt::format("line longer than {} bytes", kMaxLeaseLine));
      continue;
    }
    if (!is_line_text(line)) {
      problem("control or non-ASCII bytes");
      continue;
    }
    auto f = fields(line);
    if (f.empty()) continue;
    const bool v6 = f[0] == "duid" || (f.size() >= 3 && f[2].find(':') != std::string_view::npos);
    if (v6) {
      if (auto why = check_kept_line(f)) {
        problem(*why);
      } else {
        out.kept_lines.emplace_back(line);
      }
      continue;
    }
    auto lease = parse_lease_line(line);
    if (lease) {
      out.leases.push_back(std::move(*lease));
    } else {
      problem(lease.error().message);
    }
  }
  return out;
}

std::string format_lease_line(const Lease& l) {
  std::string out = fmt::format("{} ", l.expires.time_since_epoch().count());
  const size_t hw = std::min(l.hwaddr.size(), kMaxHwaddr);
  if (l.htype != kHtypeEthernet || hw == 0) out += fmt::format("{:02x}-", l.htype);
  append_hex(out, l.hwaddr.data(), hw);
  out += ' ';
  out += l.address.to_string();
  out += ' ';
  out += is_hostname_field(l.hostname) ? l.hostname : "*";
  out += ' ';
  if (l.client_id.empty()) {
    out += '*';
  } else {
    append_hex(out, l.client_id.data(), std::min(l.client_id.size(), kMaxClientId));
  }
  out += '\n';
  return out;
}

}  // namespace masqd::dhcp
