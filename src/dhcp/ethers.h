// --read-ethers: the /etc/ethers reader (`MAC name-or-IPv4` lines) and the rules by which
// dnsmasq 2.90 turns those lines into dhcp-host entries. Pure: text in, values and log lines
// out; the file is read and the result applied by Dhcp4Service (start-up and SIGHUP).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "config/dhcp_config.h"

namespace masqd::dhcp {

inline constexpr const char* kEthersPath = "/etc/ethers";

struct EthersLine {
  MacAddr mac;
  std::optional<IpAddr> addr;  // the line gave an IPv4 address, or
  std::string name;            // a host name (as written)
  unsigned line = 0;
};

struct EthersProblem {
  enum class Kind { BadLine, BadAddress, BadName };
  Kind kind = Kind::BadLine;
  unsigned line = 0;
};

struct EthersFile {
  std::vector<EthersLine> lines;  // in file order
  std::vector<EthersProblem> problems;
};

// Reads the text of an ethers file. Lines: blank, '#' or '+' first are skipped; otherwise
// a MAC address (six groups of one or two hex digits, separated by ':' or '-'), white space, and the
// rest of the line (trailing white space cut) is an IPv4 address when it holds only digits
// and dots, else a host name. A line without both parts, or with a bad MAC, is BadLine; a
// bad dotted address BadAddress; a name that is not a host name (labels of letters, digits,
// '-' and '_', not starting with '-' or '_') BadName. Never fails; any bytes are accepted.
EthersFile parse_ethers(std::string_view text);

// dnsmasq's log line for a problem: "bad line at /etc/ethers line 6".
std::string ethers_problem_message(const EthersProblem& p, std::string_view path);

// Applies the lines as dnsmasq does. `config_hosts` are the configured dhcp-host entries;
// `ethers_hosts` receives the new ones. Per line: an address (or name) already held by an
// entry made from an earlier line is a duplicate (logged, skipped); held by a configured
// entry, that entry takes this MAC; otherwise the entry for exactly this MAC (a configured
// one with a single plain MAC, or one made from an earlier line) takes the address or name,
// or a new entry is made. Each entry so touched matches by this MAC only and ignores client
// ids. Returns the log lines, ending with "read <path> - N addresses".
std::vector<std::string> apply_ethers(const EthersFile& file, std::string_view path,
                                      std::vector<config::DhcpHost>& config_hosts,
                                      std::vector<config::DhcpHost>& ethers_hosts);

}  // namespace masqd::dhcp
