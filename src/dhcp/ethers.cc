// /etc/ethers reader and dnsmasq's rules for merging its lines into the dhcp-host entries.
#include "dhcp/ethers.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>


namespace masqd::dhcp {

namespace {

// dnsmasq reads lines with a fixed buffer; longer ones are refused here as a whole.
constexpr size_t kMaxLine = 1024;
constexpr int kArpEthernet = 1;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Six groups of one or two hex digits, separated by ':' or '-'.
std::optional<MacAddr> parse_mac(std::string_view s) {
  MacAddr m;
  size_t i = 0;
  for (size_t b = 0; b < 6; ++b) {
    if (b > 0) {
      if (i >= s.size() || (s[i] != ':' && s[i] != '-')) return std::nullopt;
      ++i;
    }
    int value = 0, digits = 0;
    while (i < s.size() && digits < 2 && hex_digit(s[i]) >= 0) {
      value = value * 16 + hex_digit(s[i]);
      ++i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    m.bytes[b] = static_cast<uint8_t>(value);
  }
  if (i != s.size()) return std::nullopt;
  return m;
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.front() == '_') return false;
    if (!std::all_of(label.begin(), label.end(), is_label_char)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

void parse_line(std::string_view line, unsigned lineno, EthersFile& out) {
  while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
  if (line.empty() || line.front() == '#' || line.front() == '+') return;
  auto bad = [&](EthersProblem::Kind k) { out.problems.push_back(EthersProblem{k, lineno}); };
  if (line.size() > kMaxLine) return bad(EthersProblem::Kind::BadLine);
  // The MAC is everything up to the first white space (a line starting with white space
  // has an empty one, as in dnsmasq); the rest, after the white space, is the value.
  size_t end = 0;
  while (end < line.size() && !is_space(line[end])) ++end;
  std::string_view mac_text = line.substr(0, end);
  while (end < line.size() && is_space(line[end])) ++end;
  std::string_view value = line.substr(end);
  auto mac = parse_mac(mac_text);
  if (value.empty() || !mac) return bad(EthersProblem::Kind::BadLine);
  EthersLine e;
  e.mac = *mac;
  e.line = lineno;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); })) {
    auto a = IpAddr::parse_v4(value);
    if (!a) return bad(EthersProblem::Kind::BadAddress);
    e.addr = *a;
  } else {
    if (!is_host_name(value)) return bad(EthersProblem::Kind::BadName);
    e.name = std::string(value);
  }
  out.lines.push_back(std::move(e));
}

config::HwAddrPattern ether_pattern(const MacAddr& mac) {
  config::HwAddrPattern p;
  p.bytes.assign(mac.bytes.begin(), mac.bytes.end());
  p.wildcard.assign(6, false);
  p.hw_type = kArpEthernet;
  return p;
}

bool is_plain_mac(const config::DhcpHost& h, const MacAddr& mac) {
  if (h.macs.size() != 1) return false;
  const auto& p = h.macs.front();
  if (p.hw_type != 0 && p.hw_type != kArpEthernet) return false;
  if (std::any_of(p.wildcard.begin(), p.wildcard.end(), [](bool w) { return w; })) return false;
  return std::equal(p.bytes.begin(), p.bytes.end(), mac.bytes.begin(), mac.bytes.end());
}

