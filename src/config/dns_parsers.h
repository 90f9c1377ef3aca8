// Private: the DNS area's value parsers (ParseFn), defined in dns_parsers_*.cc and used
// by the rows in options_dns.cc. Each stores typed values into ctx.config.dns and returns
// dnsmasq's message on rejection. Tests reach them through find_option(name)->parse.
#pragma once

#include <string_view>

#include "config/dns_config.h"
#include "config/option_spec.h"

namespace masqd::config::dnsopt {

#define MASQD_DNS_PARSER(name) Result<void> name(ParseContext& ctx, const OptArg* arg)

// dns_parsers_net.cc: listening and forwarding
MASQD_DNS_PARSER(parse_port);
MASQD_DNS_PARSER(parse_listen_address);
MASQD_DNS_PARSER(parse_interface);
MASQD_DNS_PARSER(parse_except_interface);
MASQD_DNS_PARSER(parse_no_dhcp_interface);
MASQD_DNS_PARSER(parse_no_dhcpv4_interface);
MASQD_DNS_PARSER(parse_no_dhcpv6_interface);
MASQD_DNS_PARSER(parse_local_service);
MASQD_DNS_PARSER(parse_server);
MASQD_DNS_PARSER(parse_local);
MASQD_DNS_PARSER(parse_rev_server);
MASQD_DNS_PARSER(parse_resolv_file);
MASQD_DNS_PARSER(parse_dns_forward_max);
MASQD_DNS_PARSER(parse_edns_packet_max);
MASQD_DNS_PARSER(parse_query_port);
MASQD_DNS_PARSER(parse_min_port);
MASQD_DNS_PARSER(parse_max_port);
MASQD_DNS_PARSER(parse_port_limit);
MASQD_DNS_PARSER(parse_max_tcp_connections);
MASQD_DNS_PARSER(parse_fast_dns_retry);
MASQD_DNS_PARSER(parse_add_mac);
MASQD_DNS_PARSER(parse_add_subnet);
MASQD_DNS_PARSER(parse_add_cpe_id);
MASQD_DNS_PARSER(parse_umbrella);

// dns_parsers_data.cc: cache and local data
MASQD_DNS_PARSER(parse_cache_size);
MASQD_DNS_PARSER(parse_neg_ttl);
MASQD_DNS_PARSER(parse_max_ttl);
MASQD_DNS_PARSER(parse_min_cache_ttl);
MASQD_DNS_PARSER(parse_max_cache_ttl);
MASQD_DNS_PARSER(parse_use_stale_cache);
MASQD_DNS_PARSER(parse_cache_rr);
MASQD_DNS_PARSER(parse_local_ttl);
MASQD_DNS_PARSER(parse_dhcp_ttl);
MASQD_DNS_PARSER(parse_addn_hosts);
MASQD_DNS_PARSER(parse_hostsdir);
MASQD_DNS_PARSER(parse_domain);
MASQD_DNS_PARSER(parse_address);
// A blocklist's line in its plain form, without an OptArg: `value` is the text after
// "address=" of a config line the lexer would pass unchanged. When it is one domain of
// letters, digits, '-', '_' and '.' with an empty, "#" or address answer, stores exactly what
// parse_address would and returns true; otherwise stores nothing and returns false (the
// caller then goes the general way, which also gives any error).
bool add_plain_address(DnsConfig& dns, std::string_view value);
MASQD_DNS_PARSER(parse_host_record);
MASQD_DNS_PARSER(parse_dynamic_host);
MASQD_DNS_PARSER(parse_cname);
MASQD_DNS_PARSER(parse_mx_host);
MASQD_DNS_PARSER(parse_mx_target);
MASQD_DNS_PARSER(parse_srv_host);
MASQD_DNS_PARSER(parse_txt_record);
MASQD_DNS_PARSER(parse_ptr_record);
MASQD_DNS_PARSER(parse_naptr_record);
MASQD_DNS_PARSER(parse_caa_record);
MASQD_DNS_PARSER(parse_dns_rr);
MASQD_DNS_PARSER(parse_interface_name);
MASQD_DNS_PARSER(parse_synth_domain);

// dns_parsers_misc.cc: filters, DNSSEC, authoritative, integrations
MASQD_DNS_PARSER(parse_bogus_nxdomain);
MASQD_DNS_PARSER(parse_ignore_address);
MASQD_DNS_PARSER(parse_rebind_domain_ok);
MASQD_DNS_PARSER(parse_filter_rr);
MASQD_DNS_PARSER(parse_alias);
MASQD_DNS_PARSER(parse_trust_anchor);
MASQD_DNS_PARSER(parse_dnssec_check_unsigned);
MASQD_DNS_PARSER(parse_dnssec_timestamp);
MASQD_DNS_PARSER(parse_dnssec_limits);
MASQD_DNS_PARSER(parse_auth_server);
MASQD_DNS_PARSER(parse_auth_zone);
MASQD_DNS_PARSER(parse_auth_ttl);
MASQD_DNS_PARSER(parse_auth_soa);
MASQD_DNS_PARSER(parse_auth_sec_servers);
MASQD_DNS_PARSER(parse_auth_peer);
MASQD_DNS_PARSER(parse_ipset);
MASQD_DNS_PARSER(parse_nftset);
MASQD_DNS_PARSER(parse_connmark_allowlist_enable);
MASQD_DNS_PARSER(parse_connmark_allowlist);
MASQD_DNS_PARSER(parse_enable_dbus);
MASQD_DNS_PARSER(parse_enable_ubus);
MASQD_DNS_PARSER(parse_dumpfile);
MASQD_DNS_PARSER(parse_dumpmask);

#undef MASQD_DNS_PARSER

}  // namespace masqd::config::dnsopt
