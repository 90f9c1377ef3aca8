// Unit tests of the Transfer state machine on memory files and a fake clock: lock-step and
// windowed transfers, OACK, netascii, retransmission and back-off, roll-over, the end.
#include "tftp/transfer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace masqd::tftp {
namespace {

using Clock = Transfer::Clock;
using namespace std::chrono_literals;

class MemSource : public FileSource {
 public:
  explicit MemSource(std::string d) : data(std::move(d)) {}
  ssize_t read_at(uint64_t off, uint8_t* buf, size_t n) override {
    ++reads;
    if (fail_at && off >= fail_at) return -EIO;
    if (off >= data.size()) return 0;
    size_t k = std::min<size_t>(n, data.size() - off);
    std::memcpy(buf, data.data() + off, k);
    return static_cast<ssize_t>(k);
  }
  std::string data;
  uint64_t fail_at = 0;
  int reads = 0;
};

struct Sent {
  std::vector<std::vector<uint8_t>> pkts;
  Transfer::Send fn() {
    return [this](Bytes b) { pkts.emplace_back(b.begin(), b.end()); };
  }
  uint16_t block(size_t i) const { return static_cast<uint16_t>(pkts[i][2] << 8 | pkts[i][3]); }
  std::string body(size_t i) const { return std::string(pkts[i].begin() + 4, pkts[i].end()); }
};

std::vector<uint8_t> ack(uint16_t b) { return {0, 4, static_cast<uint8_t>(b >> 8), static_cast<uint8_t>(b)}; }

// Plays a perfect client: ACKs the last block of each window; returns the file it received.
std::string run_client(Transfer& t, Sent& s, Clock::time_point now, size_t blksize, bool has_oack, size_t max_rounds = 1'000'000) {
  std::string got;
  size_t seen = 0;
  t.start(s.fn());
  if (has_oack) {
    EXPECT_EQ(s.pkts.at(0)[1], kOack);
    seen = 1;
    auto a = ack(0);
    t.on_packet(Bytes(a.data(), a.size()), now, s.fn());
  }
  for (size_t round = 0; round < max_rounds && t.status() == Transfer::Status::Running; ++round) {
    EXPECT_LT(seen, s.pkts.size()) << "nothing sent";
    if (seen >= s.pkts.size()) break;
    uint16_t last = 0;
    for (; seen < s.pkts.size(); ++seen) {
      got += s.body(seen);
      last = s.block(seen);
      EXPECT_LE(s.pkts[seen].size(), 4 + blksize);
    }
    auto a = ack(last);
    t.on_packet(Bytes(a.data(), a.size()), now, s.fn());
  }
  return got;
}

std::string pattern(size_t n) {
  std::string d(n, '\0');
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return d;
}

TEST(TftpTransfer, LockStepSmallFile) {
  MemSource f("hello\n");
  Transfer t({}, f, Clock::now());
  Sent s;
  EXPECT_EQ(run_client(t, s, Clock::now(), 512, false), "hello\n");
  EXPECT_EQ(t.status(), Transfer::Status::Done);
  EXPECT_EQ(s.pkts.size(), 1u);
  EXPECT_EQ(s.block(0), 1);
}

TEST(TftpTransfer, ExactMultipleEndsWithEmptyBlock) {
  MemSource f(pattern(1024));
  Transfer t({}, f, Clock::now());
  Sent s;
  EXPECT_EQ(run_client(t, s, Clock::now(), 512, false), f.data);
  ASSERT_EQ(s.pkts.size(), 3u);
  EXPECT_EQ(s.pkts[2].size(), 4u);
  EXPECT_EQ(t.status(), Transfer::Status::Done);
}

TEST(TftpTransfer, OackThenWindowedTransfer) {
  for (uint16_t window : {1, 2, 7, 32}) {
    for (size_t size : {0u, 1u, 1467u, 1468u, 1469u, 100000u, 1468u * 32u}) {
      MemSource f(pattern(size));
      TransferParams p;
      p.block_size = 1468;
      p.window = window;
      p.oack = {0, 6, 'b', 0, '1', 0};
      Transfer t(p, f, Clock::now());
      Sent s;
      EXPECT_EQ(run_client(t, s, Clock::now(), 1468, true), f.data) << window << " " << size;
      EXPECT_EQ(t.status(), Transfer::Status::Done);
    }
  }
}

TEST(TftpTransfer, ClientAckInTheMiddleOfAWindowResendsFromThere) {
  MemSource f(pattern(512 * 10));
  TransferParams p;
  p.window = 4;
  Transfer t(p, f, Clock::now());
  Sent s;
  t.start(s.fn());
  ASSERT_EQ(s.pkts.size(), 4u);  // blocks 1-4
  auto a = ack(2);               // 3 was lost
  t.on_packet(Bytes(a.data(), a.size()), Clock::now(), s.fn());
  ASSERT_EQ(s.pkts.size(), 8u);
  EXPECT_EQ(s.block(4), 3);
  EXPECT_EQ(s.block(7), 6);
  // An old or duplicate ACK, or one beyond what was sent, is ignored.
  for (uint16_t b : {uint16_t{2}, uint16_t{1}, uint16_t{9}, uint16_t{0}}) {
    a = ack(b);
    t.on_packet(Bytes(a.data(), a.size()), Clock::now(), s.fn());
  }
  EXPECT_EQ(s.pkts.size(), 8u);
}

TEST(TftpTransfer, RetransmitsWithBackoffThenGivesUp) {
  MemSource f(pattern(5000));
  auto t0 = Clock::now();
  Transfer t({}, f, t0);
  Sent s;
  t.start(s.fn());
  ASSERT_EQ(s.pkts.size(), 1u);
  EXPECT_EQ(t.deadline(), t0 + 1s);
  t.on_timer(t0 + 500ms, s.fn());  // not yet
  EXPECT_EQ(s.pkts.size(), 1u);
  std::vector<std::chrono::milliseconds> gaps;
  auto now = t0;
  while (t.status() == Transfer::Status::Running) {
    auto d = t.deadline();
    gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d - now));
    now = d;
    t.on_timer(now, s.fn());
  }
  EXPECT_EQ(t.status(), Transfer::Status::TimedOut);
  EXPECT_EQ(s.pkts.size(), 1u + Transfer::kMaxRetries);
  for (size_t i = 1; i < s.pkts.size(); ++i) EXPECT_EQ(s.block(i), 1);
  EXPECT_EQ(gaps, (std::vector<std::chrono::milliseconds>{1s, 1s, 2s, 2s, 4s, 4s, 8s}));
}

