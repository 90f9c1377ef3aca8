// --dhcp-hostsfile: dhcp-host lines (without "dhcp-host=") from files or every file of a
// directory, read at start-up and again on SIGHUP. Each line goes through the same parser as
// --dhcp-host, so the syntax and its errors are dnsmasq's.
#pragma once

#include <string>
#include <vector>

#include "config/dhcp_config.h"

namespace masqd::dhcp {

struct HostsFileRead {
  std::vector<config::DhcpHost> hosts;  // in file order, the last given path first
  std::vector<std::string> log;         // "read <file>" (dnsmasq's line), problems
};

// Reads every path, the last given first as dnsmasq does (a directory: its files in name order, skipping names starting with '.'
// and ending in '~'). A missing or unreadable file and a bad line are reported in `log` and
// skipped; reading never fails.
HostsFileRead read_dhcp_hosts_files(const std::vector<std::string>& paths);

}  // namespace masqd::dhcp
