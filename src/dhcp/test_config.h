// Test helper for the DHCP unit tests: a Config loaded from command-line arguments as the
// daemon would load them (no default config file; DNS off with "-p 0" unless the arguments
// give a -p of their own). A load error fails the calling test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "config/loader.h"
#include "proto/dhcp4_wire.h"

namespace masqd::dhcp::testing {

// The engine tests' clock: a fixed "now".
inline const std::chrono::sys_seconds kNow{std::chrono::seconds{1'800'000'000}};

inline IpAddr ip(const char* s) { return *IpAddr::parse_v4(s); }

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

// A client's BOOTREQUEST header: Ethernet, broadcast flag, every address 0.0.0.0, chaddr
// 02:00:00:00:00:<last>.
inline proto::dhcp4::Header client_header(uint32_t xid, uint8_t last = 0x0a) {
  proto::dhcp4::Header h;
  h.op = 1;
  h.htype = 1;
  h.hlen = 6;
  h.xid = xid;
  h.flags = 0x8000;
  h.ciaddr = h.yiaddr = h.siaddr = h.giaddr = *IpAddr::parse_v4("0.0.0.0");
  h.chaddr[0] = 2;
  h.chaddr[5] = last;
  return h;
}

}  // namespace masqd::dhcp::testing