TEST(TftpTransfer, TimeoutOptionSetsTheFirstInterval) {
  MemSource f("x");
  TransferParams p;
  p.timeout_s = 5;
  auto t0 = Clock::now();
  Transfer t(p, f, t0);
  Sent s;
  t.start(s.fn());
  EXPECT_EQ(t.deadline(), t0 + 5s);
}

TEST(TftpTransfer, MissingLastAckStillCountsAsSent) {
  MemSource f("short");
  auto t0 = Clock::now();
  Transfer t({}, f, t0);
  Sent s;
  t.start(s.fn());
  auto now = t0;
  while (t.status() == Transfer::Status::Running) t.on_timer(now = t.deadline(), s.fn());
  EXPECT_EQ(t.status(), Transfer::Status::Done);
}

TEST(TftpTransfer, AbandonedAfter120Seconds) {
  MemSource f(pattern(100000));
  auto t0 = Clock::now();
  TransferParams p;
  p.timeout_s = 100;
  Transfer t(p, f, t0);
  Sent s;
  t.start(s.fn());
  t.on_timer(t0 + 100s, s.fn());  // one retransmission
  EXPECT_EQ(t.status(), Transfer::Status::Running);
  t.on_timer(t0 + 200s, s.fn());
  EXPECT_EQ(t.status(), Transfer::Status::TimedOut);
}

