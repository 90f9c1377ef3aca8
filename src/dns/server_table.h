// ServerTable: the upstream servers (from --server/--local and resolv.conf) and the
// routing of a query name to a server group by longest domain-suffix match. Pure data and
// lookups; no sockets. Also the resolv.conf reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "config/dns_config.h"
#include "net/socket_addr.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

// One upstream to send queries to.
struct Upstream {
  net::SocketAddr addr;
  std::optional<IpAddr> source_addr;  // "@src-ip": bind the query socket to it
  uint16_t source_port = 0;           // "@src-ip#port" (0: OS-chosen, random)
  std::string interface;              // "@iface": SO_BINDTODEVICE
  bool from_resolv = false;
  auto operator<=>(const Upstream&) const = default;
};

// Servers tried in order for one set of names. `id` identifies the group in merge keys.
struct ServerGroup {
  uint32_t id = 0;
  std::vector<Upstream> servers;
};

struct Route {
  enum class Kind : uint8_t {
    Forward,    // send to `group` (may be empty: then REFUSED)
    LocalOnly,  // --local=/dom/ or --server=/dom/ without address: answer locally (NXDOMAIN)
  };
  Kind kind = Kind::Forward;
  const ServerGroup* group = nullptr;
  bool domain_specific = false;  // a /domain/ entry matched (overrides --bogus-priv)
  int score = -1;                // the matching entry's domain_match_score (-1: none)
};

// How well a --server/--local/--address domain pattern matches a lower-case name without
// trailing dot: -1 for no match, else larger for longer matches (0 for "//"); a plain
// suffix ranks above a "*dom" wildcard of the same length.
int domain_match_score(const config::DomainPattern& p, std::string_view lower_name);

class ServerTable {
 public:
  // `resolv` are the servers read from resolv files (port 53), appended to the default
  // group after the configured non-domain servers. Servers in `ignore` (our own listening
  // addresses) and 0.0.0.0 / :: are left out.
  // Default servers in `looped` (--dns-loop-detect saw their probe come back) are left
  // out too, and listed by describe() as "NOT using nameserver ... - query loop detected".
  static ServerTable build(const std::vector<config::ServerSpec>& specs,
                           const std::vector<net::SocketAddr>& resolv,
                           const std::vector<net::SocketAddr>& ignore = {},
                           const std::vector<net::SocketAddr>& looped = {});

  // Longest whole-label suffix match (a "*dom" entry matches any name ending in dom; a plain
  // entry of the same length wins); "//" entries match names without a dot; otherwise the
  // default group. `name` is the query name as received (case is ignored).
  Route route(const proto::dns::Name& name) const;

  const ServerGroup& default_group() const { return groups_[0]; }
  const std::vector<ServerGroup>& groups() const { return groups_; }
  // For start-up logging: "using nameserver 1.2.3.4#53" style descriptions.
  std::vector<std::string> describe() const;

 private:
  struct DomainEntry {
    config::DomainPattern pattern;
    enum class Action : uint8_t { Group, Local, UseDefault } action = Action::Group;
    size_t group = 0;  // Action::Group
    bool has_local = false, has_use_default = false;
  };
  const DomainEntry* best_entry(std::string_view lower_name, int& score) const;

  std::vector<ServerGroup> groups_;  // [0] = default servers
  // The default servers in order, each with whether it is left out as looping (describe()).
  std::vector<std::pair<net::SocketAddr, bool>> default_listing_;
  std::vector<DomainEntry> entries_;
};

// Reads resolv.conf text: every "nameserver <ip>[%scope]" line gives a server on port 53.
// Other lines, comments and bad addresses are skipped. IPv6 scopes must name an existing
// interface (else the line is skipped).
std::vector<net::SocketAddr> parse_resolv_conf(std::string_view text);

// Lower-case presentation form without trailing dot, as used for domain matching.
std::string lower_name_text(const proto::dns::Name& name);

}  // namespace masqd::dns
