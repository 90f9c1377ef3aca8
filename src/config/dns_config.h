// DNS-side settings: listening, forwarding, cache, local data, filters, DNSSEC,
// authoritative zones and integrations (ipset, nftset, DBus ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"

namespace masqd::config {

struct DnsConfig {
  uint16_t port = 53;
};

}  // namespace masqd::config
