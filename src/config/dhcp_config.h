// DHCPv4, DHCPv6, router advertisement, TFTP and PXE settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"

namespace masqd::config {

struct DhcpConfig {
  std::string lease_file = "/var/lib/misc/dnsmasq.leases";
};

}  // namespace masqd::config
