#include "net/tcp.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

namespace masqd::net {
namespace {

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string text(std::span<const std::byte> b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

std::string frame(std::string_view msg) {
  std::string f;
  f.push_back(static_cast<char>(msg.size() >> 8));
  f.push_back(static_cast<char>(msg.size() & 0xff));
  f.append(msg);
  return f;
}

bool wait_fd(int fd, short events, int timeout_ms = 1000) {
  struct pollfd pfd {fd, events, 0};
  return ::poll(&pfd, 1, timeout_ms) == 1;
}

struct Pair {
  TcpListener listener;
  UniqueFd client;
  TcpAccepted server;
};

// A connected client/server pair over 127.0.0.1, every wait bounded.
Pair make_pair() {
  Pair p;
  auto l = TcpListener::listen(SocketAddr(*IpAddr::parse("127.0.0.1"), 0));
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
  if (!l.ok()) return p;
  p.listener = std::move(l).value();
  auto c = tcp_connect(p.listener.local());
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  if (!c.ok()) return p;
  p.client = std::move(c).value();
  EXPECT_TRUE(wait_fd(p.client.get(), POLLOUT));
  EXPECT_TRUE(connect_result(p.client.get()).ok());
  EXPECT_TRUE(wait_fd(p.listener.fd(), POLLIN));
  auto n = p.listener.accept_all([&](TcpAccepted a) { p.server = std::move(a); });
  EXPECT_TRUE(n.ok());
  EXPECT_EQ(n.ok() ? *n : 0, 1u);
  return p;
}

void write_all(int fd, std::string_view s) {
  size_t off = 0;
  for (int i = 0; i < 1000 && off < s.size(); ++i) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n > 0) off += static_cast<size_t>(n);
    else if (!wait_fd(fd, POLLOUT)) break;
  }
  ASSERT_EQ(off, s.size());
}

TEST(FrameDecoder, SplitsAndReassembles) {
  FrameDecoder d(512);
  std::string stream = frame("alpha") + frame("") + frame(std::string(300, 'b')) + frame("gamma");
  std::vector<std::string> got;
  for (char c : stream) {  // worst case: one byte at a time
    d.feed(bytes(std::string_view(&c, 1)));
    while (auto m = d.next()) got.push_back(text(*m));
  }
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], "alpha");
  EXPECT_EQ(got[1], "");
  EXPECT_EQ(got[2], std::string(300, 'b'));
  EXPECT_EQ(got[3], "gamma");
  EXPECT_EQ(d.buffered(), 0u);

  d.feed(bytes(stream));  // all at once
  got.clear();
  while (auto m = d.next()) got.push_back(text(*m));
  EXPECT_EQ(got.size(), 4u);
}

TEST(FrameDecoder, OversizeLengthIsSticky) {
  FrameDecoder d(100);
  d.feed(bytes(frame("ok") + frame(std::string(101, 'x')) + frame("after")));
  auto first = d.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(text(*first), "ok");
  EXPECT_FALSE(d.next().has_value());
  EXPECT_TRUE(d.oversize());
  d.feed(bytes(frame("more")));
  EXPECT_FALSE(d.next().has_value());
}

