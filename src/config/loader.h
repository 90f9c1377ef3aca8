// Loader: turns a command line plus config files into a Config, with dnsmasq's rules
// (getopt_long semantics on argv; conf-file/conf-dir/conf-script reading; once-only
// options; file values overriding the command line; post-parse checks). Not for printing:
// callers print errors and the --help/--version texts (see usage.h).
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/option_spec.h"

namespace masqd::config {

// What the command line asked for besides running. Help, Version and OptionsMarkdown stop
// the command-line scan where they appear (no config file is read), as dnsmasq does.
enum class Action : uint8_t { Run, Help, Version, OptionsMarkdown };

struct LoadOutcome {
  Action action = Action::Run;
  std::string help_topic;  // for --help: "", "dhcp" or "dhcp6"
  Config config;
};

struct LoadOptions {
  // Read when no -C is given; a missing default file is not an error. Empty: none.
  std::string default_conf_file = "/etc/dnsmasq.conf";
  // false: conf-file, conf-dir and "-C -" are validated but read nothing (fuzzing).
  bool allow_includes = true;
  // false: conf-script is validated but never run (fuzzing, tests).
  bool allow_scripts = true;
  // false: server=<hostname> is refused instead of asking the system resolver (fuzzing).
  bool allow_name_lookups = true;
  // What "-C -" reads; nullptr means the process's stdin.
  std::FILE* stdin_source = nullptr;
};

// Reads argv (argv[0] is the program name) and every config file it implies, then runs
// each area's finalize() and refuses options whose feature is not built yet (unless
// --masqd-syntax-only). On failure the Error's message is the text dnsmasq prints after
// "<progname>: " (e.g. "bad option at line 3 of /etc/dnsmasq.conf"), and its code the exit
// status (1 config, 3 file system, 5 misc, 10 + wait status for a failed conf-script).
// dnsmasq writes such errors as "\n<progname>: <message>\n" on stderr (note the leading
// blank line), while "syntax check OK." has none.
// Not thread-safe: the command line is scanned with glibc getopt_long (global state).
Result<LoadOutcome> load(std::span<char* const> argv);
Result<LoadOutcome> load(std::span<char* const> argv, const LoadOptions& options);

// Reads a --servers-file the way dnsmasq does at start-up and on SIGHUP (never in --test):
// only server= and rev-server= lines are allowed; a bad line or a missing file is reported
// and skipped, never fatal. Parsed servers go into `config` through the DNS area's
// parsers. Returns one message per problem, ready to log, e.g.
// "illegal option at line 2 of /etc/servers.conf".
std::vector<std::string> read_servers_file(const std::string& path, Config& config);

// The state of one load: once-only bookkeeping and the files already read. load() drives
// it; the conf-file, conf-dir and conf-script parsers call back into it through
// ParseContext::loader. Tests and fuzzers may drive it directly.
class Loader {
 public:
  Loader(Config& config, LoadOptions options);

  // Scans argv with getopt_long semantics, applying options as they come (an extra -C is
  // read at once). Sets out.action when --help, --version or --masqd-options-markdown
  // is met, and stops there.
  Result<void> parse_command_line(std::span<char* const> argv, LoadOutcome& out);
  // Reads the first -C file given on the command line, or the default file.
  Result<void> read_main_config();
  // Reads `text` as if it were a config file called `name`.
  Result<void> read_text(std::string_view text, std::string_view name);
  // Runs every area's finalize(), then the "not supported yet" check.
  Result<void> finish();

  // Called by the conf-file, conf-dir and conf-script parsers.
  Result<void> conf_file(const OptArg* arg, const Origin& origin);
  Result<void> conf_dir(const OptArg& arg);
  Result<void> conf_script(const OptArg& arg);

  // Servers-file mode: only server=/rev-server= lines; line errors are collected into
  // `sink` and reading goes on.
  void set_servers_only(std::vector<std::string>* sink) { soft_errors_ = sink; }
  Result<void> read_file(const std::string& path, bool missing_ok);

 private:
  enum class Use : uint8_t { Unused, CommandLine, File };
  struct Source {
    std::string name;
    bool is_script = false;
  };

  Result<void> apply(const OptionSpec& spec, const OptArg* arg, const Origin& origin);
  Result<void> read_stream(std::FILE* f, const Source& source);
  Result<void> handle_chunk(std::string_view chunk, const Source& source, unsigned lineno);
  Error located(std::string message, const Source& source, unsigned lineno);
  Error fatal(std::string message, int code);
  bool already_read(const std::string& path);

  Config& config_;
  LoadOptions options_;
  std::map<const OptionSpec*, Use> used_;
  std::vector<std::pair<dev_t, ino_t>> files_read_;
  std::optional<std::string> main_conf_;
  bool stdin_read_ = false;
  unsigned depth_ = 0;
  bool fatal_ = false;  // the pending error is already complete: pass it up unchanged
  std::vector<std::string>* soft_errors_ = nullptr;
};

}  // namespace masqd::config
