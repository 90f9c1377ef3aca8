#include "dns/server_select.h"

#include <gtest/gtest.h>

namespace masqd::dns {
namespace {

using std::chrono::seconds;
using Tp = std::chrono::steady_clock::time_point;

constexpr uint8_t kNoError = 0, kServFail = 2, kNxDomain = 3, kRefused = 5;

TEST(ServerSelect, FastestAsksAllUntilOneAnswered) {
  GroupChoice g;
  const Tp t0{seconds(100)};
  FirstSend f = choose_first(g, 2, SelectMode::Fastest, t0);
  EXPECT_TRUE(f.all);
  // Still unknown: every query is a test.
  EXPECT_TRUE(choose_first(g, 2, SelectMode::Fastest, t0).all);
  note_answer(g, 1, kNoError, true);
  f = choose_first(g, 2, SelectMode::Fastest, t0);
  EXPECT_FALSE(f.all);
  EXPECT_EQ(f.server, 1u);
}

TEST(ServerSelect, FastestRetestsAfter51QueriesAsDnsmasq) {
  GroupChoice g;
  const Tp t0{seconds(100)};
  ASSERT_TRUE(choose_first(g, 2, SelectMode::Fastest, t0).all);  // query 0
  note_answer(g, 0, kNoError, true);
  for (int i = 1; i <= 51; ++i) {
    FirstSend f = choose_first(g, 2, SelectMode::Fastest, t0);
    ASSERT_FALSE(f.all) << "query " << i;
    EXPECT_EQ(f.server, 0u);
  }
  EXPECT_TRUE(choose_first(g, 2, SelectMode::Fastest, t0).all);  // query 52
  EXPECT_FALSE(choose_first(g, 2, SelectMode::Fastest, t0).all);
}

TEST(ServerSelect, FastestRetestsAfter20Seconds) {
  GroupChoice g;
  const Tp t0{seconds(100)};
  ASSERT_TRUE(choose_first(g, 2, SelectMode::Fastest, t0).all);
  note_answer(g, 1, kNoError, true);
  EXPECT_FALSE(choose_first(g, 2, SelectMode::Fastest, t0 + seconds(20)).all);
  EXPECT_TRUE(choose_first(g, 2, SelectMode::Fastest, t0 + seconds(21)).all);
  EXPECT_FALSE(choose_first(g, 2, SelectMode::Fastest, t0 + seconds(22)).all);
}

TEST(ServerSelect, FastestForgetsServerAfterRefusedOrWhenGone) {
  GroupChoice g;
  const Tp t0{seconds(100)};
  (void)choose_first(g, 3, SelectMode::Fastest, t0);
  note_answer(g, 2, kNoError, true);
  EXPECT_EQ(g.last, 2);
  note_answer(g, 1, kRefused, false);  // another server's REFUSED: kept
  EXPECT_EQ(g.last, 2);
  note_answer(g, 2, kRefused, true);
  EXPECT_EQ(g.last, -1);
  note_answer(g, 2, kServFail, true);  // SERVFAIL counts as an answer
  EXPECT_EQ(g.last, 2);
  note_answer(g, 0, kNoError, false);  // not the one delivered: no change
  EXPECT_EQ(g.last, 2);
  // The group shrank (reload): unknown again.
  EXPECT_TRUE(choose_first(g, 2, SelectMode::Fastest, t0).all);
}

TEST(ServerSelect, StrictAndAllModes) {
  GroupChoice g;
  const Tp t0{seconds(100)};
  for (int i = 0; i < 3; ++i) {
    FirstSend f = choose_first(g, 3, SelectMode::Strict, t0);
    EXPECT_FALSE(f.all);
    EXPECT_EQ(f.server, 0u);
    EXPECT_TRUE(choose_first(g, 3, SelectMode::All, t0).all);
  }
}

TEST(ServerSelect, ReplyActionLoneServer) {
  // Default mode: REFUSED or SERVFAIL from the one server asked -> ask them all.
  EXPECT_EQ(reply_action(SelectMode::Fastest, false, true, 1, 2, kRefused), ReplyAction::ResendAll);
  EXPECT_EQ(reply_action(SelectMode::Fastest, false, true, 1, 2, kServFail), ReplyAction::ResendAll);
  EXPECT_EQ(reply_action(SelectMode::Fastest, false, true, 1, 2, kNxDomain), ReplyAction::Deliver);
  EXPECT_EQ(reply_action(SelectMode::Fastest, false, true, 0, 1, kRefused), ReplyAction::ResendAll);
  // Strict: the next server; the last one's error is passed on.
  EXPECT_EQ(reply_action(SelectMode::Strict, false, true, 0, 2, kRefused), ReplyAction::TryNext);
  EXPECT_EQ(reply_action(SelectMode::Strict, false, true, 0, 2, kServFail), ReplyAction::TryNext);
  EXPECT_EQ(reply_action(SelectMode::Strict, false, true, 1, 2, kServFail), ReplyAction::Deliver);
  EXPECT_EQ(reply_action(SelectMode::Strict, false, true, 0, 2, kNoError), ReplyAction::Deliver);
}

TEST(ServerSelect, ReplyActionSentToAll) {
  for (SelectMode m : {SelectMode::Fastest, SelectMode::All}) {
    EXPECT_EQ(reply_action(m, true, false, 0, 2, kRefused), ReplyAction::Hold);
    EXPECT_EQ(reply_action(m, true, true, 0, 2, kRefused), ReplyAction::Deliver);
    EXPECT_EQ(reply_action(m, true, false, 0, 2, kServFail), ReplyAction::Deliver);
    EXPECT_EQ(reply_action(m, true, false, 1, 2, kNoError), ReplyAction::Deliver);
  }
}

}  // namespace
}  // namespace masqd::dns
