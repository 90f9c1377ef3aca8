// Fuzz target: a command line, given as NUL-separated words (argv[0] is added), through the
// getopt_long scan and option parsers. No file is read and no command is run.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/loader.h"

namespace {
constexpr size_t kMaxWords = 128;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> words{"masqd"};
  std::string cur;
  for (size_t i = 0; i < size && words.size() < kMaxWords; ++i) {
    if (data[i] == 0) {
      words.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(data[i]));
    }
  }
  if (!cur.empty() && words.size() < kMaxWords) words.push_back(cur);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());

  masqd::config::LoadOptions options;
  options.default_conf_file.clear();
  options.allow_includes = false;
  options.allow_scripts = false;
  options.allow_name_lookups = false;
  (void)masqd::config::load(std::span<char* const>(argv.data(), argv.size()), options);
  return 0;
}
