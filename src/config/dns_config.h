// DNS-side settings: listening, forwarding, cache, local data, filters, DNSSEC,
// authoritative zones and integrations (ipset, nftset, DBus ...). Plain validated values
// filled in by the parsers in dns_parsers_*.cc; no behaviour and no I/O here.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/domain_set.h"
#include "base/ip.h"

namespace masqd::config {

// A domain as written in /dom/ lists (server, local, address, ipset, nftset, rebind-domain-ok).
struct DomainPattern {
  enum class Kind : uint8_t {
    Suffix,       // "dom": dom itself and every name under it
    Unqualified,  // "//" (an empty entry): names without a dot
    Any,          // "#": every name (same as giving no domain)
  };
  Kind kind = Kind::Suffix;
  std::string name;       // Suffix only: lower case, no leading or trailing dot
  bool wildcard = false;  // "*dom": also names that merely end in `name`, not at a dot
  auto operator<=>(const DomainPattern&) const = default;
};

// One upstream/local entry from --server, --local or --rev-server (a server given as a
// host name becomes one entry per resolved address).
struct ServerSpec {
  enum class Kind : uint8_t {
    Upstream,    // forward to `addr`
    Local,       // no address: answer from local data only (NXDOMAIN/NODATA otherwise)
    UseDefault,  // "#": treat the domains as if no entry existed (use the default servers)
  };
  enum class Source : uint8_t { Server, Local, RevServer };
  Kind kind = Kind::Upstream;
  Source from = Source::Server;
  std::vector<DomainPattern> domains;  // empty: a default (non-domain) server
  IpAddr addr;                         // Upstream only
  uint16_t port = 53;                  // "#" with no digits gives 0, exactly as dnsmasq
  std::string scope_interface;         // IPv6 "%iface" (checked to exist at parse time)
  std::string hostname;                // as written, when `addr` came from a name lookup
  std::optional<IpAddr> source_addr;   // "@src-ip": fixed source address
  uint16_t source_port = 0;            // "@src-ip#port" (0: not fixed)
  std::string interface;               // "@iface": SO_BINDTODEVICE
  std::optional<IpPrefix> rev_prefix;  // RevServer: the prefix the domains were made from
};

// --domain / --domain-suffix: a DHCP/expand-hosts domain, optionally only for some addresses.
struct DomainRule {
  enum class Scope : uint8_t { Everywhere, Prefix, Range, Interface };
  std::string domain;  // as written (may be "#": read from resolv.conf by finalize_dns)
  Scope scope = Scope::Everywhere;
  IpPrefix prefix;         // Prefix
  IpAddr start, end;       // Range
  std::string interface;   // Interface
  bool local = false;      // ",local": also --local=/domain/ and the reverse zone
};

// --address=/dom/.../[ip|#]
struct AddressRule {
  enum class Kind : uint8_t { Literal, AllZeros /* "#" */, NoAnswer /* empty: NXDOMAIN */ };
  std::vector<DomainPattern> domains;  // empty: no /dom/ part was given
  Kind kind = Kind::NoAnswer;
  IpAddr addr;  // Literal
};

// Every --address entry, stored compactly (ad-blocking lists have millions).
// Entries of one plain domain name (no "*" wildcard, "#" or "//" part), up to the first entry
// of any other form, are hashed as they are read instead of being stored, 16 bytes a name:
// plain_set() maps each such domain to a row of plain_rows(), the answers given for that
// domain in config order (indices for answer()). Every other entry is kept in order, domain
// names in one text arena and 16 bytes per domain, and read back with for_each_domain (or
// operator[]); all of them come after the plain ones, so config order is kept.
class AddressRuleList {
 public:
  struct DomainView {
    DomainPattern::Kind kind = DomainPattern::Kind::Suffix;
    std::string_view name;  // Suffix only
    bool wildcard = false;
    DomainPattern to_pattern() const { return DomainPattern{kind, std::string(name), wildcard}; }
  };
  struct Answer {
    AddressRule::Kind kind = AddressRule::Kind::NoAnswer;
    IpAddr addr;  // Literal
    bool operator==(const Answer&) const = default;
  };

