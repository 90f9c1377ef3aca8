#include "dhcp/ping_cache.h"

#include <algorithm>

namespace masqd::dhcp {

void PingCache::expire(std::chrono::sys_seconds now) {
  while (!free_.empty() && now - free_.front().second > kKeep) free_.pop_front();
  std::erase_if(in_use_, [&](const auto& e) { return now - e.second > kKeep; });
}

bool PingCache::should_check(const IpAddr& addr, std::chrono::sys_seconds now) {
  expire(now);
  if (std::any_of(free_.begin(), free_.end(), [&](const auto& e) { return e.first == addr; })) return false;
  return free_.size() < kMaxRecent;
}

void PingCache::record_free(const IpAddr& addr, std::chrono::sys_seconds now) {
  expire(now);
  in_use_.erase(addr);
  free_.emplace_back(addr, now);
}

void PingCache::record_in_use(const IpAddr& addr, std::chrono::sys_seconds now) {
  expire(now);
  in_use_[addr] = now;
}

bool PingCache::in_use(const IpAddr& addr, std::chrono::sys_seconds now) const {
  auto it = in_use_.find(addr);
  return it != in_use_.end() && now - it->second <= kKeep;
}

}  // namespace masqd::dhcp
