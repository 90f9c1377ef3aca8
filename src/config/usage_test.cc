#include "config/usage.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "config/option_table.h"

namespace masqd::config {
namespace {

// Captures what `print` writes to a FILE*.
template <typename F>
std::string capture(F print) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  print(f);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(Usage, HelpListsEveryOptionInDnsmasqLayout) {
  auto out = capture([](std::FILE* f) { print_help(f, "", "masqd"); });
  auto lines = lines_of(out);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "Usage: masqd [options]");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], "Valid options are:");
  size_t listed = 0;
  for (const auto* spec : all_options())
    if (spec->alias_of.empty()) ++listed;
  EXPECT_EQ(lines.size(), 3 + listed);
  bool saw_conf_file = false, saw_test = false;
  for (const auto& l : lines) {
    if (l.rfind("-C, --conf-file=<path>", 0) == 0) {
      saw_conf_file = true;
      EXPECT_EQ(l.substr(22, 55 - 22), std::string(55 - 22, ' '));
      EXPECT_NE(l[55], ' ');
    }
    if (l.rfind("    --test ", 0) == 0) saw_test = true;
    EXPECT_EQ(l.find("--dhcp-lease="), std::string::npos) << "aliases stay hidden";
  }
  EXPECT_TRUE(saw_conf_file);
  EXPECT_TRUE(saw_test);
  EXPECT_NE(out.find("    --log-async[=<integer>]"), std::string::npos);
}

TEST(Usage, HelpDhcpListsOptionNames) {
  auto v4 = capture([](std::FILE* f) { print_help(f, "dhcp", "masqd"); });
  EXPECT_EQ(v4.rfind("Known DHCP options:\n", 0), 0u);
  auto v6 = capture([](std::FILE* f) { print_help(f, "dhcp6", "masqd"); });
  EXPECT_EQ(v6.rfind("Known DHCPv6 options:\n", 0), 0u);
  if (lines_of(v4).size() > 1) {
    EXPECT_NE(v4.find("\n  3 router\n"), std::string::npos);
  }
  if (lines_of(v6).size() > 1) {
    EXPECT_NE(v6.find("\n 23 dns-server\n"), std::string::npos);
  }
}

TEST(Usage, VersionShape) {
  auto lines = lines_of(capture([](std::FILE* f) { print_version(f, "masqd"); }));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("Masqd version 0.1.0", 0), 0u);
  EXPECT_EQ(lines[1].rfind("Compile time options: IPv6 GNU-getopt ", 0), 0u);
  EXPECT_EQ(lines[1], "Compile time options: " + compile_time_options());
  EXPECT_NE(lines[1].find("DHCP"), std::string::npos);
  EXPECT_NE(lines[1].find("dumpfile"), std::string::npos);
}

TEST(Usage, MarkdownHasARowPerOption) {
  std::string md = options_markdown();
  EXPECT_EQ(md.rfind("# masqd options\n", 0), 0u);
  EXPECT_NE(md.find("| Option | Short | Argument | Repeat | Status | Description |"), std::string::npos);
  for (const auto* spec : all_options())
    EXPECT_NE(md.find("| `--" + std::string(spec->name) + "` |"), std::string::npos) << spec->name;
  EXPECT_NE(md.find("| `--conf-file` | `-C` | optional `[=<path>]` | many | built |"), std::string::npos);
  EXPECT_NE(md.find("| `--log-facility` | `-8` | `<facility>\\|<file>` | once | built |"), std::string::npos);
  EXPECT_NE(md.find("(masqd extension)"), std::string::npos);
}

}  // namespace
}  // namespace masqd::config
