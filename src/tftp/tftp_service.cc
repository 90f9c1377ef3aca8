#include "tftp/tftp_service.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <random>

#include <fmt/core.h>

#include "net/socket_addr.h"
#include "net/udp_socket.h"
#include "tftp/file_access.h"
#include "tftp/tftp_packet.h"
#include "tftp/tftp_path.h"
#include "tftp/transfer.h"

namespace masqd::tftp {

namespace {

constexpr uint16_t kTftpPort = 69;
// dnsmasq's packet buffer (EDNS size + MAXDNAME + RRFIXEDSZ = 2267 bytes) less the 4-byte
// DATA header: the largest blksize it grants.
constexpr uint32_t kBufferBlockMax = 2263;
constexpr auto kTick = std::chrono::milliseconds(100);
// While transfers run, the loop polls this long before it sleeps (EventLoop::set_busy_poll,
// docs/adr/0007-tftp-busy-poll.md): each sleep makes the next client ACK pay for a wake-up.
constexpr auto kBusyPoll = std::chrono::microseconds(30);

bool name_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return name.substr(0, pattern.size()) == pattern;
  }
  return pattern == name;
}

class FdSource : public FileSource {
 public:
  explicit FdSource(net::UniqueFd fd) : fd_(std::move(fd)) {}
  ssize_t read_at(uint64_t offset, uint8_t* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::pread(fd_.get(), buf, n, static_cast<off_t>(offset));
      if (r >= 0) return r;
      if (errno != EINTR) return -errno;
    }
  }

 private:
  net::UniqueFd fd_;
};

struct Active {
  net::UniqueFd sock;        // connected to the client; invalid with --tftp-single-port
  net::SocketAddr peer;
  net::PktSource source;     // single-port: where replies leave from
  std::unique_ptr<FdSource> file;
  std::unique_ptr<Transfer> transfer;
  std::string display;
  std::string client;
  uint64_t size = 0;  // the file's size when it was opened
};

}  // namespace

struct TftpServiceState {
  const config::Config& config;
  net::EventLoop& loop;
  TftpService::Hooks hooks;
  TftpService::Stats stats;
  std::vector<net::UdpSocket> listeners;
  net::RecvBatch rx{16, kMaxRequest + 1};
  std::map<int, std::unique_ptr<Active>> by_fd;                 // per-transfer sockets
  std::map<net::SocketAddr, std::unique_ptr<Active>> by_peer;   // --tftp-single-port
  net::TimerId tick = 0;
  bool paused = false;  // listeners not read while the transfer table is full
  std::vector<uint8_t> scratch;
  std::minstd_rand rng{static_cast<uint32_t>(::getpid()) ^ static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count())};

  TftpServiceState(const config::Config& c, net::EventLoop& l, TftpService::Hooks h)
      : config(c), loop(l), hooks(std::move(h)) {}

  void log(log::Level level, const std::string& line) const {
    if (hooks.log) hooks.log(level, line);
  }
  size_t active() const { return by_fd.size() + by_peer.size(); }

  bool serves(const std::string& ifname) const;
  std::string root_for(const std::string& ifname) const;
  uint32_t mtu_of(const std::string& ifname) const;
  void on_listener(net::UdpSocket& sock);
  void handle_request(net::UdpSocket& sock, const net::RecvPacket& pkt);
  void refuse(net::UdpSocket& sock, const net::RecvPacket& pkt, uint16_t code, const std::string& message, bool log_it);
  net::UniqueFd transfer_socket(const net::SocketAddr& local, const net::SocketAddr& peer);
  void send_to(Active& a, Bytes bytes);
  void on_transfer_readable(int fd);
  void finish_if_over(Active& a);
  void on_tick();
  void ensure_tick();  // the retransmission tick and busy polling, while transfers run
  void stop_tick();
  void erase(Active& a);
  bool full() const { return active() > static_cast<size_t>(std::max(config.dhcp.tftp_max, 0)); }
  void pause_listeners(bool pause);
  net::UdpSocket* listener_for(const net::SocketAddr& peer);
};

