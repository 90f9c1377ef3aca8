// Fuzz helper: the fixed Config a target runs with, loaded from command-line arguments
// (the first one is the program name) with nothing read from disk or the network. A
// config that does not load is a bug in the target: abort.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "config/loader.h"

namespace masqd::fuzz {

inline config::Config load_fixed_config(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  config::LoadOptions lo;
  lo.default_conf_file = "";
  lo.allow_includes = false;
  lo.allow_scripts = false;
  lo.allow_name_lookups = false;
  auto r = config::load(argv, lo);
  if (!r) std::abort();
  return r->config;
}

}  // namespace masqd::fuzz
