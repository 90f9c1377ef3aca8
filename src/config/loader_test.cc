#include "config/loader.h"
#include "config/dns_parsers.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "config/option_table.h"

namespace masqd::config {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "masqd_loader_XXXXXX").string();
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

LoadOptions quiet_options() {
  LoadOptions o;
  o.default_conf_file.clear();
  return o;
}

Result<LoadOutcome> run(std::vector<std::string> args, const LoadOptions& options = quiet_options()) {
  args.insert(args.begin(), "masqd");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return load(std::span<char* const>(argv.data(), argv.size()), options);
}

std::string error_of(const Result<LoadOutcome>& r) { return r ? std::string("<ok>") : r.error().message; }

// ---- command line ----

TEST(LoaderCli, FlagsBundlesAndAttachedValues) {
  auto r = run({"--test", "-dk", "-x/tmp/p.pid", "-q"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_TRUE(r->config.process.test_only);
  EXPECT_TRUE(r->config.process.no_daemon);
  EXPECT_TRUE(r->config.process.keep_in_foreground);
  EXPECT_EQ(r->config.process.pid_file, "/tmp/p.pid");
  EXPECT_EQ(r->config.process.log_queries, LogQueries::On);
}

TEST(LoaderCli, UnambiguousPrefixesAndSeparateValues) {
  auto r = run({"--no-dae", "--log-fac", "local3", "-u", "nobody"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_TRUE(r->config.process.no_daemon);
  EXPECT_TRUE(r->config.process.log_facility.has_value());
  EXPECT_EQ(r->config.process.user, "nobody");
}

TEST(LoaderCli, OptionalValuesNeedEqualsOnTheCommandLine) {
  EXPECT_EQ(error_of(run({"--user", "nobody"})), "junk found in command line");
  EXPECT_EQ(error_of(run({"--log-queries", "extra"})), "junk found in command line");
  auto r = run({"--log-queries=extra", "--user=", "--pid-file", "--test"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.log_queries, LogQueries::Extra);
  EXPECT_EQ(r->config.process.user, "");
  EXPECT_EQ(r->config.process.pid_file, "");
}

TEST(LoaderCli, Errors) {
  EXPECT_EQ(error_of(run({"junk"})), "junk found in command line");
  EXPECT_EQ(error_of(run({"--nosuch"})), "bad command line options: try --help");
  EXPECT_EQ(error_of(run({"-C"})), "bad command line options: try --help");
  EXPECT_EQ(error_of(run({"--log-async=abc"})), "bad command line options: try --help");
  EXPECT_EQ(error_of(run({"--log-facility="})), "bad command line options: bad log facility");
  auto r = run({"--nosuch"});
  EXPECT_EQ(r.error().code, 1);
}

TEST(LoaderCli, BlankWordsAreNotJunk) { EXPECT_TRUE(run({"", " \t", "--test"})); }

TEST(LoaderCli, OnceOnlyOptionsRepeat) {
  EXPECT_EQ(error_of(run({"--log-async", "--log-async=3"})), "bad command line options: illegal repeated flag");
  EXPECT_EQ(error_of(run({"-u", "a", "--user=b"})), "bad command line options: illegal repeated flag");
  EXPECT_TRUE(run({"-d", "-d", "--no-daemon"}));
}

TEST(LoaderCli, HelpVersionAndMarkdownStopTheScan) {
  auto h = run({"--help", "dhcp"});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->action, Action::Help);
  EXPECT_EQ(h->help_topic, "dhcp");
  auto h6 = run({"-w", "dhcp6"});
  ASSERT_TRUE(h6);
  EXPECT_EQ(h6->help_topic, "dhcp6");
  auto h2 = run({"--test", "--help", "dhcp"});  // topic only when it is argv[2]
  ASSERT_TRUE(h2);
  EXPECT_EQ(h2->action, Action::Help);
  EXPECT_EQ(h2->help_topic, "");
  auto v = run({"-v", "--nosuch", "-C", "/nonexistent"});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->action, Action::Version);
  auto m = run({"--masqd-options-markdown"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->action, Action::OptionsMarkdown);
}

TEST(LoaderCli, WorkersExtension) {
  auto r = run({"--masqd-workers=4", "--test"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.workers, 4u);
  EXPECT_FALSE(run({"--masqd-workers=0"}));
  EXPECT_FALSE(run({"--masqd-workers=1025"}));
  EXPECT_FALSE(run({"--masqd-workers=99999999999999999999"}));
}

TEST(LoaderCli, LogOptions) {
  auto r = run({"--log-async=500", "-8", "-", "--log-dhcp", "--quiet-dhcp6", "--quiet-tftp"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.log_async, 100);
  EXPECT_EQ(r->config.process.log_target, ProcessConfig::LogTarget::Stderr);
  EXPECT_TRUE(r->config.process.log_dhcp);
  EXPECT_TRUE(r->config.process.quiet_dhcp6);
  EXPECT_TRUE(r->config.process.quiet_tftp);
  auto d = run({"--log-async", "--log-facility=/var/log/m.log"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->config.process.log_async, 5);
  EXPECT_EQ(d->config.process.log_target, ProcessConfig::LogTarget::File);
  EXPECT_EQ(d->config.process.log_file, "/var/log/m.log");
}

// ---- config files ----

TEST(LoaderFiles, MissingFiles) {
  auto r = run({"-C", "/nonexistent/masqd.conf"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot read /nonexistent/masqd.conf: No such file or directory");
  EXPECT_EQ(r.error().code, 3);
  LoadOptions o;
  o.default_conf_file = "/nonexistent/default.conf";
  EXPECT_TRUE(run({}, o));  // a missing default file is fine
}

TEST(LoaderFiles, DefaultFileIsReadWithoutC) {
  TempDir t;
  LoadOptions o;
  o.default_conf_file = t.file("d.conf", "user=fromdefault\n");
  auto r = run({}, o);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.user, "fromdefault");
  auto r2 = run({"-C", t.file("other.conf", "\n")}, o);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(r2->config.process.user.has_value());
}

TEST(LoaderFiles, ErrorMessagesCarryLineAndFile) {
  TempDir t;
  auto check = [&](const std::string& content, const std::string& want) {
    std::string p = t.file("e.conf", content);
    auto r = run({"-C", p});
    ASSERT_FALSE(r) << content;
    EXPECT_EQ(r.error().message, want + " of " + p) << content;
    EXPECT_EQ(r.error().code, 1);
  };
  check("nosuch\n", "bad option at line 1");
  check("\n#x\nno-dae\n", "bad option at line 3");
  check("no-daemon=1\n", "extraneous parameter at line 1");
  check("log-facility\n", "missing parameter at line 1");
  check("log-async=x\n", "error at line 1");
  check("log-facility=nope\n", "bad log facility at line 1");
  check("user=\"abc\n", "missing \" at line 1");
  check("user=a\nuser=b\n", "illegal repeated keyword at line 2");
  // An alias counts as the same option.
  if (find_option("dhcp-lease") && find_option("dhcp-leasefile"))
    check("dhcp-lease=a\ndhcp-leasefile=b\n", "illegal repeated keyword at line 2");
}

TEST(LoaderFiles, LongLinesAreSplitLikeDnsmasq) {
  TempDir t;
  std::string p = t.file("l.conf", "#" + std::string(1999, 'x') + "\nuser=a\n");
  EXPECT_EQ(error_of(run({"-C", p})), "bad option at line 2 of " + p);
  std::string p2 = t.file("l2.conf", "#" + std::string(1023, 'x') + "\nlog-async=x\n");
  EXPECT_EQ(error_of(run({"-C", p2})), "error at line 3 of " + p2);
  std::string p3 = t.file("l3.conf", "#" + std::string(100000, 'x') + "\n");
  EXPECT_EQ(error_of(run({"-C", p3})), "bad option at line 2 of " + p3);
}

TEST(LoaderFiles, BinaryGarbageIsAnErrorNotACrash) {
  TempDir t;
  std::string bytes;
  for (int i = 0; i < 1024; ++i) bytes.push_back(static_cast<char>(i & 0xff));
  std::string p = t.file("g.conf", bytes);
  EXPECT_EQ(error_of(run({"-C", p})), "missing \" at line 2 of " + p);
  std::string p2 = t.file("g2.conf", std::string("\0user=x\nuser=y\n", 15));
  auto r = run({"-C", p2});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.user, "y");
}

TEST(LoaderFiles, FileValueOverridesCommandLine) {
  TempDir t;
  std::string p = t.file("o.conf", "user=fromfile\nlog-async=7\n");
  auto r = run({"-u", "fromcli", "--log-async=2", "-C", p});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.user, "fromfile");
  EXPECT_EQ(r->config.process.log_async, 7);
}

TEST(LoaderFiles, ExtraCIsReadImmediatelyMainLast) {
  TempDir t;
  std::string a = t.file("a.conf", "user=a\n");
  std::string b = t.file("b.conf", "user=b\n");
  // b (second -C) is read during the scan, a (first -C) after it: a repeats the keyword.
  EXPECT_EQ(error_of(run({"-C", a, "-C", b})), "illegal repeated keyword at line 1 of " + a);
  // The same file twice is read once.
  EXPECT_TRUE(run({"-C", a, "-C", a}));
  // An immediately read file marks the option; a later CLI value is still allowed.
  EXPECT_EQ(error_of(run({"-C", b, "-C", a, "-u", "c"})), "illegal repeated keyword at line 1 of " + b);
}

TEST(LoaderFiles, IncludesAndLoops) {
  TempDir t;
  std::string x = t.path() + "/x.conf";
  std::string y = t.file("y.conf", "conf-file=" + x + "\nuser=y\n");
  t.file("x.conf", "conf-file=" + y + "\nconf-file=" + x + "\nlog-async=3\n");
  auto r = run({"-C", x});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.user, "y");
  EXPECT_EQ(r->config.process.log_async, 3);
  std::string m = t.file("m.conf", "conf-file=/nonexistent/zz.conf\n");
  auto r2 = run({"-C", m});
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().message, "cannot read /nonexistent/zz.conf: No such file or directory");
  EXPECT_EQ(r2.error().code, 3);
}

TEST(LoaderFiles, CliOnlyOptionsAreIgnoredInFiles) {
  TempDir t;
  std::string p = t.file("c.conf", "test\nhelp\nversion\nmasqd-options-markdown\nconf-file\nconf-file=\n");
  auto r = run({"-C", p});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->action, Action::Run);
  EXPECT_FALSE(r->config.process.test_only);
}

TEST(LoaderFiles, StdinIsReadOnce) {
  TempDir t;
  std::string in = t.file("in.txt", "user=fromstdin\n");
  std::FILE* f = std::fopen(in.c_str(), "r");
  ASSERT_NE(f, nullptr);
  LoadOptions o = quiet_options();
  o.stdin_source = f;
  auto r = run({"-C", "-", "-C", "-"}, o);
  std::fclose(f);
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.user, "fromstdin");

  std::string bad = t.file("bad.txt", "log-async=x\n");
  std::FILE* f2 = std::fopen(bad.c_str(), "r");
  o.stdin_source = f2;
  auto r2 = run({"-C", "-"}, o);
  std::fclose(f2);
  EXPECT_EQ(error_of(r2), "error at line 1 of stdin");
}

TEST(LoaderFiles, IncludesCanBeDisabled) {
  TempDir t;
  std::string p = t.file("i.conf", "conf-file=/nonexistent\nconf-dir=/nonexistent\nconf-script=exit 3\n");
  LoadOptions o = quiet_options();
  o.allow_includes = false;
  o.allow_scripts = false;
  Config c;
  Loader loader(c, o);
  EXPECT_TRUE(loader.read_text("conf-file=/nonexistent\nconf-dir=/nonexistent\nconf-script=exit 3\n", "mem"));
  EXPECT_EQ(error_of(run({"-C", p})), "cannot read /nonexistent: No such file or directory");
}

// ---- conf-dir ----

class ConfDir : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.file("d/a.conf", "log-async=3\n");
    t_.file("d/b.txt", "bogus\n");
    t_.file("d/.hidden", "bogus\n");
    t_.file("d/c~", "bogus\n");
    t_.file("d/#d#", "bogus\n");
    fs::create_directories(t_.path() + "/d/sub.conf");
    dir_ = t_.path() + "/d";
  }
  TempDir t_;
  std::string dir_;
};

