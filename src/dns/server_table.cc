#include "dns/server_table.h"

#include <net/if.h>

#include <algorithm>

#include "base/text.h"

namespace masqd::dns {

namespace {

using config::DomainPattern;
using config::ServerSpec;

bool same_pattern(const DomainPattern& a, const DomainPattern& b) {
  return a.kind == b.kind && a.name == b.name && a.wildcard == b.wildcard;
}

}  // namespace

// Plain suffix matches rank above wildcard ones of the same length (hence the *2).
int domain_match_score(const DomainPattern& p, std::string_view n) {
  switch (p.kind) {
    case DomainPattern::Kind::Any:
      return -1;  // handled as a default server
    case DomainPattern::Kind::Unqualified:
      return (!n.empty() && n.find('.') == std::string_view::npos) ? 0 : -1;
    case DomainPattern::Kind::Suffix: {
      const std::string& d = p.name;
      if (n.size() < d.size() || n.substr(n.size() - d.size()) != d) return -1;
      if (p.wildcard) return static_cast<int>(d.size()) * 2;
      if (n.size() == d.size() || n[n.size() - d.size() - 1] == '.')
        return static_cast<int>(d.size()) * 2 + 1;
      return -1;
    }
  }
  return -1;
}

namespace {

bool is_ignored(const net::SocketAddr& a, const std::vector<net::SocketAddr>& ignore) {
  if (a.ip().is_unspecified()) return true;
  return std::find(ignore.begin(), ignore.end(), a) != ignore.end();
}

Upstream to_upstream(const ServerSpec& s) {
  uint32_t scope = 0;
  if (!s.scope_interface.empty()) scope = if_nametoindex(s.scope_interface.c_str());
  Upstream u;
  u.addr = net::SocketAddr(s.addr, s.port, scope);
  u.source_addr = s.source_addr;
  u.source_port = s.source_port;
  u.interface = s.interface;
  return u;
}

}  // namespace

std::string lower_name_text(const proto::dns::Name& name) {
  std::string t = name.to_text();
  for (auto& c : t) c = text::ascii_lower(c);
  return t;
}

ServerTable ServerTable::build(const std::vector<ServerSpec>& specs,
                               const std::vector<net::SocketAddr>& resolv,
                               const std::vector<net::SocketAddr>& ignore,
                               const std::vector<net::SocketAddr>& looped) {
  ServerTable t;
  auto add_default = [&t, &looped](const Upstream& u) {
    const bool loops = std::find(looped.begin(), looped.end(), u.addr) != looped.end();
    t.default_listing_.emplace_back(u.addr, loops);
    if (!loops) t.groups_[0].servers.push_back(u);
  };
  t.groups_.push_back(ServerGroup{0, {}});
  auto entry_for = [&t](const DomainPattern& p) -> DomainEntry* {
    for (auto& e : t.entries_)
      if (same_pattern(e.pattern, p)) return &e;
    return nullptr;
  };
  for (const auto& s : specs) {
    bool is_default = s.domains.empty();
    for (const auto& d : s.domains)
      if (d.kind == DomainPattern::Kind::Any) is_default = true;
    if (is_default && s.kind == ServerSpec::Kind::Upstream) {
      Upstream u = to_upstream(s);
      if (!is_ignored(u.addr, ignore)) add_default(u);
    }
    for (const auto& d : s.domains) {
      if (d.kind == DomainPattern::Kind::Any) continue;
      DomainEntry* e = entry_for(d);
      if (!e) {
        t.entries_.push_back(DomainEntry{d, DomainEntry::Action::UseDefault, 0, false, false});
        e = &t.entries_.back();
      }
      switch (s.kind) {
        case ServerSpec::Kind::Local:
          e->has_local = true;
          break;
        case ServerSpec::Kind::UseDefault:
          e->has_use_default = true;
          break;
        case ServerSpec::Kind::Upstream: {
          Upstream u = to_upstream(s);
          if (is_ignored(u.addr, ignore)) break;
          if (e->group == 0) {
            const auto gid = static_cast<uint32_t>(t.groups_.size());
            t.groups_.push_back(ServerGroup{gid, {}});
            e->group = gid;
          }
          t.groups_[e->group].servers.push_back(u);
          break;
        }
      }
    }
  }
  // Priority within one domain: no address (local only) > "#" (default servers) > upstreams.
  for (auto& e : t.entries_) {
    if (e.has_local)
      e.action = DomainEntry::Action::Local;
    else if (e.has_use_default || e.group == 0)
      e.action = DomainEntry::Action::UseDefault;
    else
      e.action = DomainEntry::Action::Group;
  }
  for (const auto& r : resolv) {
    if (is_ignored(r, ignore)) continue;
    Upstream u;
    u.addr = r;
    u.from_resolv = true;
    add_default(u);
  }
  return t;
}

const ServerTable::DomainEntry* ServerTable::best_entry(std::string_view n, int& best_score) const {
  const DomainEntry* best = nullptr;
  best_score = -1;
  for (const auto& e : entries_) {
    int s = domain_match_score(e.pattern, n);
    if (s > best_score) {
      best_score = s;
      best = &e;
    }
  }
  return best;
}

Route ServerTable::route(const proto::dns::Name& name) const {
  Route r;
  r.group = &groups_[0];
  if (entries_.empty()) return r;  // no domain-specific servers: no text to make
  const DomainEntry* e = best_entry(lower_name_text(name), r.score);
  if (!e) return r;
  switch (e->action) {
    case DomainEntry::Action::Local:
      r.kind = Route::Kind::LocalOnly;
      r.domain_specific = true;
      break;
    case DomainEntry::Action::UseDefault:
      break;
    case DomainEntry::Action::Group:
      r.group = &groups_[e->group];
      r.domain_specific = true;
      break;
  }
  return r;
}

std::vector<std::string> ServerTable::describe() const {
  std::vector<std::string> out;
  for (const auto& [addr, loops] : default_listing_)
    out.push_back(loops ? "NOT using nameserver " + addr.to_string() + " - query loop detected"
                        : "using nameserver " + addr.to_string());
  for (const auto& e : entries_) {
    std::string dom = e.pattern.kind == DomainPattern::Kind::Unqualified
                          ? std::string("unqualified names")
                          : (e.pattern.wildcard ? "*" : "") + e.pattern.name;
    switch (e.action) {
      case DomainEntry::Action::Local:
        out.push_back("using only locally-known addresses for " + dom);
        break;
      case DomainEntry::Action::UseDefault:
        out.push_back("using standard nameservers for " + dom);
        break;
      case DomainEntry::Action::Group:
        for (const auto& s : groups_[e.group].servers)
          out.push_back("using nameserver " + s.addr.to_string() + " for domain " + dom);
        break;
    }
  }
  return out;
}

std::vector<net::SocketAddr> parse_resolv_conf(std::string_view contents) {
  std::vector<net::SocketAddr> out;
  for (auto line : text::split(contents, '\n')) {
    line = text::trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    size_t sp = 0;
    while (sp < line.size() && !text::is_space(line[sp])) ++sp;
    if (line.substr(0, sp) != "nameserver") continue;
    auto rest = text::trim(line.substr(sp));
    size_t end = 0;
    while (end < rest.size() && !text::is_space(rest[end]) && rest[end] != '#' && rest[end] != ';')
      ++end;
    auto word = rest.substr(0, end);
    uint32_t scope = 0;
    if (auto pct = word.find('%'); pct != std::string_view::npos) {
      std::string ifname(word.substr(pct + 1));
      word = word.substr(0, pct);
      scope = if_nametoindex(ifname.c_str());
      if (scope == 0) continue;
    }
    auto ip = IpAddr::parse(word);
    if (!ip) continue;
    out.emplace_back(*ip, 53, scope);
  }
  return out;
}

}  // namespace masqd::dns
