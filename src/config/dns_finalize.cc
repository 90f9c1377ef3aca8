#include "config/dns_finalize.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "base/text.h"
#include "config/config.h"
#include "config/dns_parse_util.h"

namespace masqd::config {

namespace {

constexpr const char* kDefaultResolvFile = "/etc/resolv.conf";

// dnsmasq walks its alias list newest first and follows each chain; a chain longer than
// the number of aliases can only be a loop, reported under the alias it started from.
Result<void> check_cname_loops(const DnsConfig& dns) {
  const auto& cnames = dns.cnames;
  auto find_alias = [&cnames](const std::string& name) -> const CnameRecord* {
    for (const auto& c : cnames)
      if (text::iequals(c.alias, name)) return &c;
    return nullptr;
  };
  for (auto it = cnames.rbegin(); it != cnames.rend(); ++it) {
    const CnameRecord* cur = &*it;
    for (size_t steps = 0; cur; ++steps) {
      if (steps > cnames.size()) return make_error("CNAME loop involving " + it->alias, 1);
      cur = find_alias(cur->target);
    }
  }
  return ok();
}

std::vector<std::string> effective_resolv_files(const DnsConfig& dns) {
  if (!dns.resolv_files_given) return {kDefaultResolvFile};
  return dns.resolv_files;
}

// The first domain of the first "search" line, as dnsmasq takes it for --domain=#.
Result<std::string> search_domain_from(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("failed to read " + path + ": " + std::strerror(errno), 3);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && text::is_space(line[i])) ++i;
      size_t start = i;
      while (i < line.size() && !text::is_space(line[i])) ++i;
      if (i > start) words.push_back(line.substr(start, i - start));
    }
    if (words.size() >= 2 && words[0] == "search") return words[1];
  }
  return make_error("no search directive found in " + path, 5);
}

Result<void> resolve_domain_from_resolv(DnsConfig& dns) {
  for (auto& rule : dns.domains) {
    if (rule.scope != DomainRule::Scope::Everywhere || rule.domain != "#") continue;
    auto files = effective_resolv_files(dns);
    if (dns.no_resolv || files.size() != 1)
      return make_error("must have exactly one resolv.conf to read domain from.", 1);
    auto domain = search_domain_from(files.front());
    if (!domain) return domain.error();
    rule.domain = *domain;
  }
  return ok();
}

}  // namespace

Result<void> finalize_dns(Config& config) {
  DnsConfig& dns = config.dns;
  dns.addresses.finish();
  if (!dns.interfaces.empty() || !dns.except_interfaces.empty() || !dns.listen_addresses.empty() ||
      dns.auth_server)
    dns.local_service = DnsConfig::LocalService::Off;
  if (auto r = check_cname_loops(dns); !r) return r;
  // --domain=dom,addr/len,local is --local=/dom/ plus --local for the prefix's reverse
  // zones (dnsmasq 2.90 lists them last first); with a range "local" does nothing, as in
  // 2.90. The interface form is applied when hosts files are read (ExpandDomains).
  for (const auto& rule : dns.domains) {
    if (rule.local && rule.scope == DomainRule::Scope::Prefix && rule.domain != "#") {
      auto add_local = [&dns](std::string name) {
        ServerSpec spec;
        spec.kind = ServerSpec::Kind::Local;
        spec.from = ServerSpec::Source::Local;
        spec.domains.push_back(DomainPattern{DomainPattern::Kind::Suffix, std::move(name), false});
        dns.servers.push_back(std::move(spec));
      };
      std::string dom = rule.domain;
      for (auto& ch : dom) ch = text::ascii_lower(ch);
      add_local(dom);
      auto zones = dnsopt::reverse_zones(rule.prefix);
      for (auto it = zones.rbegin(); it != zones.rend(); ++it) add_local(*it);
    }
  }
  if (dns.no_poll && !dns.no_resolv && dns.resolv_files.size() > 1)
    return make_error("only one resolv.conf file allowed in no-poll mode.", 1);
  return resolve_domain_from_resolv(dns);
}

}  // namespace masqd::config
