// The typed, validated configuration snapshot. Built by Loader from the command line and
// config files; frozen (shared as `const Config`) before the daemon starts. Each area keeps
// its own struct in its own header. Not for parsing (see loader.h and options_*.cc).
#pragma once

#include <string>
#include <vector>

#include "config/dhcp_config.h"
#include "config/dns_config.h"
#include "config/process_config.h"

namespace masqd::config {

struct Config {
  ProcessConfig process;
  DnsConfig dns;
  DhcpConfig dhcp;

  // Long names of options that were given but whose feature is not built yet, in the
  // order first seen (each once). Start-up and --test refuse to go on while non-empty.
  std::vector<std::string> not_yet;
};

}  // namespace masqd::config