  AddressRuleList();
  AddressRuleList(std::initializer_list<AddressRule> rules);
  AddressRuleList(const std::vector<AddressRule>& rules);  // NOLINT: implicit on purpose
  AddressRuleList(AddressRuleList&&) noexcept = default;
  AddressRuleList& operator=(AddressRuleList&&) noexcept = default;
  AddressRuleList(const AddressRuleList& other);
  AddressRuleList& operator=(const AddressRuleList& other);

  void push_back(const AddressRule& rule);
  // The same as push_back of a rule with one Suffix domain `name` (already lower case), no
  // wildcard, and this answer.
  void push_domain(std::string_view name, AddressRule::Kind kind, const IpAddr& addr);
  size_t size() const { return rules_; }
  bool empty() const { return rules_ == 0; }

  // Ends reading: builds plain_set() from the plain entries. finalize_dns calls it, and so
  // do the constructors from a list of rules. Entries added after it are kept in order.
  void finish();
  // Empty until finish().
  const std::shared_ptr<const DomainSet>& plain_set() const { return plain_set_; }
  const std::vector<std::vector<uint32_t>>& plain_rows() const { return plain_->rows; }
  const Answer& answer(uint32_t i) const { return answers_[i]; }
  // The answers given for exactly this plain domain, in config order (after finish()).
  std::vector<Answer> plain_answers(std::string_view domain) const;
  // Room for about `names` more plain entries.
  void reserve_plain(size_t names);

  // The entries kept in order (not the plain ones): entry i of them, materialised (tests).
  AddressRule operator[](size_t i) const;
  size_t domain_count() const { return items_.size(); }
  // fn(rule index, DomainView, const Answer&) for every domain of every entry kept in order;
  // an entry written without any /dom/ part comes as one DomainView of kind Any.
  template <class Fn>
  void for_each_domain(Fn&& fn) const {
    for (const auto& it : items_)
      fn(size_t{it.rule}, view(it), answers_[it.answer]);
  }
  void clear();  // and free the memory

 private:
  struct Item {
    uint32_t name_off = 0;
    uint32_t rule = 0;
    uint32_t answer = 0;
    uint8_t name_len = 0;
    uint8_t kind = 0;
    uint8_t wildcard = 0;
    uint8_t no_domain = 0;
  };
  // The plain entries being read. On the heap so that the builder's merge function can
  // point at it while the list moves.
  struct Plain {
    DomainSet::Builder builder;
    std::vector<std::vector<uint32_t>> rows;     // answers per domain, in config order
    std::vector<uint32_t> single_row;            // answer index -> its one-answer row (or ~0)
    std::map<std::vector<uint32_t>, uint32_t> combined;  // rows of several answers
    size_t added = 0;                                    // entries given to the builder
    uint32_t row_for(uint32_t answer);
    uint32_t merge(uint32_t row, uint32_t incoming_row);
  };
  DomainView view(const Item& it) const {
    return DomainView{it.no_domain ? DomainPattern::Kind::Any : static_cast<DomainPattern::Kind>(it.kind),
                      std::string_view(names_).substr(it.name_off, it.name_len), it.wildcard != 0};
  }
  uint32_t intern(const Answer& a);
  void push_item(uint32_t rule, uint32_t answer, const DomainPattern* d);

