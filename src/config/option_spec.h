// The shape of one row of the option table, and what a value parser receives.
// Every dnsmasq option is declared exactly once as an OptionSpec in one of the
// options_<area>.cc files; option_table.cc joins the areas. Not for I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace masqd::config {

struct Config;
class Loader;

enum class ArgShape : uint8_t {
  None,      // flag: "--name" (a value is an error: "extraneous parameter")
  Required,  // "--name=value" or "--name value" on the command line
  Optional,  // "--name" or "--name=value" (on the command line only the '=' form)
};

enum class Repeat : uint8_t {
  Many,  // may be given any number of times
  Once,  // once on the command line and once across files; a file value overrides the CLI
};

enum class Support : uint8_t {
  Built,   // parsed and acted on
  NotYet,  // parsed and validated, but start-up and --test stop with "not supported yet"
  NoOp,    // accepted and ignored, exactly as dnsmasq does on Linux (documented per row)
};

// Where an option came from; used in error messages and once-only bookkeeping.
struct Origin {
  bool from_file = false;
  std::string file;   // config file path as given (empty for the command line)
  unsigned line = 0;  // 1-based line in `file`
};

// An option's value. On the command line it is the raw argv text. From a config file it is
// the text after dnsmasq's unquoting: quotes removed, escapes (\\ \" \t \n \r \b \e)
// applied; `quoted(i)` tells whether byte i stood inside double quotes, where separators
// (',' ':' '.' '#'), and also digits, hex letters and spaces, lose their special meaning to
// value parsers (so "3" is text, not an option number).
class OptArg {
 public:
  OptArg() = default;
  explicit OptArg(std::string text) : text_(std::move(text)), quoted_(text_.size(), false) {}
  OptArg(std::string text, std::vector<bool> quoted) : text_(std::move(text)), quoted_(std::move(quoted)) {}

  const std::string& text() const { return text_; }
  std::string_view view() const { return text_; }
  bool quoted(size_t i) const { return i < quoted_.size() && quoted_[i]; }
  bool empty() const { return text_.empty(); }

  // Splits at every unquoted `sep`; pieces keep their quoted marks.
  std::vector<OptArg> split(char sep) const;
  // Position of the first unquoted `c` at or after `from`, or npos.
  size_t find_unquoted(char c, size_t from = 0) const;
  // Sub-range [pos, pos+len) with its marks.
  OptArg substr(size_t pos, size_t len = std::string::npos) const;
  // Leading and trailing unquoted whitespace removed.
  OptArg trimmed() const;

 private:
  std::string text_;
  std::vector<bool> quoted_;
};

// What a value parser gets: the config being built, where the option came from, and the
// loader (for options that read further files, such as conf-file and conf-dir).
struct ParseContext {
  Config& config;
  const Origin& origin;
  Loader* loader = nullptr;
  // false: parsers must not ask the system resolver (server=<hostname>); fuzzers set this so
  // that nothing leaves the machine.
  bool resolve_names = true;
};

// Validates `arg` (absent for flags and for Optional options given without a value) and
// stores the typed result into ctx.config. On error returns an Error whose message is
// dnsmasq's text for that failure (e.g. "bad port"); an empty message means dnsmasq's
// generic "error" / "try --help".
using ParseFn = Result<void> (*)(ParseContext& ctx, const OptArg* arg);

struct OptionSpec {
  std::string_view name;     // long name, without "--"
  char short_name;           // one-letter form, or 0
  ArgShape arg;
  Repeat repeat;
  Support support;
  std::string_view metavar;  // shown in --help, e.g. "<ipaddr>"
  std::string_view help;     // one line, our own words
  ParseFn parse;
  bool extension = false;    // a masqd-only option (not in dnsmasq 2.90)
  // For a second name of the same option (e.g. "dhcp-lease" for "dhcp-leasefile"): the
  // canonical name. Once-only bookkeeping is per canonical option.
  std::string_view alias_of = {};
};

}  // namespace masqd::config
