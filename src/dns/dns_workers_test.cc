#include "dns/dns_workers.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/loader.h"
#include "net/fd.h"

namespace masqd::dns {
namespace {

config::Config load(std::vector<std::string> args) {
  args.insert(args.begin(), {"masqd", "-C", "/dev/null"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto r = config::load(std::span<char* const>(argv.data(), argv.size()));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->config : config::Config{};
}

// A loopback UDP port nobody uses right now (TCP too: the service binds both).
uint16_t free_port() {
  for (int i = 0; i < 20; ++i) {
    net::UniqueFd u(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(u.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) continue;
    ::getsockname(u.get(), reinterpret_cast<sockaddr*>(&a), &len);
    net::UniqueFd t(::socket(AF_INET, SOCK_STREAM, 0));
    if (::bind(t.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return ntohs(a.sin_port);
  }
  return 0;
}

std::vector<uint8_t> make_query(uint16_t id, const std::string& name, uint16_t type, uint16_t cls) {
  std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00,
                            0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<uint8_t>(dot - start));
    q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
             name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  q.push_back(0);
  for (uint16_t v : {type, cls}) {
    q.push_back(static_cast<uint8_t>(v >> 8));
    q.push_back(static_cast<uint8_t>(v));
  }
  return q;
}

// One query from a fresh client socket (so the kernel may pick any worker); the reply or
// nothing after 3 s.
std::optional<std::vector<uint8_t>> ask(uint16_t port, const std::vector<uint8_t>& query) {
  net::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  timeval tv{3, 0};
  ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::sendto(s.get(), query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
    return std::nullopt;
  std::vector<uint8_t> buf(4096);
  ssize_t n = ::recv(s.get(), buf.data(), buf.size(), 0);
  if (n < 12) return std::nullopt;
  buf.resize(static_cast<size_t>(n));
  return buf;
}

TEST(DnsWorkers, CountFor) {
  EXPECT_EQ(DnsWorkers::count_for(load({"--masqd-workers=3"})), 3u);
  EXPECT_EQ(DnsWorkers::count_for(load({"--masqd-workers=3", "--query-port=5399"})), 1u);
  EXPECT_EQ(DnsWorkers::count_for(load({"--masqd-workers=3", "--port=0"})), 1u);
  EXPECT_GE(DnsWorkers::count_for(load({})), 1u);
}

// Two workers on one port: queries from many client sockets are spread over both, every
// one is answered, and CHAOS hits.bind (asked of either worker) counts them all.
TEST(DnsWorkers, TwoWorkersAnswerAndSumTheirCounters) {
  const uint16_t port = free_port();
  ASSERT_NE(port, 0);
  const config::Config cfg = load({"--port=" + std::to_string(port), "--listen-address=127.0.0.1",
                                   "--bind-interfaces", "--no-resolv", "--masqd-workers=2"});
  auto loop = net::EventLoop::create();
  ASSERT_TRUE(loop.ok());
  auto w = DnsWorkers::create(cfg, **loop, {}, 2);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)->size(), 2u);
  // A second instance may not join the port through SO_REUSEPORT.
  auto again = DnsWorkers::create(cfg, **loop, {}, 2);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("Address already in use"), std::string::npos);

  ASSERT_TRUE((*w)->start().ok());
  std::thread main_thread([&] { (*loop)->run(); });
  constexpr int kQueries = 40;
  int refused = 0;
  for (int i = 0; i < kQueries; ++i) {
    auto r = ask(port, make_query(static_cast<uint16_t>(i), "www.example.com", 1, 1));
    if (r && ((*r)[3] & 0x0f) == 5) ++refused;  // no servers: REFUSED
  }
  EXPECT_EQ(refused, kQueries);
  auto hits = ask(port, make_query(999, "hits.bind", 16, 3));
  ASSERT_TRUE(hits.has_value());
  const std::string tail(hits->end() - 3, hits->end());
  EXPECT_EQ(tail, "\x02" "40");
  // Both workers took part (all 41 queries on one of them: chance 2^-40).
  const uint64_t first = (*w)->first().stats().queries;
  EXPECT_GE(first, 1u);
  EXPECT_LT(first, static_cast<uint64_t>(kQueries + 1));
  (*loop)->stop();
  main_thread.join();
  w->reset();  // joins worker 1, then closes everything
}

}  // namespace
}  // namespace masqd::dns
