#include "config/loader.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/text.h"
#include "config/conf_lexer.h"
#include "config/dns_parsers.h"
#include "config/option_table.h"

extern char** environ;  // NOLINT: POSIX, for posix_spawn

namespace masqd::config {

namespace {

// dnsmasq does not bound include nesting (each file is read once, so it ends); a bound
// keeps a chain of thousands of distinct files from exhausting the stack.
constexpr unsigned kMaxIncludeDepth = 256;

// getopt_long returns kLongBase + row index for long options, so they never clash with
// the one-letter forms.
constexpr int kLongBase = 0x1000;

// The struct option array and optstring for glibc's getopt_long, built once from the table.
// Aliases get the value of their canonical row, so getopt does not call a prefix that
// matches both ambiguous (as dnsmasq's table does).
struct GetoptTable {
  std::vector<std::string> names;
  std::vector<option> longopts;
  std::string shortopts;
};

int has_arg_of(ArgShape shape) {
  switch (shape) {
    case ArgShape::None: return no_argument;
    case ArgShape::Required: return required_argument;
    case ArgShape::Optional: return optional_argument;
  }
  return no_argument;
}

const GetoptTable& getopt_table() {
  static const GetoptTable table = [] {
    GetoptTable t;
    const auto& all = all_options();
    t.names.reserve(all.size());
    for (const auto* spec : all) t.names.emplace_back(spec->name);
    for (size_t i = 0; i < all.size(); ++i) {
      const OptionSpec& canon = canonical_option(*all[i]);
      auto pos = std::find(all.begin(), all.end(), &canon) - all.begin();
      t.longopts.push_back(option{t.names[i].c_str(), has_arg_of(canon.arg), nullptr,
                                  kLongBase + static_cast<int>(pos)});
      if (all[i]->short_name != 0 && all[i]->alias_of.empty()) {
        t.shortopts.push_back(all[i]->short_name);
        if (short_arg_shape(*all[i]) == ArgShape::Required) t.shortopts.push_back(':');
      }
    }
    t.longopts.push_back(option{nullptr, 0, nullptr, 0});
    return t;
  }();
  return table;
}

bool has_non_space(const char* s) {
  for (; *s; ++s)
    if (!text::is_space(*s)) return true;
  return false;
}

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

Loader::Loader(Config& config, LoadOptions options) : config_(config), options_(std::move(options)) {}

Error Loader::fatal(std::string message, int code) {
  fatal_ = true;
  return make_error(std::move(message), code);
}

Error Loader::located(std::string message, const Source& source, unsigned lineno) {
  if (source.is_script)
    message += " in output from " + source.name;
  else
    message += " at line " + std::to_string(lineno) + " of " + source.name;
  return fatal(std::move(message), 1);
}

Result<void> Loader::apply(const OptionSpec& given, const OptArg* arg, const Origin& origin) {
  const OptionSpec& spec = canonical_option(given);
  if (spec.repeat == Repeat::Once) {
    // dnsmasq: once on the command line, once across files, and a file may override the
    // command line. The mark is taken before the value is checked.
    Use& use = used_[&spec];
    if (!origin.from_file) {
      if (use == Use::CommandLine) return make_error("illegal repeated flag");
      if (use == Use::Unused) use = Use::CommandLine;
    } else {
      if (use == Use::File) return make_error("illegal repeated keyword");
      use = Use::File;
    }
  }
  if (spec.parse) {
    ParseContext ctx{config_, origin, this, options_.allow_name_lookups};
    if (auto r = spec.parse(ctx, arg); !r) {
      // dnsmasq treats an allocation failure inside a value parser (e.g. a bad hex string
      // in dns-rr) as fatal at once: message as is, no location, exit code 4.
      if (r.error().code == 4) return fatal(r.error().message, 4);
      return r;
    }
  }
  if (spec.support == Support::NotYet) {
    auto& nys = config_.not_yet;
    if (std::find(nys.begin(), nys.end(), spec.name) == nys.end()) nys.emplace_back(spec.name);
  }
  return ok();
}

Result<void> Loader::parse_command_line(std::span<char* const> argv, LoadOutcome& out) {
  if (argv.empty()) return ok();
  const GetoptTable& table = getopt_table();
  std::vector<char*> args(argv.begin(), argv.end());
  args.push_back(nullptr);
  const int argc = static_cast<int>(argv.size());
  const Origin origin;  // the command line

  optind = 0;  // full re-initialisation of glibc's scanner
  opterr = 0;  // dnsmasq prints its own message
  while (true) {
    int c = getopt_long(argc, args.data(), table.shortopts.c_str(), table.longopts.data(), nullptr);
    if (c == -1) break;
    const OptionSpec* spec = nullptr;
    if (c >= kLongBase && static_cast<size_t>(c - kLongBase) < all_options().size())
      spec = all_options()[static_cast<size_t>(c - kLongBase)];
    else if (c != '?' && c != ':')
      spec = find_short_option(static_cast<char>(c));
    if (!spec) return fatal("bad command line options: try --help", 1);
    spec = &canonical_option(*spec);

    // Command-line-only actions end the scan where they appear.
    if (spec->name == "help") {
      out.action = Action::Help;
      if (argc == 3 && (std::string_view(argv[2]) == "dhcp" || std::string_view(argv[2]) == "dhcp6"))
        out.help_topic = argv[2];
      return ok();
    }
    if (spec->name == "version") {
      out.action = Action::Version;
      return ok();
    }
    if (spec->name == "masqd-options-markdown") {
      out.action = Action::OptionsMarkdown;
      return ok();
    }

    std::optional<OptArg> arg;
    if (optarg) arg.emplace(std::string(optarg));
    if (auto r = apply(*spec, arg ? &*arg : nullptr, origin); !r) {
      if (fatal_) return r;
      const std::string& m = r.error().message;
      return fatal("bad command line options: " + (m.empty() ? std::string("try --help") : m), 1);
    }
  }
  for (int i = optind; i < argc; ++i)
    if (has_non_space(args[static_cast<size_t>(i)])) return fatal("junk found in command line", 1);
  return ok();
}

Result<void> Loader::read_main_config() {
  if (!options_.allow_includes) return ok();
  if (main_conf_) return read_file(*main_conf_, false);
  if (options_.default_conf_file.empty()) return ok();
  return read_file(options_.default_conf_file, true);
}

namespace {

// A config line "address=/.../..." without white space, quotes, escapes or comments: its
// value is the text after '=', as the lexer would give it. Blocklists are millions of such
// lines, so they skip the general lexer (dnsopt::add_plain_address decides whether the value
// is simple enough; anything else goes the general way).
std::optional<std::string_view> plain_address_value(std::string_view chunk) {
  constexpr std::string_view kPrefix = "address=/";
  if (chunk.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  if (!chunk.empty() && chunk.back() == '\n') chunk.remove_suffix(1);
  if (chunk.size() >= kMaxConfChunk - 1) return std::nullopt;
  return chunk.substr(kPrefix.size() - 1);
}

}  // namespace

Result<void> Loader::handle_chunk(std::string_view chunk, const Source& source, unsigned lineno) {
  if (!soft_errors_) {
    if (auto value = plain_address_value(chunk); value && dnsopt::add_plain_address(config_.dns, *value))
      return ok();
  }
  auto lexed = lex_conf_line(chunk);
  std::string err;
  const OptionSpec* spec = nullptr;
  const OptArg* arg = nullptr;
  if (!lexed) {
    err = lexed.error().message;
  } else if (!lexed->has_value()) {
    return ok();  // blank or comment
  } else {
    const ConfLine& line = **lexed;
    if (!line.name_has_hidden) spec = find_option(line.name);
    arg = line.arg ? &*line.arg : nullptr;
    if (!spec) {
      err = "bad option";
    } else {
      spec = &canonical_option(*spec);
      if (spec->arg == ArgShape::None && arg)
        err = "extraneous parameter";
      else if (spec->arg == ArgShape::Required && !arg)
        err = "missing parameter";
      else if (soft_errors_ && spec->name != "server" && spec->name != "rev-server")
        err = "illegal option";
    }
  }
  if (err.empty()) {
    Origin origin{true, source.name, lineno};
    auto r = apply(*spec, arg, origin);
    if (r) return ok();
    if (fatal_) {
      if (!soft_errors_) return r;
      soft_errors_->push_back(r.error().message);
      fatal_ = false;
      return ok();
    }
    err = r.error().message.empty() ? std::string("error") : r.error().message;
  }
  Error e = located(std::move(err), source, lineno);
  if (soft_errors_) {
    soft_errors_->push_back(e.message);
    fatal_ = false;
    return ok();
  }
  return e;
}

Result<void> Loader::read_stream(std::FILE* f, const Source& source) {
  if (depth_ >= kMaxIncludeDepth) return fatal("too many nested config files at " + source.name, 1);
  ++depth_;
  ChunkReader reader(f);
  std::string_view chunk;
  unsigned lineno = 0;
  Result<void> result;
  while (reader.next(chunk)) {
    ++lineno;
    result = handle_chunk(chunk, source, lineno);
    if (!result) break;
  }
  --depth_;
  return result;
}

Result<void> Loader::read_text(std::string_view text, std::string_view name) {
  Source source{std::string(name), false};
  size_t pos = 0;
  std::string_view chunk;
  unsigned lineno = 0;
  while (next_chunk(text, pos, chunk)) {
    ++lineno;
    if (auto r = handle_chunk(chunk, source, lineno); !r) return r;
  }
  return ok();
}

bool Loader::already_read(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  for (const auto& [dev, ino] : files_read_)
    if (dev == st.st_dev && ino == st.st_ino) return true;
  files_read_.emplace_back(st.st_dev, st.st_ino);
  return false;
}

Result<void> Loader::read_file(const std::string& path, bool missing_ok) {
  if (path == "-") {
    if (stdin_read_) return ok();
    stdin_read_ = true;
    return read_stream(options_.stdin_source ? options_.stdin_source : stdin, Source{"stdin", false});
  }
  if (already_read(path)) return ok();
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) {
    int e = errno;
    if (e == ENOENT && missing_ok) return ok();
    return fatal("cannot read " + path + ": " + errno_text(e), 3);
  }
  // A big file is most likely a blocklist: room for its address= lines up front, counted in
  // its first 64 KiB and scaled to its size, so the hash table is not grown by re-hashing.
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0 && st.st_size > (4 << 20)) {
    std::vector<char> head(64 * 1024);
    const ssize_t got = ::pread(::fileno(f), head.data(), head.size(), 0);
    if (got > 0) {
      std::string_view text(head.data(), static_cast<size_t>(got));
      size_t lines = 0;
      for (size_t pos = 0; pos < text.size();) {
        const size_t nl = std::min(text.find('\n', pos), text.size());
        if (text.substr(pos, 9) == "address=/") ++lines;
        pos = nl + 1;
      }
      const double per_byte = static_cast<double>(lines) / static_cast<double>(got);
      const auto expected = static_cast<size_t>(per_byte * static_cast<double>(st.st_size));
      config_.dns.addresses.reserve_plain(expected + expected / 64);
    }
  }
  auto r = read_stream(f, Source{path, false});
  std::fclose(f);
  return r;
}

Result<void> Loader::conf_file(const OptArg* arg, const Origin& origin) {
  if (!arg || arg->empty()) return ok();  // dnsmasq ignores an empty name
  if (!origin.from_file && !main_conf_) {
    main_conf_ = arg->text();  // the first -C replaces the default, read after the scan
    return ok();
  }
  if (!options_.allow_includes) return ok();
  return read_file(arg->text(), false);
}

Result<void> Loader::conf_dir(const OptArg& arg) {
  auto parts = arg.split(',');
  std::string dir = parts[0].trimmed().text();
  if (dir.empty()) return ok();
  std::vector<std::string> wanted, unwanted;  // suffixes: "*.conf" entries, ".bak" entries
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string s = parts[i].trimmed().text();
    if (s.empty()) continue;
    if (s[0] == '*') {
      if (s.size() > 1) wanted.push_back(s.substr(1));
    } else {
      unwanted.push_back(s);
    }
  }
  if (!options_.allow_includes) return ok();

