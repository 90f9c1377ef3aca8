// --dhcp-optsfile: dhcp-option lines (without "dhcp-option=") from files or every file of a
// directory, read at start-up and again on SIGHUP. Each line goes through the --dhcp-option
// parser, so the syntax and its errors are dnsmasq's; as in dnsmasq there is no "force" form
// (a leading "force," is an old-style tag name, as in --dhcp-option).
#pragma once

#include <string>
#include <vector>

#include "config/dhcp_config.h"

namespace masqd::dhcp {

struct OptsFileRead {
  // DHCPv4 options, oldest first like DhcpConfig::options4: dnsmasq puts each line read
  // before every option it already holds, so the last line read is the newest, and every
  // line is newer than the configured options.
  std::vector<config::DhcpOption> options;
  std::vector<std::string> log;  // "read <file>", problems ("bad IP address at line 5 of F")
};

// Reads every path (order and directory rules as read_dhcp_hosts_files). Lines for forms not
// built yet (DHCPv6, encap:, vi-encap:, vendor:, dhcp-match style wildcards) are reported and
// skipped. Reading never fails.
OptsFileRead read_dhcp_opts_files(const std::vector<std::string>& paths);

}  // namespace masqd::dhcp
