// DnsService, TCP side: client connections (several framed queries each, idle limit) and
// forwarding over TCP to the upstream servers (one connection per query and attempt).
#include <sys/socket.h>

#include <algorithm>

#include "dns/service_state.h"

namespace masqd::dns {

namespace pd = proto::dns;

void ServiceState::on_tcp_accept(uint32_t l) {
  (void)tcp[l].listener.accept_all([this, l](net::TcpAccepted acc) {
    // --max-tcp-connections counts the connections of every worker.
    if (shared->tcp_clients.load(std::memory_order_relaxed) >= max_tcp) return;  // closed by acc's destructor
    if (local_service_net && !local_source(acc.peer.ip(), true)) {
      ++stats.dropped_queries;
      return;  // closed by acc's destructor
    }
    if (tcp[l].wildcard || tcp[l].dynamic) {
      struct sockaddr_storage ss {};
      socklen_t sl = sizeof(ss);
      if (getsockname(acc.fd.get(), reinterpret_cast<struct sockaddr*>(&ss), &sl) != 0) return;
      auto local = net::SocketAddr::from_storage(ss, sl);
      if (!local) return;
      int idx = 0;
      for (const auto& [i, info] : ifaces)
        if (std::find(info.addrs.begin(), info.addrs.end(), local->ip()) != info.addrs.end())
          idx = i;
      if (!allowed(local->ip(), idx)) {
        ++stats.dropped_queries;
        return;
      }
    }
    if (shared->tcp_clients.fetch_add(1) >= max_tcp) {
      shared->tcp_clients.fetch_sub(1);
      return;
    }
    auto c = std::make_unique<TcpClient>();
    c->serial = next_serial++;
    c->conn = std::make_unique<net::TcpConnection>(std::move(acc.fd), acc.peer);
    const uint64_t serial = c->serial;
    const int fd = c->conn->fd();
    if (!loop.add_fd(fd, EPOLLIN, [this, serial](uint32_t ev) { on_tcp_client(serial, ev); })) {
      shared->tcp_clients.fetch_sub(1);
      return;
    }
    TcpClient& ref = *c;
    tcp_clients.emplace(serial, std::move(c));
    arm_idle(ref);
  });
}

void ServiceState::arm_idle(TcpClient& c) {
  if (c.idle_timer) loop.cancel_timer(c.idle_timer);
  const uint64_t serial = c.serial;
  c.idle_timer = loop.add_timer(kTcpIdle, [this, serial] {
    auto it = tcp_clients.find(serial);
    if (it == tcp_clients.end()) return;
    it->second->idle_timer = 0;
    close_tcp_client(serial);
  });
}

void ServiceState::close_tcp_client(uint64_t serial) {
  auto it = tcp_clients.find(serial);
  if (it == tcp_clients.end()) return;
  if (it->second->idle_timer) loop.cancel_timer(it->second->idle_timer);
  loop.remove_fd(it->second->conn->fd());
  tcp_clients.erase(it);  // forwards still running find no client and are dropped
  shared->tcp_clients.fetch_sub(1);
}

void ServiceState::tcp_send(TcpClient& c, Bytes msg) {
  if (!c.conn->queue_message(as_bytes_std(msg))) return;
  auto r = c.conn->flush();
  if (r && !*r) (void)loop.modify_fd(c.conn->fd(), c.read_closed ? uint32_t{EPOLLOUT} : uint32_t{EPOLLIN | EPOLLOUT});
}

void ServiceState::on_tcp_client(uint64_t serial, uint32_t events) {
  auto it = tcp_clients.find(serial);
  if (it == tcp_clients.end()) return;
  TcpClient& c = *it->second;
  if (events & EPOLLOUT) {
    auto r = c.conn->flush();
    if (!r) {
      close_tcp_client(serial);
      return;
    }
    if (*r) {
      if (c.read_closed && c.outstanding == 0) {
        close_tcp_client(serial);
        return;
      }
      (void)loop.modify_fd(c.conn->fd(), c.read_closed ? 0u : uint32_t{EPOLLIN});
    }
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    if (c.read_closed) {
      if (events & (EPOLLHUP | EPOLLERR)) close_tcp_client(serial);
      return;
    }
    arm_idle(c);
    auto st = c.conn->read_messages([this, &c](std::span<const std::byte> m) {
      handle_tcp_message(c, Bytes(reinterpret_cast<const uint8_t*>(m.data()), m.size()));
    });
    if (!st || *st == net::TcpConnection::ReadStatus::kClosed || c.queries >= kTcpMaxQueries) {
      c.read_closed = true;
      if (!st || (c.outstanding == 0 && !c.conn->wants_write())) {
        close_tcp_client(serial);
        return;
      }
      (void)loop.modify_fd(c.conn->fd(), c.conn->wants_write() ? uint32_t{EPOLLOUT} : 0u);
    }
  }
}

void ServiceState::handle_tcp_message(TcpClient& c, Bytes msg) {
  if (c.queries >= kTcpMaxQueries) return;
  ++c.queries;
  const CheckedQuery cq = check_query(msg, edns_packet_max);
  if (cq.outcome == CheckedQuery::Outcome::Drop) {
    ++stats.dropped_queries;
    return;
  }
  begin_query_log(c.conn->peer());
  const ClientQuery& q = cq.query;
  if (localise_queries) query_local_addr = net::socket_local_address(c.conn->fd());
  const Routed r = cq.outcome == CheckedQuery::Outcome::Ok ? route_query(q, c.conn->peer().ip(), true)
                                                           : Routed{refusal_reply(cq), nullptr};
  if (!r.group) {
    if (r.reply_len) tcp_send(c, Bytes(scratch.data(), r.reply_len));
    if (r.refresh) forward_udp(q, *r.refresh, nullptr);  // stale answer: refresh over UDP
    return;
  }
  forward_tcp(c, q, *r.group);
}

void ServiceState::forward_tcp(TcpClient& c, const ClientQuery& q, const ServerGroup& group) {
  auto f = std::make_unique<TcpForward>();
  f->serial = next_serial++;
  f->client = c.serial;
  f->question = q.question;
  f->question_bytes.assign(q.question_bytes.begin(), q.question_bytes.end());
  f->client_id = q.header.id;
  f->client_flags = q.header.flags;
  f->has_edns = q.has_edns;
  f->log_ctx = log_ctx;
  f->servers = group.servers;
  f->id = rng.next_u16();
  f->query.resize(upstream_query_size(q, upstream_options()));
  size_t len = build_upstream_query(q, f->id, edns_packet_max, f->query, f->added_opt, upstream_options());
  if (len == 0) return;
  f->query.resize(len);
  const uint64_t serial = f->serial;
  tcp_forwards.emplace(serial, std::move(f));
  ++c.outstanding;
  ++stats.forwarded;
  start_tcp_attempt(serial);
}

void ServiceState::start_tcp_attempt(uint64_t serial) {
  auto it = tcp_forwards.find(serial);
  if (it == tcp_forwards.end()) return;
  TcpForward& f = *it->second;
  log_ctx = f.log_ctx;
  while (f.next_server < f.servers.size()) {
    const Upstream& u = f.servers[f.next_server++];
    auto fd = net::tcp_connect(u.addr);
    if (!fd) continue;
    f.conn = std::make_unique<net::TcpConnection>(std::move(*fd), u.addr);
    f.connected = false;
    if (!f.conn->queue_message(as_bytes_std(Bytes(f.query)))) continue;
    if (!loop.add_fd(f.conn->fd(), EPOLLOUT | EPOLLIN,
                     [this, serial](uint32_t ev) { on_tcp_upstream(serial, ev); }))
      continue;
    f.timer = loop.add_timer(kTcpUpstreamTimeout, [this, serial] {
      auto i = tcp_forwards.find(serial);
      if (i == tcp_forwards.end()) return;
      i->second->timer = 0;
      tcp_attempt_failed(serial);
    });
    ++stats.upstream_queries;
    count_server(u.addr, [](ServerStats& st) { ++st.sent; });
    log_query(format_forwarded(f.question.name, u.addr));
    return;
  }
  // Every server failed: like dnsmasq, give up on the client connection (later in this
  // round: we may be inside that connection's read callback).
  const uint64_t client = f.client;
  finish_tcp_forward(serial);
  loop.post([this, client] { close_tcp_client(client); });
}

void ServiceState::tcp_attempt_failed(uint64_t serial) {
  auto it = tcp_forwards.find(serial);
  if (it == tcp_forwards.end()) return;
  TcpForward& f = *it->second;
  if (f.timer) loop.cancel_timer(f.timer);
  f.timer = 0;
  if (f.conn) {
    loop.remove_fd(f.conn->fd());
    f.conn.reset();
  }
  start_tcp_attempt(serial);
}

void ServiceState::on_tcp_upstream(uint64_t serial, uint32_t events) {
  auto it = tcp_forwards.find(serial);
  if (it == tcp_forwards.end()) return;
  TcpForward& f = *it->second;
  log_ctx = f.log_ctx;
  if (!f.connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    if (!net::connect_result(f.conn->fd())) {
      tcp_attempt_failed(serial);
      return;
    }
    f.connected = true;
  }
  if (events & EPOLLOUT) {
    auto r = f.conn->flush();
    if (!r) {
      tcp_attempt_failed(serial);
      return;
    }
    if (*r) (void)loop.modify_fd(f.conn->fd(), EPOLLIN);
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  std::vector<uint8_t> answer;
  auto st = f.conn->read_messages([&](std::span<const std::byte> m) {
    Bytes b(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    if (answer.empty() && check_reply(b, f.id, f.question) == ReplyCheck::Ok)
      answer.assign(b.begin(), b.end());
    else
      ++stats.replies_rejected;
  });
  FilterOutcome filtered;
  Bytes reply(answer.data(), answer.size());
  if (!answer.empty() && !filter(reply, f.question, filtered)) {
    ++stats.replies_rejected;  // --ignore-address: this server's answer does not count
    tcp_attempt_failed(serial);
    return;
  }
  if (!answer.empty()) {
    ++stats.replies_accepted;
    log_reply_lines(reply, f.question, filtered);
    if (filtered.log_reply) learn(reply, f.question, f.client_flags);
    auto ci = tcp_clients.find(f.client);
    if (ci != tcp_clients.end()) {
      ClientView cv{f.client_id, f.client_flags, Bytes(f.question_bytes), f.has_edns, 65535};
      size_t len = make_client_reply(reply, cv, f.added_opt, true, edns_packet_max, scratch);
      cap_ttls(len);
      TcpClient& c = *ci->second;
      --c.outstanding;
      f.client = 0;
      if (len) tcp_send(c, Bytes(scratch.data(), len));
      if (c.read_closed && c.outstanding == 0 && !c.conn->wants_write()) close_tcp_client(c.serial);
    }
    finish_tcp_forward(serial);
    return;
  }
  if (!st || *st == net::TcpConnection::ReadStatus::kClosed) tcp_attempt_failed(serial);
}

void ServiceState::finish_tcp_forward(uint64_t serial) {
  auto it = tcp_forwards.find(serial);
  if (it == tcp_forwards.end()) return;
  TcpForward& f = *it->second;
  if (f.timer) loop.cancel_timer(f.timer);
  if (f.conn) loop.remove_fd(f.conn->fd());
  if (f.client != 0) {
    auto ci = tcp_clients.find(f.client);
    if (ci != tcp_clients.end() && ci->second->outstanding > 0) --ci->second->outstanding;
  }
  tcp_forwards.erase(it);
}

}  // namespace masqd::dns
