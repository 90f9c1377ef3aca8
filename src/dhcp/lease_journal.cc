#include "dhcp/lease_journal.h"

#include <cstdint>

#include "base/siphash.h"

namespace masqd::dhcp {
namespace {

// Fixed: the check finds torn and stale bytes, it is not a secret.
constexpr SipKey kCheckKey{0x6d61737164206c65, 0x61736520636865ab};

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + static_cast<size_t>(i)])} << (8 * i);
  return v;
}

uint64_t check_of(std::string_view length_bytes, std::string_view payload) {
  std::string both;
  both.reserve(length_bytes.size() + payload.size());
  both.append(length_bytes).append(payload);
  return siphash24(kCheckKey, both);
}

}  // namespace

std::string journal_record(std::string_view payload) {
  std::string out;
  out.reserve(kJournalRecordHeader + payload.size());
  put_le(out, payload.size(), 4);
  put_le(out, check_of(std::string_view(out).substr(0, 4), payload), 8);
  out.append(payload);
  return out;
}

std::string new_journal(std::string_view snapshot, size_t capacity) {
  std::string out(kJournalMagic);
  out += journal_record(snapshot);
  if (out.size() < capacity) out.resize(capacity, '\0');
  return out;
}

JournalContents parse_journal(std::string_view bytes) {
  JournalContents c;
  if (bytes.substr(0, kJournalMagic.size()) != kJournalMagic) return c;
  size_t at = kJournalMagic.size();
  bool first = true;
  while (bytes.size() - at >= kJournalRecordHeader) {
    const uint64_t len = get_le(bytes, at, 4);
    if (len > bytes.size() - at - kJournalRecordHeader) break;
    const std::string_view payload = bytes.substr(at + kJournalRecordHeader, len);
    // The zero fill after the last record fails here too: a zero length has a non-zero check.
    if (get_le(bytes, at + 4, 8) != check_of(bytes.substr(at, 4), payload)) break;
    if (first) {
      c.snapshot = std::string(payload);
      c.valid = true;
      first = false;
    } else {
      c.changes.emplace_back(payload);
    }
    at += kJournalRecordHeader + len;
    c.end = at;
  }
  if (!c.valid) c.end = 0;
  return c;
}

}  // namespace masqd::dhcp
