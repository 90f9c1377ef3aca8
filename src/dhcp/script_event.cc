#include "dhcp/script_event.h"

#include <fmt/format.h>

#include <algorithm>

namespace masqd::dhcp {

namespace {

std::string hex_colon(const std::vector<uint8_t>& b) {
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) out += fmt::format("{}{:02x}", i ? ":" : "", b[i]);
  return out;
}

bool valid_action(std::string_view a) {
  return a == "add" || a == "old" || a == "del" || a == "tftp";
}

bool valid_env(std::string_view e) {
  const size_t eq = e.find('=');
  if (eq == std::string_view::npos || e.substr(0, 8) != "DNSMASQ_") return false;
  return std::all_of(e.begin(), e.begin() + static_cast<long>(eq),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

std::string encode_script_event(const ScriptEvent& e) {
  std::string body;
  auto put = [&](std::string_view s) {
    body.append(s);
    body.push_back('\0');
  };
  put(e.action);
  put(std::to_string(e.args.size()));
  for (const auto& a : e.args) put(a);
  for (const auto& v : e.env) put(v);
  std::string out(4, '\0');
  const auto n = static_cast<uint32_t>(body.size());
  out[0] = static_cast<char>(n >> 24);
  out[1] = static_cast<char>(n >> 16);
  out[2] = static_cast<char>(n >> 8);
  out[3] = static_cast<char>(n);
  return out + body;
}

Result<std::optional<std::pair<ScriptEvent, size_t>>> decode_script_event(std::span<const uint8_t> bytes) {
  using Out = std::optional<std::pair<ScriptEvent, size_t>>;
  if (bytes.size() < 4) return Out{};
  const size_t n = size_t{bytes[0]} << 24 | size_t{bytes[1]} << 16 | size_t{bytes[2]} << 8 | bytes[3];
  if (n == 0 || n > kMaxScriptFrame) return make_error("script frame size out of range", 5);
  if (bytes.size() < 4 + n) return Out{};
  const std::string_view body(reinterpret_cast<const char*>(bytes.data() + 4), n);
  if (body.back() != '\0') return make_error("script frame not terminated", 5);
  std::vector<std::string_view> parts;
  for (size_t at = 0; at < body.size();) {
    const size_t end = body.find('\0', at);
    parts.push_back(body.substr(at, end - at));
    at = end + 1;
  }
  if (parts.size() < 2 || !valid_action(parts[0])) return make_error("bad script action", 5);
  size_t argc = 0;
  if (parts[1].empty() || parts[1].size() > 1) return make_error("bad script argument count", 5);
  if (parts[1][0] < '0' || parts[1][0] > '3') return make_error("bad script argument count", 5);
  argc = static_cast<size_t>(parts[1][0] - '0');
  if (parts.size() < 2 + argc) return make_error("script frame too short", 5);
  ScriptEvent e;
  e.action = std::string(parts[0]);
  for (size_t i = 0; i < argc; ++i) e.args.emplace_back(parts[2 + i]);
  for (size_t i = 2 + argc; i < parts.size(); ++i) {
    if (!valid_env(parts[i])) return make_error("bad script environment entry", 5);
    e.env.emplace_back(parts[i]);
  }
  return Out{std::pair<ScriptEvent, size_t>{std::move(e), 4 + n}};
}

ScriptEvent lease_script_event(std::string action, const Lease& l, std::optional<std::string_view> domain,
                               std::chrono::sys_seconds now) {
  ScriptEvent e;
  e.action = std::move(action);
  std::string mac = hex_colon(l.hwaddr);
  if (l.htype != kHtypeEthernet || l.hwaddr.empty()) mac = fmt::format("{:02x}-{}", l.htype, mac);
  e.args = {mac, l.address.to_string()};
  if (!l.hostname.empty()) e.args.push_back(l.hostname);
  if (!l.client_id.empty()) e.env.push_back("DNSMASQ_CLIENT_ID=" + hex_colon(l.client_id));
  if (domain) e.env.push_back(fmt::format("DNSMASQ_DOMAIN={}", *domain));
  if (!l.never_expires()) {
    e.env.push_back(fmt::format("DNSMASQ_LEASE_EXPIRES={}", l.expires.time_since_epoch().count()));
    const auto left = std::max<int64_t>(0, (l.expires - now).count());
    e.env.push_back(fmt::format("DNSMASQ_TIME_REMAINING={}", left));
  }
  return e;
}

}  // namespace masqd::dhcp
