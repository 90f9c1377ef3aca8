#include "local/hosts_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace masqd::local {
namespace {

using Kind = HostsDiagnostic::Kind;

struct Row {
  std::string addr;
  std::string name;
  uint32_t line;
};

std::vector<Row> rows(const HostsFile& f) {
  std::vector<Row> out;
  for (const auto& r : f.records()) out.push_back({r.addr.to_string(), std::string(f.name(r)), r.line});
  return out;
}

std::vector<std::pair<Kind, uint32_t>> diags(const HostsFile& f) {
  std::vector<std::pair<Kind, uint32_t>> out;
  for (const auto& d : f.diagnostics()) out.emplace_back(d.kind, d.line);
  return out;
}

bool operator==(const Row& a, const Row& b) { return a.addr == b.addr && a.name == b.name && a.line == b.line; }
void PrintTo(const Row& r, std::ostream* os) { *os << r.addr << " " << r.name << " @" << r.line; }

TEST(HostsFile, AddressThenNamesCommentsAndBlankLines) {
  auto f = HostsFile::parse(
      "# comment\n"
      "\n"
      "127.0.0.1\tlocalhost  localhost.localdomain # trailing comment\n"
      "   \n"
      "::1 ip6-localhost ip6-loopback\n"
      "192.168.1.10 nas\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"127.0.0.1", "localhost", 3},
                                       {"127.0.0.1", "localhost.localdomain", 3},
                                       {"::1", "ip6-localhost", 5},
                                       {"::1", "ip6-loopback", 5},
                                       {"192.168.1.10", "nas", 6}}));
  EXPECT_TRUE(f.diagnostics().empty());
  EXPECT_EQ(f.address_count(), 3u);
}

TEST(HostsFile, CrLfAndNoTrailingNewline) {
  auto f = HostsFile::parse("10.0.0.1 a\r\n10.0.0.2\tb\r\n10.0.0.3 c");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"10.0.0.1", "a", 1}, {"10.0.0.2", "b", 2}, {"10.0.0.3", "c", 3}}));
  EXPECT_TRUE(f.diagnostics().empty());
}

