// Fuzz target: the lease journal reader (src/dhcp/lease_journal). Any bytes must read
// without a crash; what reads as valid, written again record by record, must be the same
// bytes up to where the reading stopped, and read back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dhcp/lease_journal.h"

using namespace masqd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const JournalContents c = parse_journal(in);
  if (!c.valid) {
    if (c.end != 0 || !c.changes.empty()) std::abort();
    return 0;
  }
  std::string again(kJournalMagic);
  again += journal_record(c.snapshot);
  for (const std::string& change : c.changes) again += journal_record(change);
  if (again.size() != c.end || in.substr(0, c.end) != again) std::abort();
  const JournalContents back = parse_journal(again);
  if (!back.valid || back.snapshot != c.snapshot || back.changes != c.changes || back.end != c.end) std::abort();
  return 0;
}
