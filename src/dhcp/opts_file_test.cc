// --dhcp-optsfile reading: lines through the dhcp-option parser, dnsmasq's messages for bad
// lines, forms not built yet reported, newest-last order (seen with dnsmasq 2.90).
#include "dhcp/opts_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dhcp/test_temp_dir.h"

namespace masqd::dhcp {
namespace {

TEST(DhcpOptsFile, LinesDirectoriesAndProblems) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.file("d"));
  std::ofstream(dir.file("d/a")) << "  # comment\n\n42,192.0.2.5\ntag:foo,46,3\n";
  std::ofstream(dir.file("d/.hidden")) << "43,1\n";
  std::ofstream(dir.file("single")) << "dhcp-option=45,192.0.2.10\n45,notanaddress\n"
                                       "force,47,1\noption6:dns-server,[2001:db8::1]\n"
                                       "encap:175,1,5\n";
  auto r = read_dhcp_opts_files({dir.file("d"), dir.file("single")});
  ASSERT_EQ(r.options.size(), 4u);
  EXPECT_EQ(r.options[1].code, 1);  // "encap:175,1,5" is taken (after line 3 of its file)
  EXPECT_EQ(r.options[1].encap, 175);
  r.options.erase(r.options.begin() + 1);
  EXPECT_EQ(r.options[0].code, 47);  // "single" was given later: read first
  EXPECT_EQ(r.options[0].tags, (config::TagList{"force"}));  // an old-style tag, not a flag
  EXPECT_FALSE(r.options[0].force);
  EXPECT_EQ(r.options[1].code, 42);
  EXPECT_EQ(r.options[2].code, 46);
  EXPECT_EQ(r.options[2].tags, (config::TagList{"foo"}));
  const std::string single = dir.file("single");
  EXPECT_EQ(r.log, (std::vector<std::string>{
                       "bad dhcp-option at line 1 of " + single,
                       "bad IP address at line 2 of " + single,
                       "DHCPv6 dhcp-option (not supported yet) at line 4 of " + single,
                       "read " + single, "read " + dir.file("d/a")}));
}

}  // namespace
}  // namespace masqd::dhcp
