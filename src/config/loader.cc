// Placeholder loader: command line only, long options with '=' values. Replaced by the
// full implementation (files, conf-dir, getopt semantics) in the foundation work.
#include "config/loader.h"

#include "config/option_table.h"

namespace masqd::config {

Result<LoadOutcome> load(std::span<char* const> argv) {
  LoadOutcome out;
  Origin origin;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a.substr(0, 2) != "--") return make_error("junk found in command line", 1);
    a.remove_prefix(2);
    auto eq = a.find('=');
    const OptionSpec* spec = find_option(a.substr(0, eq));
    if (!spec) return make_error("bad command line options: try --help", 1);
    std::optional<OptArg> arg;
    if (eq != std::string_view::npos) arg.emplace(std::string(a.substr(eq + 1)));
    ParseContext ctx{out.config, origin, nullptr};
    auto r = spec->parse(ctx, arg ? &*arg : nullptr);
    if (!r) return make_error("bad command line options: " + r.error().message, 1);
  }
  return out;
}

}  // namespace masqd::config
