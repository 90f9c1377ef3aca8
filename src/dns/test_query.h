// For unit tests: a DNS query message (ID 0x1234, RD, one question of class IN) as bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "proto/dns_wire.h"

namespace masqd::dns {

inline std::vector<uint8_t> query_bytes(const char* name, uint16_t type) {
  std::vector<uint8_t> m = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  const proto::dns::Name n = *proto::dns::Name::from_text(name);  // kept: wire() views its bytes
  auto w = n.wire();
  m.insert(m.end(), w.begin(), w.end());
  m.push_back(static_cast<uint8_t>(type >> 8));
  m.push_back(static_cast<uint8_t>(type & 0xff));
  m.push_back(0);
  m.push_back(1);
  return m;
}

}  // namespace masqd::dns
