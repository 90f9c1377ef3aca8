#include "daemon/app.h"

#include <cstdio>
#include <span>

#include "config/loader.h"

namespace masqd::daemon {

int run(int argc, char** argv) {
  auto loaded = config::load(std::span<char* const>(argv, static_cast<size_t>(argc)));
  if (!loaded) {
    std::fprintf(stderr, "masqd: %s\n", loaded.error().message.c_str());
    return loaded.error().code ? loaded.error().code : 1;
  }
  if (loaded->config.process.test_only) {
    std::fprintf(stderr, "masqd: syntax check OK.\n");
    return 0;
  }
  return 0;
}

}  // namespace masqd::daemon