  DIR* d = ::opendir(dir.c_str());
  if (!d) return fatal("cannot access directory " + dir + ": " + errno_text(errno), 3);
  // A suffix matches only a strictly longer name, as in dnsmasq.
  auto ends_with = [](std::string_view name, std::string_view suffix) {
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  std::vector<std::string> files;
  while (const dirent* ent = ::readdir(d)) {
    std::string_view name = ent->d_name;
    if (name.empty() || name.back() == '~' || name.front() == '.' ||
        (name.front() == '#' && name.back() == '#'))
      continue;
    if (!wanted.empty() &&
        std::none_of(wanted.begin(), wanted.end(), [&](const auto& s) { return ends_with(name, s); }))
      continue;
    if (std::any_of(unwanted.begin(), unwanted.end(), [&](const auto& s) { return ends_with(name, s); }))
      continue;
    std::string path = dir + "/" + std::string(name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      int e = errno;
      ::closedir(d);
      return fatal("cannot access " + path + ": " + errno_text(e), 3);
    }
    if (S_ISREG(st.st_mode)) files.push_back(std::move(path));
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    if (auto r = read_file(f, false); !r) return r;
  return ok();
}

Result<void> Loader::conf_script(const OptArg& arg) {
  const std::string& cmd = arg.text();
  if (cmd.empty() || !options_.allow_scripts) return ok();
  if (already_read(cmd)) return ok();  // dnsmasq also records a command that names a file

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fatal("cannot execute " + cmd + ": " + errno_text(errno), 3);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::string sh = "sh", dash_c = "-c", command = cmd;
  char* child_argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, child_argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return fatal("cannot execute " + cmd + ": " + errno_text(rc), 3);
  }
  std::FILE* f = ::fdopen(fds[0], "r");
  Result<void> r = f ? read_stream(f, Source{cmd, true}) : Result<void>(fatal("cannot execute " + cmd, 3));
  if (f)
    std::fclose(f);
  else
    ::close(fds[0]);
  if (!r) ::kill(pid, SIGTERM);  // dnsmasq exits here; do not leave the script behind
  int status = 0;
  pid_t waited = -1;
  do {
    waited = ::waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (!r) return r;
  if (waited < 0) return fatal("error executing " + cmd + ": " + errno_text(errno), 5);
  // dnsmasq 2.90 adds 10 to the raw wait status, so the exit code is 10 for any non-zero
  // exit status and 10 + signal for a killed script.
  if (status != 0) return fatal(cmd + " returns non-zero error code", (status + 10) & 0xff);
  return ok();
}

Result<void> Loader::finish() {
  for (const auto& area : option_areas()) {
    if (!area.finalize) continue;
    if (auto r = area.finalize(config_); !r)
      return fatal(r.error().message, r.error().code ? r.error().code : 1);
  }
  // --masqd-syntax-only relaxes this for --test only: a running daemon never ignores an
  // option it cannot act on.
  const bool relaxed = config_.process.syntax_only && config_.process.test_only;
  if (!relaxed && !config_.not_yet.empty())
    return fatal("option --" + config_.not_yet.front() + " is not supported yet", 1);
  return ok();
}

Result<LoadOutcome> load(std::span<char* const> argv) { return load(argv, LoadOptions{}); }

Result<LoadOutcome> load(std::span<char* const> argv, const LoadOptions& options) {
  LoadOutcome out;
  Loader loader(out.config, options);
  if (auto r = loader.parse_command_line(argv, out); !r) return r.error();
  if (out.action != Action::Run) return out;
  if (auto r = loader.read_main_config(); !r) return r.error();
  if (auto r = loader.finish(); !r) return r.error();
  return out;
}

std::vector<std::string> read_servers_file(const std::string& path, Config& config) {
  std::vector<std::string> problems;
  LoadOptions options;
  options.default_conf_file.clear();
  options.allow_includes = false;
  options.allow_scripts = false;
  Loader loader(config, options);
  loader.set_servers_only(&problems);
  if (auto r = loader.read_file(path, false); !r) problems.push_back(r.error().message);
  return problems;
}

}  // namespace masqd::config