  std::unique_ptr<Plain> plain_;
  std::shared_ptr<const DomainSet> plain_set_;
  bool in_order_ = false;  // an entry of another form was read: every later one is kept in order
  bool finished_ = false;
  std::string names_;
  std::vector<Item> items_;
  std::vector<Answer> answers_;
  size_t rules_ = 0;
};

struct HostRecord {  // --host-record
  std::vector<std::string> names;
  std::vector<IpAddr> addrs;
  std::optional<uint32_t> ttl;  // default: local-ttl
};

struct CnameRecord {  // --cname (one row per alias)
  std::string alias;
  std::string target;
  std::optional<uint32_t> ttl;
};

struct MxRecord {  // --mx-host
  std::string name;
  std::string target;  // empty: --mx-target or this host's name
  uint16_t preference = 1;
};

struct TxtRecord {  // --txt-record
  std::string name;
  std::vector<std::string> strings;  // one per comma-separated item, unsplit
};

struct PtrRecord {  // --ptr-record
  std::string name;
  std::string target;  // may be empty
};

struct SrvRecord {  // --srv-host
  std::string name;
  std::string target;  // empty: "service not offered"
  uint16_t port = 1;
  uint16_t priority = 0;
  uint16_t weight = 0;
};

struct NaptrRecord {  // --naptr-record
  std::string name;
  uint16_t order = 0, preference = 0;
  std::string flags, service, regexp, replacement;
};

struct CaaRecord {  // --caa-record
  std::string name;
  int32_t flags = 0;
  std::string tag, value;
};

struct RawRecord {  // --dns-rr
  std::string name;
  uint16_t type = 0;
  std::vector<uint8_t> rdata;
};

struct InterfaceName {  // --interface-name
  std::string name;
  std::string interface;
  enum class Family : uint8_t { Both, V4, V6 } family = Family::Both;
};

struct SynthDomain {  // --synth-domain
  std::string domain;
  bool is_range = false;
  IpPrefix prefix;      // !is_range
  IpAddr start, end;    // is_range
  std::string name_prefix;
  bool sequential = false;  // prefix written with a trailing '*'
};

struct DynamicHost {  // --dynamic-host
  std::string name;
  std::optional<IpAddr> v4, v6;
  std::string interface;
};

struct AddressAlias {  // --alias (IPv4 only)
  IpAddr start, end;  // end == start for a single address
  IpAddr target;
  IpAddr mask;        // default 255.255.255.255
};

struct TrustAnchor {  // --trust-anchor (DS form)
  std::string domain;
  uint16_t dns_class = 1;  // IN=1, CH=3, HS=4
  uint16_t key_tag = 0;
  uint8_t algorithm = 0;
  uint8_t digest_type = 0;
  std::vector<uint8_t> digest;
};

struct AuthSubnet {  // one subnet/interface/exclude item of --auth-zone or --auth-server
  enum class Kind : uint8_t { Prefix, Interface };
  Kind kind = Kind::Prefix;
  IpPrefix prefix;
  std::string interface;
  enum class Family : uint8_t { Both, V4, V6 } family = Family::Both;
};

struct AuthZone {
  std::string domain;
  std::vector<AuthSubnet> subnets;
  std::vector<AuthSubnet> excludes;
};

struct IpsetRule {  // --ipset and --nftset
  std::vector<DomainPattern> domains;
  std::vector<std::string> sets;  // as written: "name" or "[4#|6#][family#]table#set"
};

struct ConnmarkAllowlist {
  uint32_t mark = 0;
  uint32_t mask = 0xffffffff;
  std::vector<std::string> patterns;  // empty: only the mark was given
};

struct DnsConfig {
  // (b) listening
  uint16_t port = 53;  // 0: DNS off
  std::vector<IpAddr> listen_addresses;
  std::vector<std::string> interfaces;         // "" = loopback only (from "interface=")
  std::vector<std::string> except_interfaces;
  std::vector<std::string> no_dhcp_interfaces;
  std::vector<std::string> no_dhcpv4_interfaces;
  std::vector<std::string> no_dhcpv6_interfaces;
  bool bind_interfaces = false;
  bool bind_dynamic = false;
  enum class LocalService : uint8_t { Off, Net, Host };
  LocalService local_service = LocalService::Off;  // finalize_dns turns it off with -i/-I/-a

  // (c) forwarding
  std::vector<ServerSpec> servers;      // --server, --local, --rev-server in order given
  bool resolv_files_given = false;      // false: /etc/resolv.conf
  std::vector<std::string> resolv_files;  // named files in order given (empty values dropped)
  bool no_resolv = false;
  bool no_poll = false;
  bool strict_order = false;
  bool all_servers = false;
  bool clear_on_reload = false;
  bool dns_loop_detect = false;
  int32_t dns_forward_max = 150;  // stored as dnsmasq's C int (huge values wrap)
  uint16_t edns_packet_max = 1232;
  std::optional<uint16_t> query_port;
  std::optional<uint16_t> min_port, max_port;
  int32_t port_limit = 1;
  int32_t max_tcp_connections = 20;
  std::optional<std::chrono::milliseconds> fast_dns_retry;  // first retry delay
  std::chrono::milliseconds fast_dns_retry_total{10000};
  enum class AddMac : uint8_t { Off, Binary, Base64, Text };
  AddMac add_mac = AddMac::Off;
  bool strip_mac = false;
  bool add_subnet = false;
  std::optional<IpAddr> add_subnet_v4_addr, add_subnet_v6_addr;
  int32_t add_subnet_v4_len = 0, add_subnet_v6_len = 0;
  bool strip_subnet = false;
  std::optional<std::string> add_cpe_id;
  bool umbrella = false;
  std::optional<uint32_t> umbrella_org_id, umbrella_asset_id;
  std::optional<std::string> umbrella_device_id;  // 16 hex digits
  bool do_0x20_encode = false;
  bool no_0x20_encode = false;

