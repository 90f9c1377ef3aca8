// Fuzz target: the /etc/ethers reader and the merge into dhcp-host entries
// (src/dhcp/ethers). Any bytes must parse without a crash; every accepted line has exactly
// one of an address or a name; merging never makes more entries than lines, and the final
// "read ... - N addresses" line is always there.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dhcp/ethers.h"

using namespace masqd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  EthersFile f = parse_ethers(text);
  for (const auto& l : f.lines)
    if (l.addr.has_value() == !l.name.empty() || l.line == 0) std::abort();
  std::vector<masqd::config::DhcpHost> cfg(1), made;
  cfg[0].hostname = "cfg";
  auto log = apply_ethers(f, "/etc/ethers", cfg, made);
  if (made.size() > f.lines.size() || log.empty() || log.back().rfind("read /etc/ethers - ", 0) != 0)
    std::abort();
  return 0;
}
