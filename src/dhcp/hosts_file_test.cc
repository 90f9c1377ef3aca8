// --dhcp-hostsfile reading: lines through the dhcp-host parser, comments, bad lines
// reported and skipped, directories, dnsmasq's newest-first order.
#include "dhcp/hosts_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dhcp/test_temp_dir.h"

namespace masqd::dhcp {
namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(DhcpHostsFile, LinesDirectoriesAndProblems) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.file("d"));
  write(dir.file("d/b.conf"), "02:00:00:00:00:02,192.0.2.62,two\n");
  write(dir.file("d/a.conf"), "  # comment\n\n02:00:00:00:00:01,192.0.2.61,one,2h  \n");
  write(dir.file("d/.hidden"), "02:00:00:00:00:09,192.0.2.69\n");
  write(dir.file("d/old~"), "02:00:00:00:00:09,192.0.2.69\n");
  write(dir.file("single"), "02:00:00:00:00:03,192.0.2.63\n02:00:00:00:00:04,bad name\n");
  auto r = read_dhcp_hosts_files({dir.file("d"), dir.file("single"), dir.file("missing")});
  ASSERT_EQ(r.hosts.size(), 3u);
  EXPECT_EQ(r.hosts[0].addr4->to_string(), "192.0.2.63");  // "single" was given later: first
  EXPECT_EQ(r.hosts[1].hostname, "one");
  EXPECT_EQ(r.hosts[1].lease->count(), 7200u);
  EXPECT_EQ(r.hosts[2].hostname, "two");
  ASSERT_EQ(r.log.size(), 5u);
  EXPECT_EQ(r.log[0].rfind("cannot read " + dir.file("missing"), 0), 0u) << r.log[0];
  EXPECT_NE(r.log[1].find("at line 2 of " + dir.file("single")), std::string::npos) << r.log[1];
  EXPECT_EQ(r.log[2], "read " + dir.file("single"));
  EXPECT_EQ(r.log[3], "read " + dir.file("d/a.conf"));
  EXPECT_EQ(r.log[4], "read " + dir.file("d/b.conf"));
}

}  // namespace
}  // namespace masqd::dhcp