TEST(TftpTransfer, ClientErrorEnds) {
  MemSource f(pattern(5000));
  Transfer t({}, f, Clock::now());
  Sent s;
  t.start(s.fn());
  std::vector<uint8_t> e = {0, 5, 0, 1, 'n', 'o'};  // no NUL: no message
  t.on_packet(Bytes(e.data(), e.size()), Clock::now(), s.fn());
  EXPECT_EQ(t.status(), Transfer::Status::ClientError);
  EXPECT_EQ(t.client_error_code(), 1);
  EXPECT_EQ(t.client_error_message(), "");
  EXPECT_FALSE(t.last_block_sent());
}

TEST(TftpTransfer, ReadErrorReported) {
  MemSource f(pattern(5000));
  f.fail_at = 1024;
  Transfer t({}, f, Clock::now());
  Sent s;
  run_client(t, s, Clock::now(), 512, false);
  EXPECT_EQ(t.status(), Transfer::Status::ReadError);
  EXPECT_EQ(t.read_errno(), EIO);
  EXPECT_EQ(s.pkts.size(), 2u);
}

TEST(TftpTransfer, BlockNumbersRollOverToZero) {
  // 70000 blocks of 8 bytes: block 65536 goes out as 0, 65537 as 1.
  MemSource f(pattern(8 * 70000 + 3));
  TransferParams p;
  p.block_size = 8;
  p.window = 3;
  Transfer t(p, f, Clock::now());
  Sent s;
  EXPECT_EQ(run_client(t, s, Clock::now(), 8, false), f.data);
  EXPECT_EQ(t.status(), Transfer::Status::Done);
  ASSERT_GT(s.pkts.size(), 65537u);
  EXPECT_EQ(s.block(65534), 65535);
  EXPECT_EQ(s.block(65535), 0);
  EXPECT_EQ(s.block(65536), 1);
}

TEST(TftpTransfer, NetasciiConvertsLineEnds) {
  MemSource f("l1\nl2\r\nx\r");
  TransferParams p;
  p.netascii = true;
  p.window = 8;  // ignored for netascii
  Transfer t(p, f, Clock::now());
  Sent s;
  EXPECT_EQ(run_client(t, s, Clock::now(), 512, false), std::string("l1\r\nl2\r\0\r\nx\r\0", 13));
}

TEST(TftpTransfer, NetasciiPairSplitAcrossBlocksAndRetransmittedIdentically) {
  // Every block boundary falls inside a CR LF pair at some point.
  std::string text;
  for (int i = 0; i < 300; ++i) text += std::string(static_cast<size_t>(i % 5), 'a') + "\n";
  std::string expect;
  for (char c : text) expect += c == '\n' ? std::string("\r\n") : std::string(1, c);
  MemSource f(text);
  TransferParams p;
  p.netascii = true;
  p.block_size = 7;
  auto t0 = Clock::now();
  Transfer t(p, f, t0);
  Sent s;
  t.start(s.fn());
  t.on_timer(t.deadline(), s.fn());  // retransmission of block 1 must be the same bytes
  ASSERT_EQ(s.pkts.size(), 2u);
  EXPECT_EQ(s.pkts[0], s.pkts[1]);
  std::string got = s.body(0);
  for (size_t i = 1; t.status() == Transfer::Status::Running; ) {
    auto a = ack(s.block(s.pkts.size() - 1));
    t.on_packet(Bytes(a.data(), a.size()), t0, s.fn());
    for (i = i + 1; i < s.pkts.size(); ++i) got += s.body(i);
    i = s.pkts.size() - 1;
  }
  EXPECT_EQ(got, expect);
}

}  // namespace
}  // namespace masqd::tftp