// The name as a dhcp-host carries it: the first label, and the rest as its domain.
void set_name(config::DhcpHost& h, const std::string& name) {
  auto dot = name.find('.');
  h.hostname = name.substr(0, dot);
  h.domain = dot == std::string::npos ? std::string() : name.substr(dot + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The entries of one list by address, by name (lower case, with the domain) and by plain
// MAC, so that a large /etc/ethers is merged in O(n log n) rather than by scanning the list
// for every line. Each key keeps the positions of all entries that have it, in order.
class HostIndex {
 public:
  explicit HostIndex(const std::vector<config::DhcpHost>& hosts) {
    for (size_t i = 0; i < hosts.size(); ++i) add(hosts[i], i);
  }
  void add(const config::DhcpHost& h, size_t i) { visit(h, i, true); }
  void remove(const config::DhcpHost& h, size_t i) { visit(h, i, false); }
  const std::set<size_t>* by_addr(const IpAddr& a) const { return find(addr_, a); }
  const std::set<size_t>* by_name(const std::string& name) const { return find(name_, lower(name)); }
  const std::set<size_t>* by_mac(const MacAddr& m) const { return find(mac_, m.bytes); }

 private:
  using Mac = std::array<uint8_t, 6>;
  template <class K>
  static const std::set<size_t>* find(const std::map<K, std::set<size_t>>& m, const K& k) {
    auto it = m.find(k);
    return it == m.end() ? nullptr : &it->second;
  }
  template <class K>
  static void change(std::map<K, std::set<size_t>>& m, const K& k, size_t i, bool add) {
    if (add) {
      m[k].insert(i);
    } else if (auto it = m.find(k); it != m.end()) {
      it->second.erase(i);
      if (it->second.empty()) m.erase(it);
    }
  }
  void visit(const config::DhcpHost& h, size_t i, bool add) {
    if (h.addr4) change(addr_, *h.addr4, i, add);
    if (!h.hostname.empty()) change(name_, lower(h.domain.empty() ? h.hostname : h.hostname + "." + h.domain), i, add);
    if (h.macs.size() == 1) {
      MacAddr m;
      const auto& b = h.macs.front().bytes;
      if (b.size() == 6) {
        std::copy(b.begin(), b.end(), m.bytes.begin());
        if (is_plain_mac(h, m)) change(mac_, m.bytes, i, add);
      }
    }
  }
  std::map<IpAddr, std::set<size_t>> addr_;
  std::map<std::string, std::set<size_t>> name_;
  std::map<Mac, std::set<size_t>> mac_;
};

}  // namespace

EthersFile parse_ethers(std::string_view text) {
  EthersFile out;
  unsigned lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++lineno;
    parse_line(line, lineno, out);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::string ethers_problem_message(const EthersProblem& p, std::string_view path) {
  const char* what = p.kind == EthersProblem::Kind::BadLine      ? "line"
                     : p.kind == EthersProblem::Kind::BadAddress ? "address"
                                                                 : "name";
  return fmt::format("bad {} at {} line {}", what, path, p.line);
}

std::vector<std::string> apply_ethers(const EthersFile& file, std::string_view path,
                                      std::vector<config::DhcpHost>& config_hosts,
                                      std::vector<config::DhcpHost>& ethers_hosts) {
  std::vector<std::string> log;
  size_t pi = 0;
  size_t count = 0;
  auto report_problems_before = [&](unsigned line) {
    for (; pi < file.problems.size() && file.problems[pi].line < line; ++pi)
      log.push_back(ethers_problem_message(file.problems[pi], path));
  };
  HostIndex cfg_index(config_hosts), eth_index(ethers_hosts);
  for (const EthersLine& e : file.lines) {
    report_problems_before(e.line);
    auto holders = [&](const HostIndex& idx) { return e.addr ? idx.by_addr(*e.addr) : idx.by_name(e.name); };
    // Entries made from earlier lines are the newest: dnsmasq finds them first.
    if (holders(eth_index)) {
      log.push_back(fmt::format("ignoring {} line {}, duplicate name or IP address", path, e.line));
      continue;
    }
    // The entry to change, as (list, its index, position): a configured entry that holds the
    // address or name, else the newest entry from ethers or the first configured one with
    // exactly this MAC, else a new one.
    std::vector<config::DhcpHost>* list = &config_hosts;
    HostIndex* index = &cfg_index;
    size_t pos = 0;
    bool holds = false;
    if (const auto* c = holders(cfg_index)) {
      pos = *c->begin();
      holds = true;
    } else if (const auto* m = eth_index.by_mac(e.mac)) {
      list = &ethers_hosts;
      index = &eth_index;
      pos = *m->rbegin();
    } else if (const auto* m2 = cfg_index.by_mac(e.mac)) {
      pos = *m2->begin();
    } else {
      list = &ethers_hosts;
      index = &eth_index;
      pos = ethers_hosts.size();
      ethers_hosts.emplace_back();
    }
    config::DhcpHost& target = (*list)[pos];
    index->remove(target, pos);
    if (!holds) {
      if (e.addr) target.addr4 = *e.addr;
      else set_name(target, e.name);
    }
    target.macs = {ether_pattern(e.mac)};
    target.ignore_client_id = true;
    index->add(target, pos);
    ++count;
  }
  report_problems_before(~0u);
  log.push_back(fmt::format("read {} - {} addresses", path, count));
  return log;
}

}  // namespace masqd::dhcp
