#include "net/udp_socket.h"

#include <gtest/gtest.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>

namespace masqd::net {
namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

UdpSocket open_or_die(const SocketAddr& a, const UdpOptions& o = {}) {
  auto r = UdpSocket::open(a, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : UdpSocket();
}

// Receives into batch until `want` datagrams arrived in total or ~1 s passed. Collected in order.
std::vector<std::pair<std::string, RecvPacket>> recv_all(UdpSocket& s, RecvBatch& batch, size_t want) {
  std::vector<std::pair<std::string, RecvPacket>> out;
  for (int i = 0; i < 100 && out.size() < want; ++i) {
    struct pollfd pfd {s.fd(), POLLIN, 0};
    ::poll(&pfd, 1, 10);
    auto r = s.recv(batch);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) break;
    EXPECT_EQ(*r, batch.size());
    for (auto& p : batch.packets()) out.emplace_back(text(p.data), p);
  }
  return out;
}

TEST(UdpSocket, EphemeralPortIsExposed) {
  UdpSocket s = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  ASSERT_TRUE(s.valid());
  EXPECT_NE(s.port(), 0);
  EXPECT_EQ(s.local().ip(), ip("127.0.0.1"));
}

// recv_buffer above net.core.rmem_max: granted in full with CAP_NET_ADMIN (the tests run as
// root in CI), else capped by the kernel; never an error.
TEST(UdpSocket, RecvBufferIsForcedWhenAllowed) {
  UdpOptions o;
  o.recv_buffer = 16 << 20;  // above any distribution's rmem_max default
  UdpSocket s = open_or_die(SocketAddr(ip("127.0.0.1"), 0), o);
  ASSERT_TRUE(s.valid());
  int got = 0;
  socklen_t len = sizeof got;
  ASSERT_EQ(::getsockopt(s.fd(), SOL_SOCKET, SO_RCVBUF, &got, &len), 0);
  if (::geteuid() == 0) {
    EXPECT_GE(got, 16 << 20);  // the kernel doubles what it was asked
    EXPECT_EQ(s.recv_buffer(), 16 << 20);
  } else {
    EXPECT_GT(got, 0);
  }
  EXPECT_EQ(s.recv_buffer(), got / 2);
}

TEST(UdpSocket, RecvBufferOfAClosedSocketIsZero) {
  UdpSocket s;
  EXPECT_EQ(s.recv_buffer(), 0);
}

TEST(UdpSocket, RecvWithNothingWaitingReturnsZero) {
  UdpSocket s = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  RecvBatch batch(4, 512);
  auto r = s.recv(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
  EXPECT_EQ(batch.size(), 0u);
}

TEST(UdpSocket, BindConflictIsAnErrorWithNetworkCode) {
  UdpSocket a = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  auto b = UdpSocket::open(SocketAddr(ip("127.0.0.1"), a.port()));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, 2);
  EXPECT_NE(b.error().message.find("127.0.0.1#"), std::string::npos) << b.error().message;
}

TEST(UdpSocket, ReusePortAllowsTwoSocketsOnOnePort) {
  UdpOptions o;
  o.reuse_port = true;
  UdpSocket a = open_or_die(SocketAddr(ip("127.0.0.1"), 0), o);
  auto b = UdpSocket::open(SocketAddr(ip("127.0.0.1"), a.port()), o);
  EXPECT_TRUE(b.ok()) << b.error().message;
}

TEST(UdpSocket, BatchExchangeWithPktinfoAndReplyFromChosenSource) {
  UdpSocket server = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  UdpSocket client = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  const SocketAddr server_addr(ip("127.0.0.1"), server.port());

  SendBatch out(8, 512);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(out.add(bytes("query-" + std::to_string(i)), server_addr));
  EXPECT_TRUE(out.full());
  EXPECT_FALSE(out.add(bytes("overflow"), server_addr));
  auto sent = client.send(out);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 8u);
  EXPECT_EQ(out.pending(), 0u);
  EXPECT_EQ(out.sent(), 8u);

  RecvBatch in(4, 512);  // smaller than the burst: needs two receives
  auto got = recv_all(server, in, 8);
  ASSERT_EQ(got.size(), 8u);
  int lo_index = static_cast<int>(if_nametoindex("lo"));
  for (size_t i = 0; i < got.size(); ++i) {
    const auto& [payload, p] = got[i];
    EXPECT_EQ(payload, "query-" + std::to_string(i));
    EXPECT_EQ(p.peer, client.local());
    EXPECT_FALSE(p.truncated);
    EXPECT_EQ(p.wire_size, payload.size());
    ASSERT_TRUE(p.has_dst);
    EXPECT_EQ(p.dst, ip("127.0.0.1"));
    EXPECT_EQ(p.ifindex, lo_index);
  }

  // Reply to each, from the address/interface the query arrived on.
  SendBatch replies(8, 512);
  ASSERT_EQ(server.recv(in).value(), 0u);  // drained
  for (const auto& [payload, p] : got) {
    std::string r = "reply-" + payload;
    ASSERT_TRUE(replies.add(bytes(r), p.peer, PktSource{p.dst, p.ifindex}));
  }
  ASSERT_EQ(server.send(replies).value(), 8u);
  auto back = recv_all(client, in, 8);
  ASSERT_EQ(back.size(), 8u);
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].first, "reply-query-" + std::to_string(i));
    EXPECT_EQ(back[i].second.peer, server_addr);
  }
}

