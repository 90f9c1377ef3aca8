// Value parsers of the DHCP/TFTP/PXE/RA option rows (options_dhcp.cc). Each follows the
// ParseFn contract in option_spec.h: validate like dnsmasq 2.90, store into ctx.config.dhcp,
// return dnsmasq's message on error. Private to src/config.
#pragma once

#include "config/option_spec.h"

namespace masqd::config::dhcp_parsers {

// dhcp_parsers_range.cc
Result<void> parse_dhcp_range(ParseContext& ctx, const OptArg* arg);
// dhcp_parsers_host.cc
Result<void> parse_dhcp_host(ParseContext& ctx, const OptArg* arg);
// dhcp_parsers_option.cc
Result<void> parse_dhcp_option(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_option_force(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_option_pxe(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_match(ParseContext& ctx, const OptArg* arg);
// dhcp_parsers_tags.cc
Result<void> parse_vendor_class(ParseContext& ctx, const OptArg* arg);
Result<void> parse_user_class(ParseContext& ctx, const OptArg* arg);
Result<void> parse_circuit_id(ParseContext& ctx, const OptArg* arg);
Result<void> parse_remote_id(ParseContext& ctx, const OptArg* arg);
Result<void> parse_subscriber_id(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_mac(ParseContext& ctx, const OptArg* arg);
Result<void> parse_name_match(ParseContext& ctx, const OptArg* arg);
Result<void> parse_tag_if(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_ignore(ParseContext& ctx, const OptArg* arg);
Result<void> parse_ignore_names(ParseContext& ctx, const OptArg* arg);
Result<void> parse_generate_names(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_broadcast(ParseContext& ctx, const OptArg* arg);
Result<void> parse_bootp_dynamic(ParseContext& ctx, const OptArg* arg);
// dhcp_parsers_boot.cc
Result<void> parse_dhcp_boot(ParseContext& ctx, const OptArg* arg);
Result<void> parse_pxe_service(ParseContext& ctx, const OptArg* arg);
Result<void> parse_pxe_prompt(ParseContext& ctx, const OptArg* arg);
Result<void> parse_pxe_vendor(ParseContext& ctx, const OptArg* arg);
Result<void> parse_enable_tftp(ParseContext& ctx, const OptArg* arg);
Result<void> parse_tftp_root(ParseContext& ctx, const OptArg* arg);
Result<void> parse_tftp_unique_root(ParseContext& ctx, const OptArg* arg);
Result<void> parse_tftp_max(ParseContext& ctx, const OptArg* arg);
Result<void> parse_tftp_mtu(ParseContext& ctx, const OptArg* arg);
Result<void> parse_tftp_port_range(ParseContext& ctx, const OptArg* arg);
// dhcp_parsers_misc.cc
Result<void> parse_lease_file(ParseContext& ctx, const OptArg* arg);
Result<void> parse_lease_max(ParseContext& ctx, const OptArg* arg);
Result<void> parse_hosts_file(ParseContext& ctx, const OptArg* arg);
Result<void> parse_opts_file(ParseContext& ctx, const OptArg* arg);
Result<void> parse_hosts_dir(ParseContext& ctx, const OptArg* arg);
Result<void> parse_opts_dir(ParseContext& ctx, const OptArg* arg);
Result<void> parse_script(ParseContext& ctx, const OptArg* arg);
Result<void> parse_lua_script(ParseContext& ctx, const OptArg* arg);
Result<void> parse_script_user(ParseContext& ctx, const OptArg* arg);
Result<void> parse_alternate_port(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_proxy(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_relay(ParseContext& ctx, const OptArg* arg);
Result<void> parse_split_relay(ParseContext& ctx, const OptArg* arg);
Result<void> parse_leasequery(ParseContext& ctx, const OptArg* arg);
Result<void> parse_bridge_interface(ParseContext& ctx, const OptArg* arg);
Result<void> parse_shared_network(ParseContext& ctx, const OptArg* arg);
Result<void> parse_dhcp_duid(ParseContext& ctx, const OptArg* arg);
Result<void> parse_ra_param(ParseContext& ctx, const OptArg* arg);
Result<void> parse_reply_delay(ParseContext& ctx, const OptArg* arg);

}  // namespace masqd::config::dhcp_parsers
