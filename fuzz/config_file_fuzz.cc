// Fuzz target: arbitrary bytes as a config file, lexed and parsed with every option
// parser, then the post-parse checks. Includes and conf-script stay disabled so the input
// cannot read files or run commands.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"
#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  masqd::config::LoadOptions options;
  options.default_conf_file.clear();
  options.allow_includes = false;
  options.allow_scripts = false;
  options.allow_name_lookups = false;
  masqd::config::Config config;
  masqd::config::Loader loader(config, options);
  auto r = loader.read_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.conf");
  if (r) (void)loader.finish();
  return 0;
}