TEST(UdpSocket, WildcardSocketSeesDestinationAndRepliesFromIt) {
  UdpSocket server = open_or_die(SocketAddr::any_v4(0));
  UdpSocket client = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  const uint16_t port = server.port();
  ASSERT_TRUE(client.send_one(bytes("to-dot-one"), SocketAddr(ip("127.0.0.1"), port)).value());
  ASSERT_TRUE(client.send_one(bytes("to-dot-two"), SocketAddr(ip("127.0.0.2"), port)).value());

  RecvBatch in(8, 512);
  auto got = recv_all(server, in, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "to-dot-one");
  EXPECT_EQ(got[0].second.dst, ip("127.0.0.1"));
  EXPECT_EQ(got[1].first, "to-dot-two");
  EXPECT_EQ(got[1].second.dst, ip("127.0.0.2"));

  // Without PKTINFO the kernel would pick 127.0.0.1; the reply must come from 127.0.0.2.
  const RecvPacket& q = got[1].second;
  SendBatch out(1, 512);
  ASSERT_TRUE(out.add_view(q.data, q.peer, PktSource{q.dst, 0}));
  ASSERT_EQ(server.send(out).value(), 1u);
  auto back = recv_all(client, in, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].first, "to-dot-two");
  EXPECT_EQ(back[0].second.peer, SocketAddr(ip("127.0.0.2"), port));

  // And the default (no source given) leaves from the primary loopback address.
  ASSERT_TRUE(server.send_one(bytes("plain"), q.peer).value());
  back = recv_all(client, in, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].second.peer, SocketAddr(ip("127.0.0.1"), port));
}

TEST(UdpSocket, TruncationIsFlagged) {
  UdpSocket server = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  UdpSocket client = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  std::string big(600, 'x');
  ASSERT_TRUE(client.send_one(bytes(big), server.local()).value());
  ASSERT_TRUE(client.send_one(bytes("small"), server.local()).value());
  RecvBatch in(4, 512);
  auto got = recv_all(server, in, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].second.truncated);
  EXPECT_EQ(got[0].second.wire_size, 600u);
  EXPECT_EQ(got[0].second.data.size(), 512u);
  EXPECT_EQ(got[0].first, std::string(512, 'x'));
  EXPECT_FALSE(got[1].second.truncated);
  EXPECT_EQ(got[1].first, "small");
}

TEST(UdpSocket, RefusedMessageIsSkippedAndOthersStillSent) {
  UdpSocket server = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  UdpSocket client = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  SendBatch out(3, 64);
  ASSERT_TRUE(out.add(bytes("one"), server.local()));
  ASSERT_TRUE(out.add(bytes("bad"), SocketAddr(ip("::1"), server.port())));  // wrong family
  ASSERT_TRUE(out.add(bytes("three"), server.local()));
  auto r = client.send(out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(out.sent(), 2u);
  EXPECT_EQ(out.failed(), 1u);
  EXPECT_EQ(out.pending(), 0u);
  RecvBatch in(4, 64);
  auto got = recv_all(server, in, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "one");
  EXPECT_EQ(got[1].first, "three");
  out.clear();
  EXPECT_EQ(out.size(), 0u);
  EXPECT_EQ(out.failed(), 0u);
}

TEST(UdpSocket, Ipv6LoopbackExchange) {
  auto server_r = UdpSocket::open(SocketAddr(ip("::1"), 0));
  if (!server_r.ok()) GTEST_SKIP() << "::1 unavailable: " << server_r.error().message;
  UdpSocket server = std::move(server_r).value();
  UdpSocket client = open_or_die(SocketAddr(ip("::1"), 0));
  SendBatch out(2, 128);
  ASSERT_TRUE(out.add(bytes("six-a"), server.local()));
  ASSERT_TRUE(out.add(bytes("six-b"), server.local()));
  ASSERT_EQ(client.send(out).value(), 2u);
  RecvBatch in(4, 128);
  auto got = recv_all(server, in, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "six-a");
  EXPECT_EQ(got[1].first, "six-b");
  const RecvPacket& p = got[0].second;
  EXPECT_EQ(p.peer, client.local());
  ASSERT_TRUE(p.has_dst);
  EXPECT_EQ(p.dst, ip("::1"));
  EXPECT_EQ(p.ifindex, static_cast<int>(if_nametoindex("lo")));
  EXPECT_EQ(p.peer.to_string(), "::1#" + std::to_string(client.port()));
  ASSERT_TRUE(server.send_one(bytes("six-reply"), p.peer, PktSource{p.dst, p.ifindex}).value());
  auto back = recv_all(client, in, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].first, "six-reply");
  EXPECT_EQ(back[0].second.peer, server.local());
}

TEST(UdpSocket, V6SocketIsV6Only) {
  auto r = UdpSocket::open(SocketAddr::any_v6(0));
  if (!r.ok()) GTEST_SKIP() << "no IPv6: " << r.error().message;
  UdpSocket v6 = std::move(r).value();
  UdpSocket client = open_or_die(SocketAddr(ip("127.0.0.1"), 0));
  ASSERT_TRUE(client.send_one(bytes("v4"), SocketAddr(ip("127.0.0.1"), v6.port())).value());
  struct pollfd pfd {v6.fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 100), 0);  // nothing arrives on the IPv6 socket
  RecvBatch in(2, 64);
  EXPECT_EQ(v6.recv(in).value(), 0u);
}

}  // namespace
}  // namespace masqd::net
