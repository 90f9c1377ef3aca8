// The DNS area's post-parse step: the cross-option checks and adjustments dnsmasq 2.90
// makes after reading every option and before --test reports success. Not for checks
// dnsmasq only makes at start-up (those belong to the daemon).
#pragma once

#include "base/result.h"

namespace masqd::config {

struct Config;

// Runs on the complete Config, once. In dnsmasq's order:
//  - --local-service is switched off when -i, -I, -a or --auth-server is given;
//  - CNAME loops: "CNAME loop involving <alias>" (exit 1);
//  - --no-poll with more than one resolv file: "only one resolv.conf file allowed in
//    no-poll mode." (exit 1);
//  - --domain=# takes the first "search" domain of the one resolv file (exit 1 without
//    exactly one file, 3 when unreadable, 5 when it has no search line).
// Reads the resolv file only for --domain=#. Error codes are dnsmasq's exit statuses.
Result<void> finalize_dns(Config& config);

}  // namespace masqd::config