TEST_F(ConfDir, ReadsAllRegularFilesInOrder) {
  EXPECT_EQ(error_of(run({"-7", dir_})), "bad option at line 1 of " + dir_ + "/b.txt");
}

TEST_F(ConfDir, SuffixFilters) {
  auto r = run({"-7", dir_ + ",*.conf"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.log_async, 3);
  EXPECT_TRUE(run({"--conf-dir=" + dir_ + ", .txt , .bak"}));
  EXPECT_FALSE(run({"--conf-dir=" + dir_ + ",*.txt,*.conf"}));
  // A suffix must be shorter than the name: "*b.txt" does not select "b.txt".
  auto r2 = run({"-7", dir_ + ",*b.txt"});
  ASSERT_TRUE(r2) << error_of(r2);
  EXPECT_EQ(r2->config.process.log_async, 0);
}

TEST_F(ConfDir, MissingAndNotADirectory) {
  auto r = run({"-7", "/nonexistent/dir"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot access directory /nonexistent/dir: No such file or directory");
  EXPECT_EQ(r.error().code, 3);
  auto r2 = run({"-7", dir_ + "/a.conf"});
  EXPECT_EQ(error_of(r2), "cannot access directory " + dir_ + "/a.conf: Not a directory");
  EXPECT_TRUE(run({"--conf-dir="}));
}

TEST_F(ConfDir, DanglingSymlinkIsFatal) {
  fs::create_symlink("/nonexistent/target", dir_ + "/z.conf");
  auto r = run({"-7", dir_ + ",*.conf"});
  EXPECT_EQ(error_of(r), "cannot access " + dir_ + "/z.conf: No such file or directory");
  EXPECT_EQ(r.error().code, 3);
}

TEST_F(ConfDir, SelfIncludingDirectoryTerminates) {
  t_.file("d/loop.conf", "conf-dir=" + dir_ + ",*.conf\nconf-file=" + dir_ + "/loop.conf\n");
  fs::create_symlink(dir_, dir_ + "/self.conf");  // a directory: skipped
  auto r = run({"-7", dir_ + ",*.conf"});
  ASSERT_TRUE(r) << error_of(r);
}

// ---- conf-script ----

TEST(LoaderScript, OutputIsParsedAndExitStatusChecked) {
  auto r = run({"--conf-script=echo user=fromscript"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.user, "fromscript");
  EXPECT_EQ(error_of(run({"--conf-script=echo log-async=x"})), "error in output from echo log-async=x");
  auto e = run({"--conf-script=exit 3"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "exit 3 returns non-zero error code");
  EXPECT_EQ(e.error().code, 10);  // dnsmasq 2.90 adds 10 to the raw wait status
  auto k = run({"--conf-script=kill -9 $$"});
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, 19);
}

// ---- once-only, not-yet, finish ----

TEST(LoaderChecks, NotYetOptionsStopUnlessSyntaxOnly) {
  Config c;
  c.not_yet.push_back("dhcp-range");
  Loader loader(c, quiet_options());
  auto r = loader.finish();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "option --dhcp-range is not supported yet");
  EXPECT_EQ(r.error().code, 1);
  c.process.syntax_only = true;
  EXPECT_FALSE(loader.finish());  // only together with --test
  c.process.test_only = true;
  EXPECT_TRUE(loader.finish());

  // The loader records not-yet options by itself: find one the table has, with a value its
  // parser accepts, and check it is reported once and let through by --masqd-syntax-only.
  for (const auto* s : all_options()) {
    if (s->support != Support::NotYet) continue;
    for (std::string value : {"", "=1", "=/tmp/x", "=127.0.0.1"}) {
      if ((s->arg == ArgShape::Required) == value.empty()) continue;
      std::string opt = "--" + std::string(s->name) + value;
      // Twice when the option may repeat: it is still reported once.
      std::vector<std::string> args{opt};
      if (s->repeat == Repeat::Many) args.push_back(opt);
      auto r2 = run(args);
      if (r2 || r2.error().message.find("not supported yet") == std::string::npos) continue;
      EXPECT_EQ(r2.error().message, "option --" + std::string(canonical_option(*s).name) + " is not supported yet");
      args.push_back("--masqd-syntax-only");
      EXPECT_FALSE(run(args));  // without --test the daemon still refuses
      args.push_back("--test");
      auto r3 = run(args);
      ASSERT_TRUE(r3) << error_of(r3);
      EXPECT_EQ(r3->config.not_yet.size(), 1u);
      return;
    }
  }
  GTEST_SKIP() << "no repeatable not-yet option in the table";
}

TEST(LoaderChecks, ServersFileIsStoredNotRead) {
  auto r = run({"--servers-file=/nonexistent/servers"});
  ASSERT_TRUE(r) << error_of(r);
  EXPECT_EQ(r->config.process.servers_file, "/nonexistent/servers");
  EXPECT_EQ(error_of(run({"--servers-file=a", "--servers-file=b"})), "bad command line options: illegal repeated flag");
}

TEST(LoaderChecks, ServersFileAllowsOnlyServerLines) {
  TempDir t;
  std::string p = t.file("s.conf", "user=x\n\nnosuch\n");
  Config c;
  auto problems = read_servers_file(p, c);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "illegal option at line 1 of " + p);
  EXPECT_EQ(problems[1], "bad option at line 3 of " + p);
  EXPECT_FALSE(c.process.user.has_value());
  auto missing = read_servers_file("/nonexistent/s", c);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0], "cannot read /nonexistent/s: No such file or directory");
}

}  // namespace
}  // namespace masqd::config

