// Fuzz target: the --dhcp-script helper's frame reader (src/dhcp/script_event, SEC-18: the
// root helper accepts only fixed-format messages). Any bytes decode without a crash, to
// "wait", an error, or events; every decoded event encodes back to the bytes it came from.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "dhcp/script_event.h"

using namespace masqd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> rest(data, size);
  for (int i = 0; i < 64; ++i) {
    auto r = decode_script_event(rest);
    if (!r || !*r) break;
    const auto& [event, used] = **r;
    if (used == 0 || used > rest.size()) std::abort();
    const std::string again = encode_script_event(event);
    if (again.size() != used || again.compare(0, used, reinterpret_cast<const char*>(rest.data()), used) != 0)
      std::abort();
    rest = rest.subspan(used);
  }
  return 0;
}
