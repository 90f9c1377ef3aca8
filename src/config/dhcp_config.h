// DHCPv4, DHCPv6, router advertisement, TFTP and PXE settings: the typed result of the
// dhcp-* / tftp-* / pxe-* / ra-param options. Lists keep config order (first given first).
// Not for parsing (see options_dhcp.cc and dhcp_parsers_*.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/ip.h"

namespace masqd::config {

// Lease lengths as dnsmasq keeps them: 32-bit seconds; all-ones means "infinite".
using LeaseSeconds = std::chrono::duration<uint32_t>;
inline constexpr LeaseSeconds kInfiniteLease{0xffffffffu};
inline constexpr LeaseSeconds kDefaultLease4{3600};    // dhcp-range IPv4 default: 1 hour
inline constexpr LeaseSeconds kDefaultLease6{86400};   // dhcp-range IPv6 default: 1 day
inline constexpr LeaseSeconds kMinLease{120};          // shorter values are raised to this

// A tag condition list ("tag:a,tag:!b"): names as written after the prefix; a leading '!'
// means "not set". An empty list matches every request.
using TagList = std::vector<std::string>;

// A hardware-address pattern (dhcp-host, dhcp-mac): bytes, per-byte wildcard ('*') marks,
// and the ARP hardware type from an "HH-" prefix (0 = any / not given).
struct HwAddrPattern {
  std::vector<uint8_t> bytes;
  std::vector<bool> wildcard;  // same size as bytes
  int hw_type = 0;
};

struct DhcpRange {
  bool is_v6 = false;
  IpAddr start;
  IpAddr end;
  // IPv4 only.
  std::optional<IpAddr> netmask;
  std::optional<IpAddr> broadcast;
  bool proxy = false;        // "proxy": PXE proxy-DHCP only
  // IPv6 only.
  uint8_t prefix_len = 64;   // 0 for the "::" (stateless on any subnet) form
  bool dhcp6 = false;        // addresses are handed out by DHCPv6 (end given, static, stateless)
  bool ra_only = false;      // "ra-only" / "slaac" (and implied by every ra-* mode)
  bool ra_names = false;
  bool ra_advrouter = false;
  bool ra_stateless = false;
  bool off_link = false;
  bool deprecated = false;   // "deprecated": advertise with preferred lifetime 0
  bool constructor = false;       // "constructor:<iface>": addresses built from the iface
  std::string constructor_iface;
  // Both families.
  bool static_only = false;  // "static"
  LeaseSeconds lease{0};     // kDefaultLease4 / kDefaultLease6 unless lease_set
  bool lease_set = false;
  TagList tags;              // "tag:" conditions for using this range
  std::string set_tag;       // "set:" tag (or bare name) given to clients of this range
};

struct DhcpHostAddr6 {
  IpAddr addr;
  std::optional<uint8_t> prefix_len;  // "[addr/len]": a block, one address per client
  bool wildcard = false;              // network half all zero: host part for constructed ranges
};

struct DhcpHost {
  std::vector<HwAddrPattern> macs;
  std::optional<std::vector<uint8_t>> client_id;  // "id:" hex or text
  bool ignore_client_id = false;                  // "id:*"
  std::vector<std::string> set_tags;              // "set:" / "net:"
  TagList tags;                                   // "tag:" conditions
  std::optional<IpAddr> addr4;
  std::vector<DhcpHostAddr6> addrs6;
  std::string hostname;   // first label only
  std::string domain;     // rest of a dotted name, if any
  std::optional<LeaseSeconds> lease;
  bool ignore = false;
};

// How a --dhcp-option value was understood; decides rewriting at send time.
enum class DhcpOptionValueKind : uint8_t {
  None,          // no value given: send an empty option (suppresses a default)
  Addr4,         // IPv4 list; 0.0.0.0 may be rewritten to our address
  Addr4Fixed,    // IPv4 with /len descriptors or RFC 3361 encoding: bytes sent as-is
  Addr6,         // IPv6 list; [::], [fd00::], [fe80::] may be rewritten
  Hex,           // colon-separated hex (may hold wildcards in dhcp-match)
  Number,        // decimal, big-endian in `value`
  Time,          // 4-byte seconds from a time value with optional suffix
  String,        // text bytes
  Names,         // RFC 1035 encoded name list (DHCPv4 119/120, DHCPv6 name options)
  CountedStrings // DHCPv6 OT_CSTRING list (2-byte length + bytes each)
};

struct DhcpOption {
  bool is_v6 = false;
  int code = 0;                     // as dnsmasq's atoi gives it (not range checked)
  bool force = false;               // --dhcp-option-force
  bool pxe_only = false;            // --dhcp-option-pxe
  TagList tags;
  std::optional<std::string> vendor_class;  // "vendor:<class>" (option 43 sub-option)
  std::optional<int> encap;                 // "encap:<n>"
  std::optional<int> vi_encap;              // "vi-encap:<enterprise>" (RFC 3925)
  DhcpOptionValueKind kind = DhcpOptionValueKind::None;
  std::vector<uint8_t> value;       // encoded payload
  std::vector<bool> wildcard;       // per byte, for Hex values of dhcp-match
};

// dhcp-match: set `tag` when the client sent `option` (and its value, if any).
struct DhcpMatch {
  std::string tag;
  DhcpOption option;
};

enum class DhcpClassKind : uint8_t { VendorClass, UserClass, CircuitId, RemoteId, SubscriberId };

// dhcp-vendorclass / -userclass / -circuitid / -remoteid / -subscrid.
struct DhcpClassMatch {
  DhcpClassKind kind = DhcpClassKind::VendorClass;
  std::string tag;
  int enterprise = 0;          // "enterprise:<n>" (vendorclass, DHCPv6)
  std::vector<uint8_t> data;   // text, or bytes when given as hex (relay-agent ids)
};

struct DhcpMacMatch {
  std::string tag;
  HwAddrPattern pattern;
};

struct DhcpNameMatch {
  std::string tag;
  std::string name;
  bool prefix = false;  // trailing '*'
};

struct DhcpTagIf {
  std::vector<std::string> set;
  TagList conditions;
};

struct DhcpBoot {
  TagList tags;
  std::string file;
  std::string server_name;
  std::optional<IpAddr> next_server;   // third field when it is an address
  std::string tftp_server_name;        // third field when it is a name
};

struct PxeService {
  TagList tags;
  int csa = 0;             // client system architecture
  std::string menu_text;
  int type = 0;            // 0 = local boot; >= 32768 assigned for basename entries
  std::string basename;    // empty for local boot or numeric type
  std::optional<IpAddr> server;
  std::string server_name;
};

struct PxePrompt {
  TagList tags;
  std::string prompt;
  uint8_t timeout = 255;   // 255 = wait for the user
};

struct DhcpRelay {
  IpAddr local;
  std::optional<IpAddr> server;  // absent: broadcast (v4) / all-servers multicast (v6)
  uint16_t port = 0;             // server port
  std::string interface;
};

struct DhcpBridge {
  std::string interface;
  std::vector<std::string> aliases;
};

struct DhcpSharedNetwork {
  std::optional<IpAddr> match_addr;  // relay/local address, or
  unsigned if_index = 0;             // interface index (name resolved at parse time)
  std::string if_name;
  IpAddr shared_addr;
};

struct RaParam {
  std::string interface;        // may hold wildcards
  int mtu = 0;                  // 0 = interface MTU, -1 = "off"
  std::string mtu_interface;    // "mtu:<iface>"
  int priority = 0;             // 0 medium, 0x08 high, 0x18 low (RFC 4191 encoding)
  int interval = 0;             // seconds, 0 = default
  int lifetime = -1;            // seconds, -1 = default
};

struct DhcpReplyDelay {
  TagList tags;
  int seconds = 0;
};

struct TftpRoot {
  std::string path;
  std::string interface;  // empty: the default root
};

enum class TftpUniqueRoot : uint8_t { Off, Ip, Mac };

struct DhcpConfig {
  std::vector<DhcpRange> ranges;
  std::vector<DhcpHost> hosts;
  std::vector<DhcpOption> options4;
  std::vector<DhcpOption> options6;
  std::vector<DhcpMatch> matches4;
  std::vector<DhcpMatch> matches6;
  std::vector<DhcpClassMatch> class_matches;
  std::vector<DhcpMacMatch> mac_matches;
  std::vector<DhcpNameMatch> name_matches;
  std::vector<DhcpTagIf> tag_ifs;
  std::vector<TagList> ignore;             // dhcp-ignore
  std::vector<TagList> ignore_names;       // dhcp-ignore-names (empty list = all)
  std::vector<TagList> generate_names;     // dhcp-generate-names
  std::vector<TagList> broadcast;          // dhcp-broadcast
  std::vector<TagList> bootp_dynamic;      // bootp-dynamic
  std::vector<DhcpBoot> boots;
  std::vector<PxeService> pxe_services;
  std::vector<PxePrompt> pxe_prompts;
  std::vector<std::string> pxe_vendors;
  int next_pxe_boot_type = 32768;

