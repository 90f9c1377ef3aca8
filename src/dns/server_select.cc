#include "dns/server_select.h"

namespace masqd::dns {

namespace {
constexpr uint8_t kServFail = 2;
constexpr uint8_t kRefused = 5;
}  // namespace

FirstSend choose_first(GroupChoice& g, size_t servers, SelectMode mode,
                       std::chrono::steady_clock::time_point now) {
  switch (mode) {
    case SelectMode::Strict:
      return {false, 0};
    case SelectMode::All:
      return {true, 0};
    case SelectMode::Fastest:
      break;
  }
  const bool known = g.last >= 0 && static_cast<size_t>(g.last) < servers;
  // As dnsmasq 2.90 (observed): after a test, 51 queries go to the remembered server
  // alone and the 52nd is a test again.
  if (!known || g.count > kForwardTest || now - g.tested > kForwardTime) {
    g.count = 0;
    g.tested = now;
    return {true, 0};
  }
  ++g.count;
  return {false, static_cast<size_t>(g.last)};
}

ReplyAction reply_action(SelectMode mode, bool sent_to_all, bool all_answered, size_t from,
                         size_t servers, uint8_t rcode) {
  const bool failed = rcode == kRefused || rcode == kServFail;
  if (!sent_to_all) {
    if (!failed) return ReplyAction::Deliver;
    if (mode == SelectMode::Strict)
      return from + 1 < servers ? ReplyAction::TryNext : ReplyAction::Deliver;
    return ReplyAction::ResendAll;
  }
  // Sent to several: the first answer that is not REFUSED wins (SERVFAIL included); a
  // REFUSED is passed on only when no other server is left to answer.
  if (rcode == kRefused && !all_answered) return ReplyAction::Hold;
  return ReplyAction::Deliver;
}

void note_answer(GroupChoice& g, size_t from, uint8_t rcode, bool delivered) {
  const int idx = static_cast<int>(from);
  if (rcode == kRefused) {
    if (g.last == idx) g.last = -1;
    return;
  }
  if (delivered) g.last = idx;
}

}  // namespace masqd::dns