namespace masqd::config {
namespace {

// Plain "address=/dom/..." lines skip the general lexer; they must read exactly as lexed
// lines do, and lines the lexer would change must still go through it.
TEST(LoaderFiles, PlainAddressLinesReadAsLexedOnes) {
  TempDir t;
  const std::string plain =
      "address=/ads.example/\naddress=/Zero.Example/#\naddress=/ads.example/192.0.2.7\n"
      "address=/a.test/b.test/192.0.2.1\n"
      "address=/#/::\naddress=//192.0.2.9\naddress=/*wild.test/192.0.2.8\n"
      "address=/..Lead.Dots./2001:DB8::1\naddress=/under_score-dash.test/0.0.0.0\naddress=/a..b/\n";
  // The same entries in forms the fast path leaves to the lexer (spaces, comments, quotes).
  const std::string lexed =
      "address = /ads.example/\naddress=/Zero.Example/# \naddress=\"/ads.example/192.0.2.7\"\n"
      "address=\"/a.test/b.test/192.0.2.1\"\n"
      "address=/#/:: # comment\n address=//192.0.2.9\naddress=/*wild.test/192.0.2.8 \n"
      "address=\"/..Lead.Dots./2001:DB8::1\"\naddress= /under_score-dash.test/0.0.0.0\naddress=/a..b/ \n";
  auto a = run({"-C", t.file("a.conf", plain)});
  auto b = run({"-C", t.file("b.conf", lexed)});
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  const auto& x = a->config.dns.addresses;
  const auto& y = b->config.dns.addresses;
  ASSERT_EQ(x.size(), 10u);
  ASSERT_EQ(y.size(), x.size());
  // The first three are plain: hashed, with their answers in config order.
  using A = AddressRuleList::Answer;
  const std::vector<A> ads{A{AddressRule::Kind::NoAnswer, {}}, A{AddressRule::Kind::Literal, *IpAddr::parse("192.0.2.7")}};
  EXPECT_EQ(x.plain_answers("ads.example"), ads);
  EXPECT_EQ(y.plain_answers("ads.example"), ads);
  EXPECT_EQ(x.plain_answers("zero.example"), (std::vector<A>{A{AddressRule::Kind::AllZeros, {}}}));
  EXPECT_EQ(y.plain_answers("zero.example"), x.plain_answers("zero.example"));
  EXPECT_EQ(x.plain_set()->size(), 2u);
  // From the first entry of another form on, entries are kept in order, plain ones too.
  EXPECT_TRUE(x.plain_answers("lead.dots").empty());
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(x[i].kind, y[i].kind) << i;
    EXPECT_EQ(x[i].addr, y[i].addr) << i;
    EXPECT_EQ(x[i].domains, y[i].domains) << i;
  }
  EXPECT_EQ(x[0].domains.size(), 2u);
  EXPECT_EQ(x[4].domains[0].name, "lead.dots");
  EXPECT_EQ(x[6].domains[0].name, "a..b");
  // Errors keep their file and line.
  std::string bad = t.file("bad.conf", "address=/ok.test/\naddress=/x.test/999.1.1.1\n");
  auto r = run({"-C", bad});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "Bad address in --address at line 2 of " + bad);
}

