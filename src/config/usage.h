// The texts masqd prints instead of running: --help [dhcp|dhcp6], --version and
// --masqd-options-markdown, all generated from the option table. No parsing here
// (loader.h decides which one was asked for).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace masqd::config {

inline constexpr std::string_view kMasqdVersion = "0.1.0";
inline constexpr std::string_view kDnsmasqCompatVersion = "2.90";

// --help: topic "dhcp" / "dhcp6" lists known DHCPv4 / DHCPv6 option names, anything else
// the usage summary of every option (dnsmasq's layout: "-X, --name=<arg>" padded to 55
// columns, then the description). Writes to `out`; the caller exits 0.
// The DHCP name lists come from dhcp_option_names.h (internal-only options left out).
void print_help(std::FILE* out, std::string_view topic, std::string_view progname);

// --version: "Masqd version X (...)", a "Compile time options:" line in dnsmasq's shape
// (each feature or "no-feature", derived from which options are built), and a short notice.
void print_version(std::FILE* out, std::string_view progname);

// The "Compile time options" words, e.g. "IPv6 GNU-getopt no-DBus ... DHCP ...".
std::string compile_time_options();

// --masqd-options-markdown: docs/options.md, a Markdown table of every option (name,
// short form, argument, repeat rule, status, description), one section per area.
std::string options_markdown();

}  // namespace masqd::config
