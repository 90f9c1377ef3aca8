// Fuzz target: "name\0value" - looks the option up and runs its value parser on a fresh
// Config, with the value as the command line would give it and as a config file would
// (quoted marks from the config-file lexer). Parsers get no Loader, so nothing is read.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/conf_lexer.h"
#include "config/config.h"
#include "config/option_table.h"

namespace {

using masqd::config::ArgShape;

void run_parser(const masqd::config::OptionSpec& spec, const masqd::config::OptArg* arg, bool from_file) {
  masqd::config::Config config;
  masqd::config::Origin origin{from_file, from_file ? "fuzz.conf" : "", from_file ? 1u : 0u};
  masqd::config::ParseContext ctx{config, origin, nullptr, /*resolve_names=*/false};
  if (spec.parse) (void)spec.parse(ctx, arg);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  if (nul == std::string_view::npos) return 0;
  const auto* found = masqd::config::find_option(in.substr(0, nul));
  if (!found) return 0;
  const auto& spec = masqd::config::canonical_option(*found);
  std::string_view value = in.substr(nul + 1);

  if (spec.arg != ArgShape::Required) run_parser(spec, nullptr, false);
  if (spec.arg == ArgShape::None) return 0;

  masqd::config::OptArg plain{std::string(value)};
  run_parser(spec, &plain, false);

  auto lexed = masqd::config::lex_conf_line("x=" + std::string(value));
  if (lexed && lexed->has_value() && (*lexed)->arg) run_parser(spec, &*(*lexed)->arg, true);
  return 0;
}