// add_plain_address stores exactly what parse_address stores, or nothing (and says so).
TEST(LoaderFiles, PlainAddressFormAgreesWithTheParser) {
  struct Case {
    const char* value;
    const char* domain;  // as stored, for the plain ones
  };
  const Case cases[] = {{"/a.test/", "a.test"},
                        {"/A.Test/#", "a.test"},
                        {"/.a.test./192.0.2.1", "a.test"},
                        {"/a.test/::", "a.test"},
                        {"/a.test/2001:db8::5", "a.test"},
                        {"/under_score-x.test/0.0.0.0", "under_score-x.test"},
                        {"/a.test/b.test/", nullptr},
                        {"/a..b/", nullptr},
                        {"/*a.test/", nullptr},
                        {"/a.test/999.1.1.1", nullptr},
                        {"/a.test/abc", nullptr},
                        {"//", nullptr},
                        {"/#/", nullptr},
                        {"/a.test", nullptr},
                        {"/./", nullptr},
                        {"/a b/", nullptr}};
  const OptionSpec& spec = *find_option("address");
  for (const auto& c : cases) {
    Config plain, parsed;
    const bool took = dnsopt::add_plain_address(plain.dns, c.value);
    EXPECT_EQ(took, c.domain != nullptr) << c.value;
    if (!took) {
      EXPECT_EQ(plain.dns.addresses.size(), 0u) << c.value;
      continue;
    }
    const Origin origin;
    ParseContext ctx{parsed, origin, nullptr, false};
    OptArg arg{std::string(c.value)};
    ASSERT_TRUE(spec.parse(ctx, &arg)) << c.value;
    plain.dns.addresses.finish();
    parsed.dns.addresses.finish();
    EXPECT_EQ(plain.dns.addresses.size(), 1u) << c.value;
    EXPECT_EQ(parsed.dns.addresses.size(), 1u) << c.value;
    EXPECT_EQ(plain.dns.addresses.plain_answers(c.domain).size(), 1u) << c.value;
    EXPECT_EQ(plain.dns.addresses.plain_answers(c.domain), parsed.dns.addresses.plain_answers(c.domain)) << c.value;
  }
}

