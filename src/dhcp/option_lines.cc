// Reader shared by --dhcp-hostsfile and --dhcp-optsfile: one option value per line.
#include "dhcp/option_lines.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "config/option_table.h"

namespace masqd::dhcp {

namespace {

constexpr size_t kMaxLine = 4096;

void read_one(const std::string& path, const config::OptionSpec& spec, const TakeParsedLine& take,
              std::vector<std::string>& log) {
  std::ifstream in(path);
  if (!in) {
    log.push_back(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    return;
  }
  size_t lineno = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.size() > kMaxLine) {
      log.push_back(fmt::format("bad {} at line {} of {}", spec.name, lineno, path));
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
    auto r = spec.parse(ctx, &arg);
    std::optional<std::string> problem;
    if (!r) problem = r.error().message.empty() ? fmt::format("bad {}", spec.name) : r.error().message;
    else problem = take(scratch, path, static_cast<unsigned>(lineno));
    if (problem) log.push_back(fmt::format("{} at line {} of {}", *problem, lineno, path));
  }
  log.push_back(fmt::format("read {}", path));
}

}  // namespace

void read_option_line_files(const std::vector<std::string>& paths, const char* option,
                            const TakeParsedLine& take, std::vector<std::string>& log) {
  const config::OptionSpec* spec = config::find_option(option);
  if (!spec) return;
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
      for (const auto& f : files) read_one(f, *spec, take, log);
    } else {
      read_one(p, *spec, take, log);
    }
  }
}

}  // namespace masqd::dhcp