  // (d) cache
  int32_t cache_size = 150;  // clamped to [0, 5000000]
  bool cache_size_warn = false;  // > 10000: dnsmasq logs a performance warning
  std::optional<std::chrono::seconds> neg_ttl;
  std::optional<std::chrono::seconds> max_ttl;
  std::optional<std::chrono::seconds> min_cache_ttl;  // at most 3600
  std::optional<std::chrono::seconds> max_cache_ttl;
  bool no_negcache = false;
  bool no_round_robin = false;
  std::optional<std::chrono::seconds> use_stale_cache;  // 0: no limit
  std::vector<uint16_t> cache_rr;

  // (e) local data
  bool no_hosts = false;
  std::vector<std::string> addn_hosts;
  std::vector<std::string> hostsdirs;
  bool expand_hosts = false;
  std::vector<DomainRule> domains;
  AddressRuleList addresses;
  std::vector<HostRecord> host_records;
  std::vector<DynamicHost> dynamic_hosts;
  std::vector<CnameRecord> cnames;
  std::vector<MxRecord> mx_records;
  std::optional<std::string> mx_target;
  bool selfmx = false;
  bool localmx = false;
  std::vector<SrvRecord> srv_records;
  std::vector<TxtRecord> txt_records;
  std::vector<PtrRecord> ptr_records;
  std::vector<NaptrRecord> naptr_records;
  std::vector<CaaRecord> caa_records;
  std::vector<RawRecord> raw_records;
  std::vector<InterfaceName> interface_names;
  std::vector<SynthDomain> synth_domains;
  bool localise_queries = false;
  std::chrono::seconds local_ttl{0};
  std::optional<std::chrono::seconds> dhcp_ttl;
  bool no_ident = false;

  // (f) filtering
  bool domain_needed = false;
  bool bogus_priv = false;
  std::vector<IpPrefix> bogus_nxdomain;
  std::vector<IpPrefix> ignore_addresses;
  bool stop_dns_rebind = false;
  bool rebind_localhost_ok = false;
  std::vector<DomainPattern> rebind_domain_ok;
  bool filterwin2k = false;
  bool filter_a = false;
  bool filter_aaaa = false;
  std::vector<uint16_t> filter_rr;
  std::vector<AddressAlias> aliases;

  // (g) DNSSEC
  bool dnssec = false;
  std::vector<TrustAnchor> trust_anchors;
  bool dnssec_check_unsigned = true;
  bool dnssec_no_timecheck = false;
  std::optional<std::string> dnssec_timestamp;
  bool proxy_dnssec = false;
  bool dnssec_debug = false;
  // sig-fail per RRset, crypto ops, sub-queries, NSEC3 iterations; 0 keeps the default.
  int32_t dnssec_limits[4] = {20, 200, 40, 150};

  // (h) authoritative
  std::optional<std::string> auth_server;  // primary NS name
  std::vector<AuthSubnet> auth_server_on;  // interfaces/addresses answered authoritatively
  std::vector<AuthZone> auth_zones;
  std::chrono::seconds auth_ttl{600};
  uint32_t auth_soa_serial = 0;  // 0: start-up time
  std::string auth_hostmaster;
  uint32_t auth_soa_refresh = 1200, auth_soa_retry = 180, auth_soa_expiry = 1209600;
  std::vector<std::string> auth_sec_servers;
  std::vector<IpAddr> auth_peers;

  // (l) integrations
  std::vector<IpsetRule> ipsets;
  std::vector<IpsetRule> nftsets;
  bool conntrack = false;
  std::optional<uint32_t> connmark_allowlist_mask;  // set: --connmark-allowlist-enable
  std::vector<ConnmarkAllowlist> connmark_allowlists;
  std::optional<std::string> dbus_service;  // set: --enable-dbus ("" → default name)
  std::optional<std::string> ubus_name;
  std::optional<std::string> dumpfile;
  uint32_t dumpmask = 0;  // 0: everything
};

}  // namespace masqd::config
