// Test helper for the DHCP unit tests: a Config loaded from command-line arguments as the
// daemon would load them (no default config file; DNS off with "-p 0" unless the arguments
// give a -p of their own). A load error fails the calling test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/loader.h"

namespace masqd::dhcp::testing {

inline config::Config load_config(std::vector<std::string> args) {
  std::vector<std::string> argv{"masqd"};
  if (std::find(args.begin(), args.end(), "-p") == args.end()) argv.insert(argv.end(), {"-p", "0"});
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  config::LoadOptions lo;
  lo.default_conf_file = "";
  auto r = config::load(ptrs, lo);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
  return r ? r->config : config::Config{};
}

}  // namespace masqd::dhcp::testing
