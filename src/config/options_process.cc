// Process, config-file and logging options, and masqd's own extension options.
// One row per option; parsers beside their rows. Shapes follow dnsmasq 2.90's getopt table
// (e.g. --user, --group and --pid-file take an optional value), not its man page.
#include <syslog.h>

#include <algorithm>

#include "base/text.h"
#include "config/config.h"
#include "config/conf_lexer.h"
#include "config/loader.h"
#include "config/option_table.h"

namespace masqd::config {

namespace {

// True when `arg` spells `word` (ignoring case if asked) with no character that dnsmasq
// hides inside quotes: dnsmasq compares such values without unhiding them first.
bool plain_is(const OptArg& arg, std::string_view word, bool nocase) {
  const std::string& t = arg.text();
  if (nocase ? !text::iequals(t, word) : t != word) return false;
  for (size_t i = 0; i < t.size(); ++i)
    if (arg.quoted(i) && is_hidden_in_quotes(t[i])) return false;
  return true;
}

struct Facility {
  std::string_view name;
  int code;
};

// The names glibc's <syslog.h> knows (dnsmasq uses that list), "mark" included.
constexpr Facility kFacilities[] = {
    {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
    {"ftp", LOG_FTP},       {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
    {"mark", LOG_NFACILITIES << 3},                     {"news", LOG_NEWS},     {"security", LOG_AUTH},
    {"syslog", LOG_SYSLOG}, {"user", LOG_USER},         {"uucp", LOG_UUCP},     {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},     {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},     {"local7", LOG_LOCAL7},
};

constexpr unsigned kMaxWorkers = 1024;
constexpr int kLogAsyncDefault = 5;
constexpr int kLogAsyncMax = 100;

Result<void> parse_conf_file(ParseContext& ctx, const OptArg* arg) {
  return ctx.loader ? ctx.loader->conf_file(arg, ctx.origin) : ok();
}

Result<void> parse_conf_dir(ParseContext& ctx, const OptArg* arg) {
  return ctx.loader ? ctx.loader->conf_dir(*arg) : ok();
}

Result<void> parse_conf_script(ParseContext& ctx, const OptArg* arg) {
  return ctx.loader ? ctx.loader->conf_script(*arg) : ok();
}

Result<void> parse_servers_file(ParseContext& ctx, const OptArg* arg) {
  if (arg->empty())
    ctx.config.process.servers_file.reset();
  else
    ctx.config.process.servers_file = arg->text();
  return ok();
}

Result<void> parse_test(ParseContext& ctx, const OptArg*) {
  if (!ctx.origin.from_file) ctx.config.process.test_only = true;  // ignored in files
  return ok();
}

// --help, --version and --masqd-options-markdown act on the command line only (the loader
// stops there); in a file dnsmasq accepts and ignores them.
Result<void> parse_cli_action(ParseContext&, const OptArg*) { return ok(); }

// -u/-g/-x: no value or an empty one means "do not change user" / "no group change" /
// "no pid file".
Result<void> parse_user(ParseContext& ctx, const OptArg* arg) {
  ctx.config.process.user = arg ? arg->text() : std::string();
  return ok();
}

Result<void> parse_group(ParseContext& ctx, const OptArg* arg) {
  ctx.config.process.group = arg ? arg->text() : std::string();
  return ok();
}

Result<void> parse_pid_file(ParseContext& ctx, const OptArg* arg) {
  ctx.config.process.pid_file = arg ? arg->text() : std::string();
  return ok();
}

Result<void> parse_log_facility(ParseContext& ctx, const OptArg* arg) {
  auto& p = ctx.config.process;
  const std::string& t = arg->text();
  if (t.find('/') != std::string::npos) {
    p.log_target = ProcessConfig::LogTarget::File;
    p.log_file = t;
    return ok();
  }
  if (t == "-") {
    p.log_target = ProcessConfig::LogTarget::Stderr;
    p.log_file = t;
    return ok();
  }
  for (const auto& f : kFacilities) {
    if (plain_is(*arg, f.name, true)) {
      p.log_facility = f.code;
      return ok();
    }
  }
  return make_error("bad log facility");
}

Result<void> parse_log_queries(ParseContext& ctx, const OptArg* arg) {
  auto& q = ctx.config.process.log_queries;
  // dnsmasq 2.90 knows only "extra"; any other value just turns logging on.
  if (arg && plain_is(*arg, "extra", false)) {
    q = LogQueries::Extra;
  } else if (q == LogQueries::Off)
    q = LogQueries::On;
  return ok();
}

Result<void> parse_log_async(ParseContext& ctx, const OptArg* arg) {
  int n = kLogAsyncDefault;
  if (arg) {
    // Digits only ("" counts as 0); large values are capped, as dnsmasq caps at 100.
    const std::string& t = arg->text();
    unsigned long long v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return make_error("");
      if (v <= kLogAsyncMax) v = v * 10 + static_cast<unsigned>(c - '0');
    }
    n = static_cast<int>(std::min<unsigned long long>(v, kLogAsyncMax));
  }
  ctx.config.process.log_async = n;
  return ok();
}

Result<void> parse_workers(ParseContext& ctx, const OptArg* arg) {
  auto v = text::parse_uint<unsigned>(arg->view());
  if (!v || *v < 1 || *v > kMaxWorkers) return make_error("bad number of workers (1 to 1024)");
  ctx.config.process.workers = *v;
  return ok();
}

#define MASQD_FLAG(field)                                         \
  [](ParseContext& ctx, const OptArg*) -> Result<void> {          \
    ctx.config.process.field = true;                              \
    return ok();                                                  \
  }

const OptionSpec kProcessOptions[] = {
    {"conf-file", 'C', ArgShape::Optional, Repeat::Many, Support::Built, "<path>",
     "Read options from this file too (default /etc/dnsmasq.conf; \"-\" is stdin).",
     parse_conf_file},
    {"conf-dir", '7', ArgShape::Required, Repeat::Many, Support::Built, "<path>[,<suffix>...]",
     "Read every file in a directory, filtered by suffixes (\".bak\" skips, \"*.conf\" keeps).",
     parse_conf_dir},
    {"conf-script", 0, ArgShape::Required, Repeat::Many, Support::Built, "<command>",
     "Run a shell command and read options from what it prints.", parse_conf_script},
    {"servers-file", 0, ArgShape::Required, Repeat::Once, Support::Built, "<path>",
     "Read upstream server= lines from a file, again on every SIGHUP.", parse_servers_file},
    {"test", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Check the configuration's syntax and exit.", parse_test},
    {"help", 'w', ArgShape::None, Repeat::Many, Support::Built, "",
     "Show this list of options (\"--help dhcp\" or \"--help dhcp6\": known DHCP options).",
     parse_cli_action},
    {"version", 'v', ArgShape::None, Repeat::Many, Support::Built, "",
     "Show the version and the features built in, then exit.", parse_cli_action},
    {"no-daemon", 'd', ArgShape::None, Repeat::Many, Support::Built, "",
     "Debug mode: stay in the foreground, log to stderr too, keep privileges.",
     MASQD_FLAG(no_daemon)},
    {"keep-in-foreground", 'k', ArgShape::None, Repeat::Many, Support::Built, "",
     "Stay in the foreground, but otherwise run as a normal daemon.",
     MASQD_FLAG(keep_in_foreground)},
    {"user", 'u', ArgShape::Optional, Repeat::Once, Support::Built, "<username>",
     "User to switch to after start-up (default nobody; empty: keep the current one).",
     parse_user},
    {"group", 'g', ArgShape::Optional, Repeat::Once, Support::Built, "<groupname>",
     "Group to switch to after start-up (default dip if it exists).", parse_group},
    {"pid-file", 'x', ArgShape::Optional, Repeat::Once, Support::Built, "<path>",
     "Where to write the process id (default /var/run/dnsmasq.pid; empty: nowhere).",
     parse_pid_file},
    {"log-facility", '8', ArgShape::Required, Repeat::Once, Support::Built, "<facility>|<file>",
     "Syslog facility to log to, or a file path, or \"-\" for stderr.", parse_log_facility},
    {"log-queries", 'q', ArgShape::Optional, Repeat::Many, Support::Built, "[=extra]",
     "Log each DNS query and how it was answered (\"extra\": with serial and client).",
     parse_log_queries},
    {"log-async", 0, ArgShape::Optional, Repeat::Once, Support::Built, "[=<integer>]",
     "Queue up to this many log lines instead of blocking (default 5, at most 100).",
     parse_log_async},
    {"log-debug", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Log additional detail meant for debugging.", MASQD_FLAG(log_debug)},
    {"log-dhcp", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Log every step of DHCP exchanges, including options and tags.", MASQD_FLAG(log_dhcp)},
    {"quiet-dhcp", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Leave out the routine per-packet DHCPv4 log lines.", MASQD_FLAG(quiet_dhcp)},
    {"quiet-dhcp6", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Leave out the routine per-packet DHCPv6 log lines.", MASQD_FLAG(quiet_dhcp6)},
    {"quiet-ra", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Leave out the routine router-advertisement log lines.", MASQD_FLAG(quiet_ra)},
    {"quiet-tftp", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Leave out the routine TFTP log lines.", MASQD_FLAG(quiet_tftp)},

    // masqd extensions (not in dnsmasq 2.90).
    {"masqd-syntax-only", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Accept options whose feature masqd does not have yet (for syntax checks only).",
     MASQD_FLAG(syntax_only), true},
    {"masqd-workers", 0, ArgShape::Required, Repeat::Once, Support::Built, "<integer>",
     "Number of DNS worker threads, 1 to 1024 (default: one per CPU).", parse_workers, true},
    {"masqd-options-markdown", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Print the table of all options as Markdown (docs/options.md) and exit.",
     parse_cli_action, true},
};

#undef MASQD_FLAG

}  // namespace

OptionArea process_area() { return {"process", kProcessOptions, nullptr}; }

}  // namespace masqd::config
