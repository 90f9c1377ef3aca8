// Fuzz target: the dnsmasq lease-file reader (src/dhcp/lease_file). Any bytes must load
// without a crash; what loads, written back and read again, must give the same leases and
// kept lines with no new problems.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dhcp/lease_file.h"

using namespace masqd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = parse_lease_file(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string text;
  for (const Lease& l : c.leases) {
    std::string line = format_lease_line(l);
    auto back = parse_lease_line(std::string_view(line).substr(0, line.size() - 1));
    if (!back || !(*back == l)) std::abort();
    text += line;
  }
  for (const std::string& k : c.kept_lines) text += k + "\n";
  auto again = parse_lease_file(text);
  if (!again.problems.empty() || again.leases != c.leases || again.kept_lines != c.kept_lines)
    std::abort();
  return 0;
}