TEST(HostsFile, LoneCarriageReturnIsBlankNotALineBreak) {
  // dnsmasq counts lines by '\n' only; a lone CR is white space, so what follows it is
  // more names for the same address.
  auto f = HostsFile::parse("10.0.0.1 a\r10.0.0.2 b\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"10.0.0.1", "a", 1}, {"10.0.0.1", "10.0.0.2", 1}, {"10.0.0.1", "b", 1}}));
}

TEST(HostsFile, CommentCutsATokenAndOtherWhiteSpace) {
  auto f = HostsFile::parse("10.0.0.1\va\fb last#comment more\n#10.0.0.2 x\n10.0.0.3#y\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"10.0.0.1", "a", 1}, {"10.0.0.1", "b", 1}, {"10.0.0.1", "last", 1}}));
  EXPECT_EQ(f.address_count(), 2u);
}

TEST(HostsFile, BadAddressSkipsTheLineWithItsPhysicalLineNumber) {
  auto f = HostsFile::parse(
      "# c\n"
      "\n"
      "1.2.3.999 x\n"
      "fe80::1%eth0 scoped\n"
      "01.2.3.4 leadingzero\n"
      "1.2.3 short\n"
      "host 1.2.3.4\n"
      "1.2.3.4 ok\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"1.2.3.4", "ok", 8}}));
  EXPECT_EQ(diags(f), (std::vector<std::pair<Kind, uint32_t>>{
                          {Kind::BadAddress, 3}, {Kind::BadAddress, 4}, {Kind::BadAddress, 5},
                          {Kind::BadAddress, 6}, {Kind::BadAddress, 7}}));
  EXPECT_EQ(f.diagnostics()[0].message("/etc/hosts"), "bad address at /etc/hosts line 3");
}

TEST(HostsFile, EachBadNameIsReportedAndTheRestOfTheLineKept) {
  const std::string label64(64, 'a');
  auto f = HostsFile::parse("10.0.0.1 bad\x01one bad\x02two good " + label64 + " ok\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"10.0.0.1", "good", 1}, {"10.0.0.1", "ok", 1}}));
  EXPECT_EQ(diags(f), (std::vector<std::pair<Kind, uint32_t>>{
                          {Kind::BadName, 1}, {Kind::BadName, 1}, {Kind::BadName, 1}}));
  EXPECT_EQ(f.diagnostics()[0].message("h"), "bad name at h line 1");
}

TEST(HostsFile, NamesAreLoweredAndLoseOneTrailingDot) {
  auto f = HostsFile::parse("10.0.0.1 MixedCase Under_Score trail. Star*X a\\b 1.2.3.4 -lead\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"10.0.0.1", "mixedcase", 1},
                                       {"10.0.0.1", "under_score", 1},
                                       {"10.0.0.1", "trail", 1},
                                       {"10.0.0.1", "star*x", 1},
                                       {"10.0.0.1", "a\\b", 1},
                                       {"10.0.0.1", "1.2.3.4", 1},
                                       {"10.0.0.1", "-lead", 1}}));
  EXPECT_FALSE(f.records()[0].had_dot);
  EXPECT_TRUE(f.records()[2].had_dot);  // "trail." is never expanded
}

TEST(HostsFile, StricterThanDnsmasq) {
  // dnsmasq takes "." (the root), "a..b" and ".lead" (and then answers with broken
  // packets), truncates at a NUL byte, and turns UTF-8 into punycode; masqd refuses them.
  const char raw[] = "10.0.0.1 . a..b .lead nul\0byte caf\xc3\xa9 bad\xff ok\n";
  auto f = HostsFile::parse(std::string_view(raw, sizeof raw - 1));
  EXPECT_EQ(rows(f), (std::vector<Row>{{"10.0.0.1", "ok", 1}}));
  EXPECT_EQ(f.diagnostics().size(), 6u);
  const char raw_addr[] = "1.2.3.4\0junk x\n";
  auto g = HostsFile::parse(std::string_view(raw_addr, sizeof raw_addr - 1));
  EXPECT_TRUE(g.records().empty());
  EXPECT_EQ(diags(g), (std::vector<std::pair<Kind, uint32_t>>{{Kind::BadAddress, 1}}));
}

TEST(HostsFile, LongLinesAndLongNames) {
  std::string many = "10.0.0.1";
  for (int i = 0; i < 2000; ++i) many += " m" + std::to_string(i);
  auto f = HostsFile::parse(many + "\n10.0.0.2 " + std::string(10000, 'n') + " after\n");
  ASSERT_EQ(f.records().size(), 2001u);
  EXPECT_EQ(f.name(f.records()[1999]), "m1999");
  EXPECT_EQ(f.name(f.records()[2000]), "after");
  EXPECT_EQ(diags(f), (std::vector<std::pair<Kind, uint32_t>>{{Kind::BadName, 2}}));

  // 253 bytes of text is the longest name that fits in 255 wire bytes.
  std::string longest;
  while (longest.size() < 253) longest += longest.empty() ? std::string(63, 'x') : "." + std::string(63, 'x');
  longest.resize(253);
  EXPECT_TRUE(check_hosts_name(longest));
  EXPECT_TRUE(check_hosts_name(longest + "."));
  EXPECT_FALSE(check_hosts_name(longest + "y"));
}

TEST(HostsFile, AddressOnlyLineAndIpv6Forms) {
  auto f = HostsFile::parse("10.0.0.1\n::ffff:1.2.3.4 mapped\nFD00::ABCD up6\n");
  EXPECT_EQ(rows(f), (std::vector<Row>{{"::ffff:1.2.3.4", "mapped", 2}, {"fd00::abcd", "up6", 3}}));
  EXPECT_TRUE(f.records()[0].addr.is_v6());
  EXPECT_EQ(f.address_count(), 3u);
}

TEST(HostsFile, EmptyAndBinaryInput) {
  EXPECT_TRUE(HostsFile::parse("").records().empty());
  std::string junk;
  for (int i = 0; i < 256; ++i) junk.push_back(static_cast<char>(i));
  auto f = HostsFile::parse(junk + junk);
  EXPECT_TRUE(f.records().empty());
}

TEST(HostsFile, ReadFromDiskAndMissingFile) {
  auto dir = std::filesystem::temp_directory_path() / ("masqd_hosts_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "hosts").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "10.1.1.1 disk\n";
  }
  auto f = read_hosts_file(path);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->records().size(), 1u);
  EXPECT_EQ(f->name(f->records()[0]), "disk");

  auto missing = read_hosts_file((dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "failed to load names from " + (dir / "nope").string() + ": No such file or directory");
  EXPECT_EQ(missing.error().code, 3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace masqd::local