  std::vector<std::string> hosts_files;
  std::vector<std::string> opts_files;
  std::vector<std::string> hosts_dirs;
  std::vector<std::string> opts_dirs;
  bool read_ethers = false;

  std::string lease_file = "/var/lib/misc/dnsmasq.leases";
  bool lease_file_ro = false;
  int lease_max = 1000;
  bool authoritative = false;
  bool rapid_commit = false;
  bool no_ping = false;
  bool no_override = false;
  bool fqdn = false;
  bool client_update = false;
  bool sequential_ip = false;
  bool ignore_clid = false;
  std::optional<std::pair<uint16_t, uint16_t>> alternate_ports;  // server, client
  bool proxy_all_relays = false;            // dhcp-proxy without addresses
  std::vector<IpAddr> proxy_relays;
  std::vector<DhcpRelay> relays;
  std::vector<DhcpBridge> bridges;
  std::vector<DhcpSharedNetwork> shared_networks;
  std::vector<DhcpReplyDelay> reply_delays;

  std::string script;
  std::string lua_script;
  std::string script_user;
  bool script_arp = false;
  bool script_on_renewal = false;

  // DHCPv6 / RA.
  bool enable_ra = false;
  std::optional<int> duid_enterprise;
  std::vector<uint8_t> duid;
  std::vector<RaParam> ra_params;

  // TFTP.
  bool tftp_enabled = false;
  std::vector<std::string> tftp_interfaces;
  std::vector<TftpRoot> tftp_roots;
  TftpUniqueRoot tftp_unique_root = TftpUniqueRoot::Off;
  bool tftp_secure = false;
  bool tftp_no_fail = false;
  int tftp_max = 50;
  int tftp_mtu = 0;
  bool tftp_no_blocksize = false;
  bool tftp_lowercase = false;
  std::optional<std::pair<uint16_t, uint16_t>> tftp_port_range;
  bool tftp_single_port = false;

  // Newer than 2.90 (parsed, never acted on yet).
  std::vector<std::string> split_relays;   // dhcp-split-relay values as given
  bool leasequery = false;
  std::vector<IpPrefix> leasequery_from;
};

}  // namespace masqd::config