TEST(AddressRuleList, HashesLeadingPlainEntriesAndKeepsTheRestInOrder) {
  AddressRuleList list;
  AddressRule multi;
  multi.domains = {DomainPattern{DomainPattern::Kind::Suffix, "a.test", false},
                   DomainPattern{DomainPattern::Kind::Suffix, "b.test", true}};
  multi.kind = AddressRule::Kind::Literal;
  multi.addr = *IpAddr::parse("192.0.2.1");
  AddressRule none;  // no /dom/ part
  none.kind = AddressRule::Kind::AllZeros;
  for (int i = 0; i < 1000; ++i) {
    AddressRule r;
    r.domains = {DomainPattern{DomainPattern::Kind::Suffix, "n" + std::to_string(i) + ".test", false}};
    list.push_back(r);
  }
  // The same domain again, with an address and then with the same answer as before: one row
  // with both answers, in config order; the repeat adds nothing.
  AddressRule again;
  again.domains = {DomainPattern{DomainPattern::Kind::Suffix, "n5.test", false}};
  again.kind = AddressRule::Kind::Literal;
  again.addr = *IpAddr::parse("192.0.2.5");
  list.push_back(again);
  list.push_back(again);
  list.push_back(multi);
  list.push_back(none);
  AddressRule late;  // plain, but after entries of other forms
  late.domains = {DomainPattern{DomainPattern::Kind::Suffix, "late.test", false}};
  list.push_back(late);
  list.finish();
  EXPECT_EQ(list.size(), 1005u);
  EXPECT_EQ(list.plain_set()->size(), 1000u);
  EXPECT_EQ(list.domain_count(), 4u);  // multi's two, none's one, late's one
  using A = AddressRuleList::Answer;
  EXPECT_EQ(list.plain_answers("n999.test"), (std::vector<A>{A{}}));
  EXPECT_EQ(list.plain_answers("n5.test"), (std::vector<A>{A{}, A{AddressRule::Kind::Literal, again.addr}}));
  EXPECT_EQ(list.plain_rows().size(), 3u);  // NXDOMAIN, 192.0.2.5, and the two together
  EXPECT_TRUE(list.plain_answers("late.test").empty());
  EXPECT_EQ(list[0].domains, multi.domains);
  EXPECT_EQ(list[0].addr, multi.addr);
  EXPECT_TRUE(list[1].domains.empty());
  EXPECT_EQ(list[1].kind, AddressRule::Kind::AllZeros);
  EXPECT_EQ(list[2].domains, late.domains);
  size_t any = 0, last_rule = 0;
  list.for_each_domain([&](size_t rule, const AddressRuleList::DomainView& d, const AddressRuleList::Answer&) {
    last_rule = rule;
    if (d.kind == DomainPattern::Kind::Any) ++any;
  });
  EXPECT_EQ(any, 1u);
  EXPECT_EQ(last_rule, 1004u);
  AddressRuleList copy = list;
  EXPECT_EQ(copy.plain_answers("n5.test"), list.plain_answers("n5.test"));
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.domain_count(), 0u);
  EXPECT_EQ(list.plain_set()->size(), 0u);
  EXPECT_EQ(copy.plain_set()->size(), 1000u);
}

// TFTP is built; only the MAC form of --tftp-unique-root still waits for the lease table.
TEST(LoaderChecks, TftpOptionsBuiltExceptUniqueRootMac) {
  EXPECT_TRUE(run({"--enable-tftp", "--tftp-root=/srv", "--tftp-unique-root", "--tftp-secure",
                   "--tftp-no-fail", "--tftp-max=5", "--tftp-mtu=1400", "--tftp-no-blocksize",
                   "--tftp-lowercase", "--tftp-port-range=2000,2010", "--tftp-single-port"}));
  auto r = run({"--enable-tftp", "--tftp-unique-root=mac"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "option --tftp-unique-root=mac is not supported yet");
}

// --dhcp-boot is built, except a TFTP server given by name (looked up in the hosts data).
TEST(LoaderChecks, DhcpBootBuiltExceptServerName) {
  EXPECT_TRUE(run({"--dhcp-boot=pxelinux.0,boot,192.0.2.7", "--dhcp-boot=tag:x,a.0"}));
  auto r = run({"--dhcp-boot=pxelinux.0,boot,tftp.lan"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "option --dhcp-boot (TFTP server name) is not supported yet");
}

}  // namespace
}  // namespace masqd::config
