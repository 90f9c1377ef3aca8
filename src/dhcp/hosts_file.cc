// --dhcp-hostsfile reader: one dhcp-host value per line, '#' comments, blank lines skipped.
#include "dhcp/hosts_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config/option_table.h"

namespace masqd::dhcp {

namespace {

constexpr size_t kMaxLine = 4096;

void read_one(const std::string& path, HostsFileRead& out) {
  std::ifstream in(path);
  if (!in) {
    out.log.push_back(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    return;
  }
  const config::OptionSpec* spec = config::find_option("dhcp-host");
  size_t lineno = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.size() > kMaxLine) {
      out.log.push_back(fmt::format("bad dhcp-host at line {} of {}", lineno, path));
      continue;
    }
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto last = line.find_last_not_of(" \t\r");
    std::string text = line.substr(first, last - first + 1);
    config::Config scratch;
    config::Origin origin{true, path, static_cast<unsigned>(lineno)};
    config::ParseContext ctx{scratch, origin, nullptr, false};
    config::OptArg arg(text);
    auto r = spec->parse(ctx, &arg);
    if (!r || scratch.dhcp.hosts.size() != 1) {
      std::string why = r ? std::string() : r.error().message;
      out.log.push_back(why.empty() ? fmt::format("bad dhcp-host at line {} of {}", lineno, path)
                                    : fmt::format("{} at line {} of {}", why, lineno, path));
      continue;
    }
    auto& h = scratch.dhcp.hosts.front();
    if (!h.addrs6.empty()) {
      out.log.push_back(fmt::format("IPv6 dhcp-host at line {} of {} is not supported yet", lineno, path));
      continue;
    }
    out.hosts.push_back(std::move(h));
  }
  out.log.push_back(fmt::format("read {}", path));
}

}  // namespace

HostsFileRead read_dhcp_hosts_files(const std::vector<std::string>& paths) {
  HostsFileRead out;
  // Newest option first, as dnsmasq reads them.
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
    const std::string& p = *it;
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> files;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        std::string name = e.path().filename().string();
        if (name.empty() || name.front() == '.' || name.back() == '~') continue;
        if (e.is_regular_file(ec)) files.push_back(e.path().string());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) read_one(f, out);
    } else {
      read_one(p, out);
    }
  }
  return out;
}

}  // namespace masqd::dhcp
