// PingCache: dnsmasq's bookkeeping for the ICMP check before a new address is offered
// (FEATURES.md §4 item 39): a "free" result is trusted for 30 s, and once 6 checks (60 % of
// the 10 that fit in 30 s at 3 s each) were made in the last 30 s no more are made (load).
// Also remembers, for 30 s, addresses that answered. Pure: the time is the caller's.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>

#include "base/ip.h"

namespace masqd::dhcp {

class PingCache {
 public:
  static constexpr std::chrono::seconds kKeep{30};
  static constexpr std::chrono::seconds kWait{3};
  static constexpr size_t kMaxRecent = 6;

  // True: check `addr` before offering it. False: it was found free less than 30 s ago,
  // or too many checks were made recently (then it is offered unchecked, as dnsmasq does).
  bool should_check(const IpAddr& addr, std::chrono::sys_seconds now);
  void record_free(const IpAddr& addr, std::chrono::sys_seconds now);
  void record_in_use(const IpAddr& addr, std::chrono::sys_seconds now);
  // The address answered an echo less than 30 s ago.
  bool in_use(const IpAddr& addr, std::chrono::sys_seconds now) const;

 private:
  void expire(std::chrono::sys_seconds now);
  std::deque<std::pair<IpAddr, std::chrono::sys_seconds>> free_;  // oldest first
  std::map<IpAddr, std::chrono::sys_seconds> in_use_;
};

}  // namespace masqd::dhcp