bool TftpServiceState::serves(const std::string& ifname) const {
  const auto& d = config.dhcp;
  auto any = [&](const std::vector<std::string>& pats) {
    return std::any_of(pats.begin(), pats.end(), [&](const std::string& p) { return name_matches(p, ifname); });
  };
  if (!d.tftp_interfaces.empty()) return any(d.tftp_interfaces);
  const auto& dns = config.dns;
  if (any(dns.except_interfaces) || any(dns.no_dhcp_interfaces)) return false;
  bool listed = std::any_of(dns.interfaces.begin(), dns.interfaces.end(), [](const std::string& s) { return !s.empty(); });
  return !listed || any(dns.interfaces);
}

std::string TftpServiceState::root_for(const std::string& ifname) const {
  // An interface's own root wins over the default one.
  for (const auto& r : config.dhcp.tftp_roots)
    if (!r.interface.empty() && r.interface == ifname) return r.path;
  for (const auto& r : config.dhcp.tftp_roots)
    if (r.interface.empty()) return r.path;
  return {};
}

uint32_t TftpServiceState::mtu_of(const std::string& ifname) const {
  if (listeners.empty() || ifname.empty()) return 0;
  struct ifreq ifr {};
  std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname.c_str());
  uint32_t mtu = 0;
  if (::ioctl(listeners.front().fd(), SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
    mtu = static_cast<uint32_t>(ifr.ifr_mtu);
  int cap = config.dhcp.tftp_mtu;
  if (cap > 0 && (mtu == 0 || static_cast<uint32_t>(cap) < mtu)) mtu = static_cast<uint32_t>(cap);
  return mtu;
}

void TftpServiceState::on_listener(net::UdpSocket& sock) {
  for (int round = 0; round < 8; ++round) {
    auto n = sock.recv(rx);
    if (!n || *n == 0) break;
    for (const auto& pkt : rx.packets()) {
      ++stats.requests;
      if (config.dhcp.tftp_single_port) {
        auto it = by_peer.find(pkt.peer);
        if (it != by_peer.end()) {
          Active& a = *it->second;
          auto bytes = Bytes(reinterpret_cast<const uint8_t*>(pkt.data.data()), pkt.data.size());
          a.transfer->on_packet(bytes, std::chrono::steady_clock::now(), [&](Bytes b) { send_to(a, b); });
          finish_if_over(a);
          continue;
        }
      }
      handle_request(sock, pkt);
    }
    if (*n < rx.capacity()) break;
  }
}

net::UniqueFd TftpServiceState::transfer_socket(const net::SocketAddr& local, const net::SocketAddr& peer) {
  net::UniqueFd fd(::socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return {};
  if (local.family() == AF_INET6) {
    int on = 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  auto bind_port = [&](uint16_t port) {
    net::SocketAddr a(local.ip(), port, local.scope_id());
    struct sockaddr_storage ss {};
    socklen_t len = a.to_sockaddr(ss);
    return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0;
  };
  bool bound = false;
  if (const auto& range = config.dhcp.tftp_port_range) {
    uint32_t span = static_cast<uint32_t>(range->second - range->first) + 1;
    uint32_t start = static_cast<uint32_t>(rng() % span);
    for (uint32_t i = 0; i < span && !bound; ++i) {
      bound = bind_port(static_cast<uint16_t>(range->first + (start + i) % span));
      if (!bound && errno != EADDRINUSE) break;
    }
  } else {
    bound = bind_port(0);
  }
  if (!bound) return {};
  struct sockaddr_storage ss {};
  socklen_t len = peer.to_sockaddr(ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return {};
  return fd;
}

void TftpServiceState::refuse(net::UdpSocket& sock, const net::RecvPacket& pkt, uint16_t code,
                              const std::string& message, bool log_it) {
  ++stats.refused;
  if (log_it) log(log::Level::Err, message);
  build_error(scratch, code, message);
  auto bytes = std::span<const std::byte>(reinterpret_cast<const std::byte*>(scratch.data()), scratch.size());
  if (config.dhcp.tftp_single_port) {
    (void)sock.send_one(bytes, pkt.peer, net::PktSource{pkt.dst, pkt.ifindex});
    return;
  }
  // As dnsmasq, the error comes from a fresh port (the transfer's TID).
  net::SocketAddr local(pkt.dst, 0);
  net::UniqueFd fd(::socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return;
  struct sockaddr_storage ls {}, ps {};
  socklen_t ll = local.to_sockaddr(ls), pl = pkt.peer.to_sockaddr(ps);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ls), ll) != 0) return;
  (void)::sendto(fd.get(), scratch.data(), scratch.size(), 0, reinterpret_cast<sockaddr*>(&ps), pl);
}

void TftpServiceState::handle_request(net::UdpSocket& sock, const net::RecvPacket& pkt) {
  if (!pkt.has_dst || pkt.ifindex <= 0) {
    ++stats.dropped;
    return;
  }
  char namebuf[IF_NAMESIZE] = {};
  if (!if_indextoname(static_cast<unsigned>(pkt.ifindex), namebuf)) {
    ++stats.dropped;
    return;
  }
  std::string ifname(namebuf);
  if (!serves(ifname) || full()) {
    ++stats.dropped;
    return;
  }
  std::string client = pkt.peer.ip().to_string();
  auto bytes = Bytes(reinterpret_cast<const uint8_t*>(pkt.data.data()), pkt.data.size());
  auto req = pkt.truncated ? std::nullopt : parse_request(bytes);
  if (!req) {
    refuse(sock, pkt, kErrIllegal, fmt::format("unsupported request from {}", client), true);
    return;
  }
  std::string root = root_for(ifname);
  // A relative root is taken from / (dnsmasq writes "/" in front of it), whatever the
  // working directory is.
  if (!root.empty() && root.front() != '/') root.insert(0, "/");
  std::string unique;
  if (!root.empty() && config.dhcp.tftp_unique_root == config::TftpUniqueRoot::Ip &&
      unique_dir_exists(root, client))
    unique = client;
  ResolvedPath path = resolve_path(req->filename, root, unique, config.dhcp.tftp_lowercase);
  AccessRules rules{root, config.dhcp.tftp_secure, ::geteuid()};
  OpenedFile file = open_for_transfer(path, rules, client);
  if (!file.ok) {
    bool log_it = !(file.not_found && config.process.quiet_tftp);
    refuse(sock, pkt, file.error_code, file.message, log_it);
    return;
  }

  NegotiationLimits limits;
  limits.no_blocksize = config.dhcp.tftp_no_blocksize;
  limits.buffer_max = kBufferBlockMax;
  limits.mtu = mtu_of(ifname);
  limits.ipv6 = pkt.peer.ip().is_v6();
  Negotiated n = negotiate(*req, limits, file.size);
  TransferParams params = TransferParams::from(*req, n);

  auto a = std::make_unique<Active>();
  a->peer = pkt.peer;
  a->source = net::PktSource{pkt.dst, pkt.ifindex};
  a->display = path.display;
  a->client = client;
  a->size = file.size;
  if (!config.dhcp.tftp_single_port) {
    a->sock = transfer_socket(net::SocketAddr(pkt.dst, 0, pkt.peer.scope_id()), pkt.peer);
    if (!a->sock.valid()) {
      ++stats.dropped;
      log(log::Level::Err, "unable to get free port for TFTP");
      return;
    }
  }
  auto now = std::chrono::steady_clock::now();
  a->file = std::make_unique<FdSource>(std::move(file.fd));
  a->transfer = std::make_unique<Transfer>(std::move(params), *a->file, now);
  Active& ref = *a;
  if (config.dhcp.tftp_single_port) {
    by_peer[pkt.peer] = std::move(a);
  } else {
    int fd = ref.sock.get();
    if (!loop.add_fd(fd, EPOLLIN, [this, fd](uint32_t) { on_transfer_readable(fd); })) {
      ++stats.dropped;
      return;
    }
    by_fd[fd] = std::move(a);
  }
  ensure_tick();
  // dnsmasq 2.90 lets one more transfer start than --tftp-max says (observed: with
  // --tftp-max=1 two run at once), then stops reading port 69 until one ends, so new
  // requests wait in the socket buffer instead of being lost. masqd does the same (except
  // with --tftp-single-port, where port 69 also carries the transfers' ACKs).
  if (full() && !config.dhcp.tftp_single_port) pause_listeners(true);
  ref.transfer->start([&](Bytes b) { send_to(ref, b); });
  finish_if_over(ref);
}

net::UdpSocket* TftpServiceState::listener_for(const net::SocketAddr& peer) {
  for (auto& l : listeners)
    if (l.local().family() == peer.family()) return &l;
  return nullptr;
}

void TftpServiceState::send_to(Active& a, Bytes bytes) {
  if (a.sock.valid()) {
    (void)::send(a.sock.get(), bytes.data(), bytes.size(), MSG_DONTWAIT);  // lost: retransmitted
    return;
  }
  if (auto* l = listener_for(a.peer))
    (void)l->send_one(std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()),
                      a.peer, a.source);
}

void TftpServiceState::on_transfer_readable(int fd) {
  auto it = by_fd.find(fd);
  if (it == by_fd.end()) return;
  Active& a = *it->second;
  uint8_t buf[kMaxRequest];
  auto now = std::chrono::steady_clock::now();
  // One datagram per wake-up: a client sends one ACK per window, so a second recv would
  // nearly always be an EAGAIN system call; the level-triggered epoll reports any other.
  ssize_t r;
  do {
    r = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  } while (r < 0 && errno == EINTR);
  // r < 0: EAGAIN, or an ICMP error (ECONNREFUSED): the retransmission timer decides.
  if (r >= 0)
    a.transfer->on_packet(Bytes(buf, static_cast<size_t>(r)), now, [&](Bytes b) { send_to(a, b); });
  finish_if_over(a);
}

void TftpServiceState::finish_if_over(Active& a) {
  using S = Transfer::Status;
  switch (a.transfer->status()) {
    case S::Running:
      return;
    case S::Done:
      ++stats.completed;
      log(log::Level::Info, fmt::format("sent {} to {}", a.display, a.client));
      if (hooks.sent) hooks.sent(a.size, a.peer.ip(), a.display);
      break;
    case S::TimedOut:
      ++stats.failed;
      log(log::Level::Err, fmt::format("failed sending {} to {}", a.display, a.client));
      break;
    case S::ClientError:
      ++stats.failed;
      log(log::Level::Err, fmt::format("error {} {} received from {}", a.transfer->client_error_code(),
                                       a.transfer->client_error_message(), a.client));
      if (a.transfer->last_block_sent())
        log(log::Level::Info, fmt::format("sent {} to {}", a.display, a.client));
      else
        log(log::Level::Err, fmt::format("failed sending {} to {}", a.display, a.client));
      break;
    case S::ReadError: {
      ++stats.failed;
      std::string msg = fmt::format("cannot read {}: {}", a.display, std::strerror(a.transfer->read_errno()));
      log(log::Level::Err, msg);
      build_error(scratch, kErrNotDefined, msg);
      send_to(a, Bytes(scratch.data(), scratch.size()));
      break;
    }
  }
  erase(a);
}

void TftpServiceState::erase(Active& a) {
  if (a.sock.valid()) {
    int fd = a.sock.get();
    loop.remove_fd(fd);
    by_fd.erase(fd);  // destroys a
  } else {
    by_peer.erase(a.peer);
  }
  if (paused && !full()) pause_listeners(false);
  if (active() == 0) stop_tick();
}

void TftpServiceState::pause_listeners(bool pause) {
  paused = pause;
  for (auto& l : listeners) (void)loop.modify_fd(l.fd(), pause ? 0u : static_cast<uint32_t>(EPOLLIN));
}

void TftpServiceState::ensure_tick() {
  if (tick) return;
  tick = loop.add_periodic(kTick, [this] { on_tick(); });
  loop.set_busy_poll(kBusyPoll);
}

void TftpServiceState::stop_tick() {
  if (!tick) return;
  loop.cancel_timer(tick);
  tick = 0;
  loop.set_busy_poll(std::chrono::microseconds(0));
}

void TftpServiceState::on_tick() {
  auto now = std::chrono::steady_clock::now();
  std::vector<Active*> due;
  for (auto& [fd, a] : by_fd)
    if (now >= a->transfer->deadline()) due.push_back(a.get());
  for (auto& [peer, a] : by_peer)
    if (now >= a->transfer->deadline()) due.push_back(a.get());
  for (Active* a : due) {
    a->transfer->on_timer(now, [&](Bytes b) { send_to(*a, b); });
    finish_if_over(*a);
  }
}

bool TftpService::wanted(const config::Config& config) { return config.dhcp.tftp_enabled; }

Result<std::unique_ptr<TftpService>> TftpService::create(const config::Config& config, net::EventLoop& loop,
                                                         Hooks hooks) {
  auto s = std::make_unique<TftpServiceState>(config, loop, std::move(hooks));
  net::UdpOptions opts;
  opts.reuse_addr = true;
  auto v4 = net::UdpSocket::open(net::SocketAddr::any_v4(kTftpPort), opts);
  if (!v4)
    return make_error(fmt::format("failed to create listening socket for port {}: {}", kTftpPort,
                                  v4.error().message), 2);
  s->listeners.push_back(std::move(*v4));
  if (auto v6 = net::UdpSocket::open(net::SocketAddr::any_v6(kTftpPort), opts)) s->listeners.push_back(std::move(*v6));
  for (size_t i = 0; i < s->listeners.size(); ++i) {
    auto* state = s.get();
    auto r = loop.add_fd(s->listeners[i].fd(), EPOLLIN, [state, i](uint32_t) { state->on_listener(state->listeners[i]); });
    if (!r) return r.error();
  }
  return std::unique_ptr<TftpService>(new TftpService(std::move(s)));
}

TftpService::TftpService(std::unique_ptr<TftpServiceState> s) : s_(std::move(s)) {}

TftpService::~TftpService() {
  if (!s_) return;
  shutdown();
  for (auto& l : s_->listeners) s_->loop.remove_fd(l.fd());
}

Result<std::vector<std::string>> TftpService::check_roots() {
  const auto& d = s_->config.dhcp;
  std::vector<std::string> lines;
  std::string default_root;
  for (const auto& r : d.tftp_roots)
    if (r.interface.empty() && default_root.empty()) default_root = r.path;
  // dnsmasq: "TFTP root is X secure mode single port mode", with empty parts left as spaces.
  lines.push_back(fmt::format("TFTP {}{} {} {}", default_root.empty() ? "enabled" : "root is ", default_root,
                              d.tftp_secure ? "secure mode" : "", d.tftp_single_port ? "single port mode" : ""));
  for (const auto& r : d.tftp_roots) {
    net::UniqueFd fd(::open(r.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.valid()) continue;
    int e = errno;
    if (!d.tftp_no_fail)
      return make_error(fmt::format("TFTP directory {} inaccessible: {}", r.path, std::strerror(e)), 3);
    lines.push_back(fmt::format("warning: {} inaccessible", r.path));
  }
  return lines;
}

void TftpService::shutdown() {
  for (auto& [fd, a] : s_->by_fd) s_->loop.remove_fd(fd);
  s_->by_fd.clear();
  s_->by_peer.clear();
  s_->stop_tick();
}

size_t TftpService::active_transfers() const { return s_->active(); }
const TftpService::Stats& TftpService::stats() const { return s_->stats; }

}  // namespace masqd::tftp
