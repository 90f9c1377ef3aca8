// --dhcp-hostsfile reader: one dhcp-host value per line (option_lines.h does the reading).
#include "dhcp/hosts_file.h"

#include "dhcp/option_lines.h"

namespace masqd::dhcp {

HostsFileRead read_dhcp_hosts_files(const std::vector<std::string>& paths) {
  HostsFileRead out;
  auto take = [&](config::Config& parsed, const std::string&, unsigned) -> std::optional<std::string> {
    if (parsed.dhcp.hosts.size() != 1) return std::string("bad dhcp-host");
    auto& h = parsed.dhcp.hosts.front();
    if (!h.addrs6.empty()) return std::string("IPv6 dhcp-host (not supported yet)");
    out.hosts.push_back(std::move(h));
    return std::nullopt;
  };
  read_option_line_files(paths, "dhcp-host", take, out.log);
  return out;
}

}  // namespace masqd::dhcp
