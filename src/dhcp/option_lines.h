// Files of option lines (--dhcp-hostsfile, --dhcp-optsfile): each line is one option's value
// without "name=", read from a file or from every file of a directory and handed to that
// option's own parser, so the syntax and its error messages are dnsmasq's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace masqd::dhcp {

// What a caller does with one parsed line: `parsed` holds what the parser added; return a
// problem text ("IPv6 dhcp-host ... is not supported yet") to have the line reported instead.
using TakeParsedLine =
    std::function<std::optional<std::string>(config::Config& parsed, const std::string& path, unsigned line)>;

// Reads every path, the last given first as dnsmasq does (a directory: its files in name
// order, skipping names starting with '.' and ending in '~'). Blank lines and lines starting
// with '#' are skipped; leading and trailing white space is cut. A missing file and a bad line
// are reported in `log` ("<message> at line N of FILE", or "bad <option> at line N of FILE")
// and skipped; each file read adds "read FILE". Reading never fails.
void read_option_line_files(const std::vector<std::string>& paths, const char* option,
                            const TakeParsedLine& take, std::vector<std::string>& log);

}  // namespace masqd::dhcp
