// DHCPv4, DHCPv6, router advertisement, TFTP and PXE options. One row per option; the
// value parsers live in dhcp_parsers_*.cc (declared in dhcp_parsers.h).
#include <algorithm>

#include "config/config.h"
#include "config/dhcp_parsers.h"
#include "config/option_table.h"

namespace masqd::config {

namespace {

using namespace dhcp_parsers;

// Parser of a flag (no value) that switches one DhcpConfig field on.
template <bool DhcpConfig::*Field>
Result<void> set_flag(ParseContext& ctx, const OptArg*) {
  ctx.config.dhcp.*Field = true;
  return ok();
}

constexpr auto R = ArgShape::Required;
constexpr auto O = ArgShape::Optional;
constexpr auto N = ArgShape::None;
constexpr auto Many = Repeat::Many;
constexpr auto Once = Repeat::Once;
constexpr auto NotYet = Support::NotYet;
constexpr auto Built = Support::Built;

const OptionSpec kDhcpOptions[] = {
    // --- DHCPv4 / DHCPv6 address pools and hosts ---
    {"dhcp-range", 'F', R, Many, Built, "<ipaddr>,...",
     "Serve DHCP addresses from this range (or a v6 range / RA mode), with a lease time.",
     parse_dhcp_range},
    {"dhcp-host", 'G', R, Many, Built, "<hostspec>",
     "Fixed address, name, lease time or tags for a client known by MAC, client id or name.",
     parse_dhcp_host},
    {"dhcp-hostsfile", 0, R, Many, Built, "<path>",
     "Load dhcp-host lines from this file (or every file of this directory); re-read on SIGHUP.",
     parse_hosts_file},
    {"dhcp-optsfile", 0, R, Many, Built, "<path>",
     "Load dhcp-option lines from this file (or directory); re-read on SIGHUP.", parse_opts_file},
    {"dhcp-hostsdir", 0, R, Many, NotYet, "<path>",
     "Watch this directory for files of dhcp-host lines and load new ones as they appear.",
     parse_hosts_dir},
    {"dhcp-optsdir", 0, R, Many, NotYet, "<path>",
     "Watch this directory for files of dhcp-option lines and load new ones as they appear.",
     parse_opts_dir},
    {"read-ethers", 'Z', N, Many, Built, "",
     "Take static MAC-to-address bindings from /etc/ethers as well.",
     set_flag<&DhcpConfig::read_ethers>},
    // --- options sent to clients ---
    {"dhcp-option", 'O', R, Many, Built, "<optspec>",
     "Send this DHCP option (by number or name, optionally tagged or encapsulated) when asked.",
     parse_dhcp_option},
    {"dhcp-option-force", 0, R, Many, Built, "<optspec>",
     "Like dhcp-option, but send the option even when the client did not ask for it.",
     parse_dhcp_option_force},
    {"dhcp-option-pxe", 0, R, Many, NotYet, "<optspec>",
     "Like dhcp-option, but only for PXE clients and proxy replies (dnsmasq 2.93).",
     parse_dhcp_option_pxe},
    {"dhcp-no-override", 0, N, Many, Built, "",
     "Never reuse the BOOTP file and server-name fields to carry extra options.",
     set_flag<&DhcpConfig::no_override>},
    // --- tags ---
    {"tag-if", 0, R, Many, Built, "tag-expression",
     "Set the set: tags when every listed tag: condition holds (evaluated in order).",
     parse_tag_if},
    {"dhcp-vendorclass", 'U', R, Many, Built, "set:<tag>,<class>",
     "Tag clients whose vendor class contains this text.", parse_vendor_class},
    {"dhcp-userclass", 'j', R, Many, Built, "set:<tag>,<class>",
     "Tag clients whose user class contains this text.", parse_user_class},
    {"dhcp-circuitid", 0, R, Many, Built, "set:<tag>,<circuit>",
     "Tag requests relayed with this RFC 3046 circuit id.", parse_circuit_id},
    {"dhcp-remoteid", 0, R, Many, Built, "set:<tag>,<remote>",
     "Tag requests relayed with this RFC 3046 remote id.", parse_remote_id},
    {"dhcp-subscrid", 0, R, Many, Built, "set:<tag>,<remote>",
     "Tag requests relayed with this RFC 3993 subscriber id.", parse_subscriber_id},
    {"dhcp-mac", '4', R, Many, Built, "set:<tag>,<mac address>",
     "Tag clients whose hardware address matches this pattern ('*' bytes match anything).",
     parse_dhcp_mac},
    {"dhcp-match", 0, R, Many, Built, "set:<tag>,<optspec>",
     "Tag clients that send this option (and, if given, this value).", parse_dhcp_match},
    {"dhcp-name-match", 0, R, Many, Built, "set:<tag>,<string>[*]",
     "Tag clients that ask for this host name (a trailing '*' matches a prefix).",
     parse_name_match},
    {"dhcp-ignore", 'J', R, Many, Built, "tag:<tag>...",
     "Do not answer clients that carry all these tags.", parse_dhcp_ignore},
    {"dhcp-ignore-names", 0, O, Many, Built, "[=tag:<tag>]...",
     "Disregard the host names supplied by (tagged) clients.", parse_ignore_names},
    {"dhcp-generate-names", 0, O, Many, Built, "[=tag:<tag>]",
     "Name (tagged) clients that supply no name after their MAC address.", parse_generate_names},
    {"dhcp-broadcast", 0, O, Many, Built, "[=tag:<tag>...]",
     "Always broadcast replies to (tagged) clients.", parse_dhcp_broadcast},
    {"bootp-dynamic", '3', O, Many, NotYet, "[=tag:<tag>]...",
     "Let (tagged) BOOTP clients take addresses from dynamic ranges.", parse_bootp_dynamic},
    // --- leases and server behaviour ---
    {"dhcp-leasefile", 'l', O, Once, Built, "[=<path>]",
     "File that holds the DHCP lease database (default /var/lib/misc/dnsmasq.leases).",
     parse_lease_file},
    {"dhcp-lease", 0, R, Once, Built, "<path>", "Old spelling of --dhcp-leasefile.",
     parse_lease_file, false, "dhcp-leasefile"},
    {"leasefile-ro", '9', N, Many, Built, "",
     "Keep no lease file; the lease script keeps the database instead.",
     set_flag<&DhcpConfig::lease_file_ro>},
    {"dhcp-lease-max", 'X', R, Once, Built, "<integer>",
     "Hand out at most this many leases at once (default 1000).", parse_lease_max},
    {"dhcp-authoritative", 'K', N, Many, Built, "",
     "Act as the only DHCP server on the network: answer unknown renewals at once.",
     set_flag<&DhcpConfig::authoritative>},
    {"dhcp-rapid-commit", 0, N, Many, NotYet, "",
     "Allow the two-message DHCPv4 exchange (RFC 4039) for clients that ask for it.",
     set_flag<&DhcpConfig::rapid_commit>},
    {"no-ping", '5', N, Many, Built, "",
     "Do not check with an ICMP echo that an address is unused before offering it.",
     set_flag<&DhcpConfig::no_ping>},
    {"dhcp-sequential-ip", 0, N, Many, Built, "",
     "Hand out addresses in order instead of by a hash of the client's MAC.",
     set_flag<&DhcpConfig::sequential_ip>},
    {"dhcp-ignore-clid", 0, N, Many, Built, "",
     "Identify clients by MAC address only, never by client identifier.",
     set_flag<&DhcpConfig::ignore_clid>},
    {"dhcp-fqdn", 0, N, Many, Built, "",
     "Put only fully qualified names of DHCP clients into DNS (needs --domain).",
     set_flag<&DhcpConfig::fqdn>},
    {"dhcp-client-update", 0, N, Many, Built, "",
     "Let clients that send an FQDN option update DNS themselves.",
     set_flag<&DhcpConfig::client_update>},
    {"dhcp-reply-delay", 0, R, Once, NotYet, "<integer>",
     "Wait at least this many seconds before answering (tagged) clients.", parse_reply_delay},
    {"dhcp-alternate-port", 0, O, Once, NotYet, "[=<ports>]",
     "Use other DHCP ports than 67/68 (no value: 1067/1068).", parse_alternate_port},
    // --- relays and networks ---
    {"dhcp-proxy", 0, O, Many, NotYet, "[=<ipaddr>]...",
     "Treat these relays (or all, without a value) as full proxies.", parse_dhcp_proxy},
    {"dhcp-relay", 0, R, Many, NotYet, "<local-addr>,<server>[,<iface>]",
     "Relay DHCP requests arriving at this local address to another server.", parse_dhcp_relay},
    {"dhcp-split-relay", 0, R, Many, NotYet, "<local-addr>,[<server>],<iface>|<addr>",
     "Relay with separate client-side and server-side addresses (dnsmasq 2.93).",
     parse_split_relay},
    {"leasequery", 0, O, Many, NotYet, "[=<addr>[/<len>]]",
     "Answer RFC 4388 lease queries from relays (dnsmasq 2.93).", parse_leasequery},
    {"bridge-interface", 0, R, Many, NotYet, "<iface>,<alias>..",
     "Handle DHCP and RA packets arriving on the alias interfaces as if they came on iface.",
     parse_bridge_interface},
    {"shared-network", 0, R, Many, NotYet, "<iface>|<addr>,<addr>",
     "Also serve the subnet of the second address to clients on this interface or relay.",
     parse_shared_network},
    // --- scripts ---
    {"dhcp-script", '6', R, Once, Built, "<path>",
     "Program to run when leases are created, renewed or removed.", parse_script},
    {"dhcp-luascript", 0, R, Many, NotYet, "path",
     "Lua script for lease changes (this build, like Debian's dnsmasq, has no Lua).",
     parse_lua_script},
    {"dhcp-scriptuser", 0, R, Once, NotYet, "<username>",
     "User the lease-change script runs as.", parse_script_user},
    {"script-arp", 0, N, Many, NotYet, "", "Also run the lease script on ARP table changes.",
     set_flag<&DhcpConfig::script_arp>},
    {"script-on-renewal", 0, N, Many, NotYet, "",
     "Also run the lease script when only a lease's expiry time changes.",
     set_flag<&DhcpConfig::script_on_renewal>},
    // --- DHCPv6 and router advertisement ---
    {"enable-ra", 0, N, Many, NotYet, "",
     "Send router advertisements on interfaces that serve DHCPv6.",
     set_flag<&DhcpConfig::enable_ra>},
    {"dhcp-duid", 0, R, Once, NotYet, "<enterprise>,<duid>",
     "Use this DUID-EN (enterprise number, hex id) as the DHCPv6 server DUID.", parse_dhcp_duid},
    {"ra-param", 0, R, Many, NotYet, "<iface>,[mtu:<value>|<interface>|off,][high|low,]<interval>[,<lifetime>]",
     "Router advertisement MTU, preference, interval and router lifetime for an interface.",
     parse_ra_param},
    // --- network boot ---
    {"dhcp-boot", 'M', R, Many, Built, "<bootp opts>",
     "Boot file name, server name and server address for (tagged) clients.", parse_dhcp_boot},
    {"pxe-service", 0, R, Many, Built, "<service>",
     "Add an entry to the PXE boot menu for a client architecture.", parse_pxe_service},
    {"pxe-prompt", 0, R, Many, Built, "<prompt>,[<timeout>]",
     "Text and timeout of the PXE boot menu prompt.", parse_pxe_prompt},
    {"dhcp-pxe-vendor", 0, R, Many, Built, "<vendor>[,...]",
     "Vendor classes that mark a PXE client (in place of PXEClient, as dnsmasq 2.90 does).", parse_pxe_vendor},
    // --- TFTP ---
    {"enable-tftp", 0, O, Many, Built, "[=<intr>[,<intr>]]",
     "Run the built-in read-only TFTP server (on all, or the listed, interfaces).",
     parse_enable_tftp},
    {"tftp-root", 0, R, Many, Built, "<dir>[,<iface>]",
     "Serve TFTP files only from under this directory (for one interface, if given).",
     parse_tftp_root},
    {"tftp-unique-root", 0, O, Many, Built, "[=ip|mac]",
     "Look for files first in a subdirectory named after the client's IP or MAC.",
     parse_tftp_unique_root},
    {"tftp-secure", 0, N, Many, Built, "",
     "Only serve files owned by the user the server runs as.",
     set_flag<&DhcpConfig::tftp_secure>},
    {"tftp-no-fail", 0, N, Many, Built, "",
     "Start even when a TFTP root directory cannot be used.",
     set_flag<&DhcpConfig::tftp_no_fail>},
    {"tftp-max", 0, R, Once, Built, "<integer>",
     "Most TFTP transfers to run at the same time (default 50).", parse_tftp_max},
    {"tftp-mtu", 0, R, Once, Built, "<integer>",
     "Largest MTU to assume when choosing a TFTP block size.", parse_tftp_mtu},
    {"tftp-no-blocksize", 0, N, Many, Built, "",
     "Refuse the TFTP blocksize option (always 512-byte blocks).",
     set_flag<&DhcpConfig::tftp_no_blocksize>},
    {"tftp-lowercase", 0, N, Many, Built, "", "Turn requested TFTP file names into lower case.",
     set_flag<&DhcpConfig::tftp_lowercase>},
    {"tftp-port-range", 0, R, Once, Built, "<start>,<end>",
     "Local ports to use for TFTP transfers.", parse_tftp_port_range},
    {"tftp-single-port", 0, N, Many, Built, "",
     "Do whole TFTP transfers from port 69 (friendlier to NAT).",
     set_flag<&DhcpConfig::tftp_single_port>},
};

// dnsmasq's "default domain": a --domain given without an address range or interface.
bool has_default_domain(const DnsConfig& dns) {
  for (const auto& rule : dns.domains)
    if (rule.scope == DomainRule::Scope::Everywhere && !rule.domain.empty()) return true;
  return false;
}

// Parts of built options that the DHCP service does not act on yet: refused by name, never
// silently ignored.
void refuse_unbuilt_forms(Config& config) {
  auto refuse = [&](const char* what) {
    auto& nys = config.not_yet;
    if (std::find(nys.begin(), nys.end(), what) == nys.end()) nys.emplace_back(what);
  };
  if (config.dhcp.tftp_unique_root == TftpUniqueRoot::Mac) refuse("tftp-unique-root=mac");
  for (const auto& b : config.dhcp.boots)
    if (!b.tftp_server_name.empty()) refuse("dhcp-boot (TFTP server name)");
  for (const auto& p : config.dhcp.pxe_services)
    if (!p.server_name.empty()) refuse("pxe-service (boot server name)");
  for (const auto& r : config.dhcp.ranges) {
    if (r.is_v6) refuse("dhcp-range (IPv6)");
  }
  for (const auto& h : config.dhcp.hosts)
    if (!h.addrs6.empty()) refuse("dhcp-host=...,[IPv6]");
  if (!config.dhcp.options6.empty()) refuse("dhcp-option=option6:");
  for (const auto& m : config.dhcp.class_matches)
    if (m.kind == DhcpClassKind::VendorClass && m.enterprise != 0)
      refuse("dhcp-vendorclass=...,enterprise:");
  for (const auto& m : config.dhcp.matches4)
    if (m.option.vi_encap || m.option.encap || m.option.vendor_class) refuse("dhcp-match=vi-encap:");
  if (!config.dhcp.matches6.empty()) refuse("dhcp-match=option6:");
  bool v4 = std::any_of(config.dhcp.ranges.begin(), config.dhcp.ranges.end(),
                        [](const DhcpRange& r) { return !r.is_v6; });
  // The script helper belongs to the DHCPv4 service: without it, no "tftp" events.
  if (!v4 && config.dhcp.tftp_enabled && !config.dhcp.script.empty())
    refuse("dhcp-script (tftp events without an IPv4 dhcp-range)");
}

Result<void> finalize_dhcp(Config& config) {
  if (config.dhcp.fqdn && !has_default_domain(config.dns))
    return make_error("there must be a default domain when --dhcp-fqdn is set");
  refuse_unbuilt_forms(config);
  return ok();
}

}  // namespace

OptionArea dhcp_area() { return {"dhcp", kDhcpOptions, finalize_dhcp}; }

}  // namespace masqd::config
