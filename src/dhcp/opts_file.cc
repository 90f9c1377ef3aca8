// --dhcp-optsfile reader: one dhcp-option value per line (option_lines.h does the reading).
#include "dhcp/opts_file.h"

#include "dhcp/option_lines.h"

namespace masqd::dhcp {

OptsFileRead read_dhcp_opts_files(const std::vector<std::string>& paths) {
  OptsFileRead out;
  auto take = [&](config::Config& parsed, const std::string&, unsigned) -> std::optional<std::string> {
    auto& d = parsed.dhcp;
    if (d.options6.size() == 1 && d.options4.empty()) return std::string("DHCPv6 dhcp-option (not supported yet)");
    if (d.options4.size() != 1) return std::string("bad dhcp-option");
    auto& o = d.options4.front();
    if (o.is_v6) return std::string("DHCPv6 dhcp-option (not supported yet)");
    out.options.push_back(std::move(o));
    return std::nullopt;
  };
  read_option_line_files(paths, "dhcp-option", take, out.log);
  return out;
}

}  // namespace masqd::dhcp