TEST(Tcp, ListenerAcceptsAndReportsPeer) {
  Pair p = make_pair();
  ASSERT_TRUE(p.server.fd.valid());
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  ASSERT_EQ(::getsockname(p.client.get(), reinterpret_cast<sockaddr*>(&ss), &len), 0);
  EXPECT_EQ(p.server.peer, *SocketAddr::from_storage(ss, len));
  EXPECT_NE(p.listener.port(), 0);
  // Nothing else waiting: accept_all returns 0 without error.
  auto n = p.listener.accept_all([](TcpAccepted) { ADD_FAILURE(); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(Tcp, FramesSplitAcrossWritesAreReassembled) {
  Pair p = make_pair();
  TcpConnection conn(std::move(p.server.fd), p.server.peer);
  std::string stream = frame("first") + frame(std::string(1000, 'm')) + frame("third");
  std::vector<std::string> got;
  // Write in awkward pieces: mid-prefix, mid-body; read after each.
  const size_t cuts[] = {1, 4, 9, 500, 1010, stream.size()};
  size_t off = 0;
  for (size_t cut : cuts) {
    write_all(p.client.get(), std::string_view(stream).substr(off, cut - off));
    off = cut;
    ASSERT_TRUE(wait_fd(conn.fd(), POLLIN));
    auto r = conn.read_messages([&](std::span<const std::byte> m) { got.push_back(text(m)); });
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, TcpConnection::ReadStatus::kOpen);
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "first");
  EXPECT_EQ(got[1], std::string(1000, 'm'));
  EXPECT_EQ(got[2], "third");

  ::shutdown(p.client.get(), SHUT_WR);
  ASSERT_TRUE(wait_fd(conn.fd(), POLLIN));
  auto r = conn.read_messages([](std::span<const std::byte>) { ADD_FAILURE(); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, TcpConnection::ReadStatus::kClosed);
}

TEST(Tcp, OversizeFrameIsRejected) {
  Pair p = make_pair();
  TcpConnection conn(std::move(p.server.fd), p.server.peer, 512);
  write_all(p.client.get(), frame("fine") + frame(std::string(513, 'z')));
  ASSERT_TRUE(wait_fd(conn.fd(), POLLIN));
  std::vector<std::string> got;
  Result<TcpConnection::ReadStatus> r = TcpConnection::ReadStatus::kOpen;
  for (int i = 0; i < 50 && r.ok(); ++i) {
    r = conn.read_messages([&](std::span<const std::byte> m) { got.push_back(text(m)); });
    if (r.ok()) wait_fd(conn.fd(), POLLIN, 20);
  }
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("size limit"), std::string::npos);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "fine");
}

TEST(Tcp, WriteQueueSurvivesPartialWrites) {
  Pair p = make_pair();
  int small = 4096;
  ASSERT_EQ(::setsockopt(p.server.fd.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  TcpConnection conn(std::move(p.server.fd), p.server.peer);
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back(std::string(60000, static_cast<char>('a' + i % 26)) + std::to_string(i));
    ASSERT_TRUE(conn.queue_message(bytes(sent.back())).ok());
  }
  EXPECT_FALSE(conn.queue_message(bytes(std::string(65536, 'x'))).ok());
  auto first = conn.flush();
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(*first) << "expected the small socket buffer to force a partial write";
  EXPECT_TRUE(conn.wants_write());

  // Peer reads while the connection keeps flushing, as an event loop would on EPOLLOUT.
  FrameDecoder client_side(TcpConnection::kMaxDnsMessage);
  std::vector<std::string> got;
  std::vector<std::byte> buf(65536);
  for (int i = 0; i < 20000 && got.size() < sent.size(); ++i) {
    if (conn.wants_write()) {
      ASSERT_TRUE(conn.flush().ok());
    }
    wait_fd(p.client.get(), POLLIN, 5);
    ssize_t n = ::recv(p.client.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) client_side.feed({buf.data(), static_cast<size_t>(n)});
    while (auto m = client_side.next()) got.push_back(text(*m));
  }
  EXPECT_FALSE(conn.wants_write());
  EXPECT_EQ(conn.queued_bytes(), 0u);
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i], sent[i]) << i;
}

TEST(Tcp, ConnectToClosedPortFails) {
  // Grab a free port, then close it so nothing listens there.
  uint16_t port;
  {
    auto l = TcpListener::listen(SocketAddr(*IpAddr::parse("127.0.0.1"), 0));
    ASSERT_TRUE(l.ok());
    port = l->port();
  }
  auto c = tcp_connect(SocketAddr(*IpAddr::parse("127.0.0.1"), port));
  if (!c.ok()) return;  // refused synchronously: also a failure, as expected
  ASSERT_TRUE(wait_fd(c->get(), POLLOUT));
  EXPECT_FALSE(connect_result(c->get()).ok());
}

}  // namespace
}  // namespace masqd::net
