// The one option table: every area's rows joined, with lookups by long and short name.
// Each area file (options_<area>.cc) exports its rows and an optional post-parse check.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/option_spec.h"

namespace masqd::config {

// A group of options and the checks dnsmasq runs after all options are read
// (e.g. "--bind-interfaces and --bind-dynamic are mutually exclusive").
struct OptionArea {
  std::string_view name;
  std::span<const OptionSpec> options;
  Result<void> (*finalize)(Config& config);  // may be null
};

// Areas, each defined in its own file.
OptionArea process_area();  // options_process.cc: process, config files, logging, extensions
OptionArea dns_area();      // options_dns.cc: listening, forwarding, cache, local data, filters,
                            // DNSSEC, authoritative, integrations
OptionArea dhcp_area();     // options_dhcp.cc: DHCPv4, DHCPv6, RA, TFTP, PXE

const std::vector<OptionArea>& option_areas();
// All rows in area order. Built once; the table is immutable.
const std::vector<const OptionSpec*>& all_options();
const OptionSpec* find_option(std::string_view long_name);
const OptionSpec* find_short_option(char c);

// The option a row stands for: the row itself, or the row its alias_of names.
const OptionSpec& canonical_option(const OptionSpec& spec);

// How the one-letter form takes a value. dnsmasq's short forms differ from the long ones:
// a long option with an optional value (--user[=name]) has a short form that requires one
// (-u name), except -q and -1, which take none.
ArgShape short_arg_shape(const OptionSpec& spec);

}  // namespace masqd::config
