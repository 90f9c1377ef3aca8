// Upstream server choice (dnsmasq's default "fastest" mode, --strict-order, --all-servers)
// as pure decisions: where a new query goes, and what an upstream answer makes us do next.
// The caller owns sockets and the clock; `now` is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace masqd::dns {

enum class SelectMode : uint8_t {
  Fastest,  // default: the last good responder alone, all servers now and then
  Strict,   // -o: first server first, the next one only after a failure
  All,      // --all-servers: every server every time
};

// In the default mode, the last good server is re-tested (query sent to every server)
// after this many queries sent to it alone, or this long after the last such test.
constexpr uint32_t kForwardTest = 50;
constexpr std::chrono::seconds kForwardTime{20};

// What one server group remembers between queries (default mode only).
struct GroupChoice {
  int last = -1;       // index of the server that answered the last test first; -1: unknown
  uint32_t count = 0;  // queries sent to `last` alone since the last test
  std::chrono::steady_clock::time_point tested{};
};

// Where a new query goes first: every server of the group, or only `server`.
struct FirstSend {
  bool all = false;
  size_t server = 0;
};
FirstSend choose_first(GroupChoice& g, size_t servers, SelectMode mode,
                       std::chrono::steady_clock::time_point now);

// What to do with a checked upstream answer.
enum class ReplyAction : uint8_t {
  Deliver,    // pass it to the waiting clients; the query is done
  Hold,       // ignore it (a REFUSED while other servers may still answer)
  ResendAll,  // ask every server of the group (default mode, lone server failed)
  TryNext,    // ask the next server in order (strict mode)
};
// `sent_to_all`: the query currently goes to every server; `all_answered`: every server it
// was sent to has now answered (this reply included); `from` is the answering server's
// index among `servers`.
ReplyAction reply_action(SelectMode mode, bool sent_to_all, bool all_answered, size_t from,
                         size_t servers, uint8_t rcode);

// Updates the group's memory after an answer from server `from` (default mode): a
// delivered answer that is not REFUSED makes it the remembered server; a REFUSED from the
// remembered server forgets it.
void note_answer(GroupChoice& g, size_t from, uint8_t rcode, bool delivered);

}  // namespace masqd::dns
