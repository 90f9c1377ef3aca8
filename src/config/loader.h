// Loader: turns a command line plus config files into a Config, with dnsmasq's rules
// (getopt_long semantics on argv; conf-file/conf-dir/servers-file reading; once-only
// options; file values overriding the command line; post-parse checks).
#pragma once

#include <span>
#include <string>

#include "base/result.h"
#include "config/config.h"

namespace masqd::config {

// What the command line asked for besides running.
enum class Action : uint8_t { Run, Help, Version };

struct LoadOutcome {
  Action action = Action::Run;
  std::string help_topic;  // for --help: "", "dhcp" or "dhcp6"
  Config config;
};

// Reads argv (argv[0] is the program name) and every config file it implies.
// On failure the Error's message is the text dnsmasq prints after "<progname>: "
// (e.g. "bad option at line 3 of /etc/dnsmasq.conf") and its code the exit status
// (1 config, 3 file system, >=11 conf-script status + 10).
Result<LoadOutcome> load(std::span<char* const> argv);

}  // namespace masqd::config
