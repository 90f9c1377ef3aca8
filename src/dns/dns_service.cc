#include "dns/dns_service.h"

#include <net/if.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "base/text.h"
#include "config/usage.h"

#include "dns/local_answer.h"
#include "dns/record_writer.h"
#include "dns/service_state.h"

namespace masqd::dns {

namespace pd = proto::dns;

namespace {

Bytes as_bytes(std::span<std::byte> s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::span<const std::byte> as_std_bytes(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}

// The strerror text at the end of a net/ error message ("bind 0.0.0.0#53: Address ...").
std::string reason(const Error& e) {
  auto pos = e.message.rfind(": ");
  return pos == std::string::npos ? e.message : e.message.substr(pos + 2);
}


}  // namespace

void ServiceState::begin_query_log(const net::SocketAddr& from) {
  static std::atomic<uint32_t> serial{0};
  if (!log_extra) return;
  uint32_t n = serial.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n == 0) n = serial.fetch_add(1, std::memory_order_relaxed) + 1;  // 0 means "none"
  log_ctx = LogCtx{n, from};
}

bool interface_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return name.substr(0, pattern.size()) == pattern;
  }
  return pattern == name;
}

ServiceState::ServiceState(const config::Config& c, net::EventLoop& l, DnsService::Hooks h,
                           DnsService::WorkerOptions w)
    : config_ref(c), loop(l), hooks(std::move(h)) {
  reuse_port = w.reuse_port;
  secondary = w.secondary;
  shared = w.shared;
  const auto& d = c.dns;
  port = d.port;
  listen_addresses = d.listen_addresses;
  interfaces = d.interfaces;
  except_interfaces = d.except_interfaces;
  bind_interfaces = d.bind_interfaces;
  bind_dynamic = d.bind_dynamic;
  // --local-service (finalize_dns has turned it off when -i/-I/-a/--auth-server is given):
  // net checks each client's source; host binds the loopback addresses only (::1 is
  // dropped in open_listeners when no interface has it).
  local_service_net = d.local_service == config::DnsConfig::LocalService::Net;
  if (d.local_service == config::DnsConfig::LocalService::Host) {
    bind_interfaces = true;
    localhost_only = true;
    listen_addresses = {*IpAddr::parse("127.0.0.1"), *IpAddr::parse("::1")};
  }
  server_specs = d.servers;
  dns_loop_detect = d.dns_loop_detect;
  no_resolv = d.no_resolv;
  if (d.resolv_files_given) resolv_files = d.resolv_files;
  else resolv_files = {"/etc/resolv.conf"};
  filters.domain_needed = d.domain_needed;
  filters.bogus_priv = d.bogus_priv;
  edns_packet_max = std::max<uint16_t>(512, d.edns_packet_max);
  forward_max = d.dns_forward_max > 0 ? static_cast<size_t>(d.dns_forward_max) : 150;
  max_tcp = d.max_tcp_connections > 0 ? static_cast<size_t>(d.max_tcp_connections) : 20;
  do_0x20 = d.do_0x20_encode && !d.no_0x20_encode;
  add_options.clear();
  if (d.add_cpe_id) {
    // --add-cpe-id: EDNS0 option 65074 with the text, on every forwarded query.
    const std::string& id = *d.add_cpe_id;
    const size_t n = std::min<size_t>(id.size(), 255);
    add_options = {0xfe, 0x32, 0, static_cast<uint8_t>(n)};
    add_options.insert(add_options.end(), id.begin(), id.begin() + static_cast<std::ptrdiff_t>(n));
  }
  // --strip-mac takes both of dnsmasq's MAC options (binary 65001, text/base64 65073) out of
  // client queries, --strip-subnet the client subnet (8), as 2.90 does.
  strip_codes.clear();
  if (d.strip_mac) strip_codes.insert(strip_codes.end(), {65001, 65073});
  if (d.strip_subnet) strip_codes.push_back(8);
  fast_retry = d.fast_dns_retry;
  fast_retry_total = d.fast_dns_retry_total;
  fast_retry_rounds = 0;
  if (fast_retry) {
    // Retries go out at delay, 3*delay, 7*delay, ... while younger than the total (and
    // than the query's lifetime).
    const auto limit = std::min(fast_retry_total, kQueryLifetime);
    for (auto at = *fast_retry; at < limit && fast_retry_rounds < 32; at = 2 * at + *fast_retry)
      ++fast_retry_rounds;
  }
  log_queries = c.process.log_queries != config::LogQueries::Off;
  localise_queries = c.dns.localise_queries;
  log_extra = c.process.log_queries == config::LogQueries::Extra;
  select_mode = d.all_servers    ? SelectMode::All
                : d.strict_order ? SelectMode::Strict
                                 : SelectMode::Fastest;
  no_ident = d.no_ident;
  no_poll = d.no_poll;
  clear_on_reload = d.clear_on_reload;
  dump_on_usr1 = c.process.no_daemon || log_queries;
  if (d.max_ttl) client_max_ttl = static_cast<uint32_t>(d.max_ttl->count());
  dhcp_ttl = static_cast<uint32_t>(d.dhcp_ttl.value_or(d.local_ttl).count());
  if (shared) {
    cache = shared->cache;
  } else if (shared = std::make_shared<SharedState>(); d.cache_size > 0) {
    CacheOptions co;
    co.capacity = static_cast<size_t>(d.cache_size);
    if (d.neg_ttl) co.neg_ttl = static_cast<uint32_t>(d.neg_ttl->count());
    if (d.min_cache_ttl) co.min_ttl = static_cast<uint32_t>(d.min_cache_ttl->count());
    if (d.max_cache_ttl) co.max_ttl = static_cast<uint32_t>(d.max_cache_ttl->count());
    co.negative = !d.no_negcache;
    co.round_robin = !d.no_round_robin;
    co.extra_types = d.cache_rr;
    if (d.use_stale_cache) co.stale_max = static_cast<uint32_t>(d.use_stale_cache->count());
    co.all_types = std::find(d.cache_rr.begin(), d.cache_rr.end(), pd::rr::ANY) != d.cache_rr.end();
    cache = std::make_shared<DnsCache>(std::move(co));
    shared->cache = cache;
  }
  query_port = d.query_port;
  if (d.min_port || d.max_port)
    port_range = std::pair<uint16_t, uint16_t>(d.min_port.value_or(1024), d.max_port.value_or(65535));
  if (port != 0) {
    // Worker 0 builds the local data; the other workers are handed the same snapshot.
    if (!secondary) {
      address_data = AddressData::build(d.addresses);
      local_config = LocalData::settings_of(d);
    }
    reply_filters = ReplyFilters::from(d);
    filterwin2k = d.filterwin2k;
    interface_names = d.interface_names;
    for (auto& in : interface_names) {
      for (auto& ch : in.name) ch = text::ascii_lower(ch);
      if (!in.name.empty() && in.name.back() == '.') in.name.pop_back();
    }
    if (reply_filters.active()) filter_buf.resize(65536);
  }
}

void ServiceState::load_local() {
  auto loaded = LocalData::load(local_config, address_data);
  for (const auto& line : loaded.log_lines) log(line);
  local_data = std::move(loaded.data);
  hosts_file_names = std::move(loaded.file_names);
  if (local_changed_fn) local_changed_fn(local_data);
}

void ServiceState::watch_hostsdirs() {
  if (local_config.hostsdirs.empty()) return;
  inotify = net::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (inotify.get() < 0) {
    log(fmt::format("failed to create inotify: {}", std::strerror(errno)));
    return;
  }
  for (const auto& dir : local_config.hostsdirs) {
    const int wd = ::inotify_add_watch(inotify.get(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE);
    if (wd < 0) {
      log(fmt::format("inotify, failed to add watch for {}: {}", dir, std::strerror(errno)));
      continue;
    }
    watched_dirs[wd] = dir;
  }
  (void)loop.add_fd(inotify.get(), EPOLLIN, [this](uint32_t) { on_hostsdir_event(); });
}

void ServiceState::on_hostsdir_event() {
  alignas(struct inotify_event) char buf[8192];
  std::vector<std::pair<std::string, bool>> changed;  // path, removed
  for (;;) {
    const ssize_t n = ::read(inotify.get(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(struct inotify_event)) <= n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
      auto dir = watched_dirs.find(ev->wd);
      if (dir == watched_dirs.end() || ev->len == 0 || (ev->mask & IN_ISDIR)) continue;
      const std::string name(ev->name);
      if (name.empty() || name[0] == '.' || name.back() == '~' || (name.size() > 1 && name.front() == '#' && name.back() == '#'))
        continue;
      changed.emplace_back(dir->second + "/" + name, (ev->mask & IN_DELETE) != 0);
    }
  }
  if (changed.empty()) return;
  for (const auto& [path, removed] : changed) {
    log(fmt::format("inotify: {} {}", path, removed ? "removed" : "new or modified"));
    if (auto it = hosts_file_names.find(path); it != hosts_file_names.end())
      log(fmt::format("inotify: flushed {} names read from {}", it->second, path));
  }
  // Everything is re-read (the old snapshot answers until the new one is swapped in); only
  // the changed files' lines are logged, as dnsmasq reads just those.
  auto loaded = LocalData::load(local_config, address_data);
  for (const auto& line : loaded.log_lines)
    for (const auto& [path, removed] : changed)
      if (line.find(path) != std::string::npos) {
        log(line);
        break;
      }
  local_data = std::move(loaded.data);
  hosts_file_names = std::move(loaded.file_names);
  if (local_changed_fn) local_changed_fn(local_data);
}

// ---------------------------------------------------------------- set-up

std::optional<ServiceState::ResolvChoice> ServiceState::newest_resolv() const {
  // Several files: the most recently changed one that exists is used (dnsmasq's rule).
  std::optional<ResolvChoice> best;
  for (const auto& f : resolv_files) {
    struct stat st {};
    if (f.empty() || stat(f.c_str(), &st) != 0) continue;
    if (!best || st.st_mtim.tv_sec > best->mtime.tv_sec ||
        (st.st_mtim.tv_sec == best->mtime.tv_sec && st.st_mtim.tv_nsec > best->mtime.tv_nsec))
      best = ResolvChoice{f, st.st_mtim};
  }
  return best;
}

void ServiceState::poll_resolv() {
  auto now_choice = newest_resolv();
  if (!now_choice) return;
  if (resolv_read && now_choice->path == resolv_read->path &&
      now_choice->mtime.tv_sec == resolv_read->mtime.tv_sec &&
      now_choice->mtime.tv_nsec == resolv_read->mtime.tv_nsec)
    return;
  load_servers(false);
  if (clear_on_reload && cache) cache->clear();
}

void ServiceState::load_servers(bool at_startup) {
  std::vector<net::SocketAddr>& resolv = resolv_servers;
  resolv.clear();
  if (!no_resolv) {
    if (auto best = newest_resolv()) {
      std::ifstream in(best->path);
      std::stringstream ss;
      ss << in.rdbuf();
      resolv = parse_resolv_conf(ss.str());
      if (!no_poll) log("reading " + best->path);  // dnsmasq says nothing with --no-poll
      resolv_read = best;
    }
  }
  {
    std::lock_guard lock(shared->loop_mu);
    shared->looped.clear();  // a new set of servers is probed afresh
  }
  build_servers(at_startup, true);
}

void ServiceState::build_servers(bool at_startup, bool send_probes) {
  const std::vector<net::SocketAddr>& resolv = resolv_servers;
  std::vector<net::SocketAddr> looped;
  {
    std::lock_guard lock(shared->loop_mu);
    looped = shared->looped;
  }
  std::vector<net::SocketAddr> ignore;
  if (port != 0)
    for (const auto& a : local_addresses()) ignore.emplace_back(a, port);
  auto ignored = [&](const net::SocketAddr& a) {
    return std::find(ignore.begin(), ignore.end(), net::SocketAddr(a.ip(), a.port())) !=
           ignore.end();
  };
  for (const auto& s : server_specs)
    if (s.kind == config::ServerSpec::Kind::Upstream && ignored(net::SocketAddr(s.addr, s.port)))
      log("ignoring nameserver " + s.addr.to_string() + " - local interface");
  for (const auto& r : resolv)
    if (ignored(r)) log("ignoring nameserver " + r.ip().to_string() + " - local interface");
  servers = ServerTable::build(server_specs, resolv, ignore, looped);
  {
    std::lock_guard lock(shared->choices_mu);
    shared->choices.clear();  // server positions may have changed: measure again
  }
  if (servers_changed_fn) servers_changed_fn(servers);
  for (const auto& line : servers.describe()) log(line);
  bool none = true;
  for (const auto& g : servers.groups()) none = none && g.servers.empty();
  if (none && at_startup) log("warning: no upstream servers configured");
  if (send_probes && dns_loop_detect) send_loop_probes();
}

void ServiceState::send_loop_probes() {
  std::vector<std::pair<uint32_t, net::SocketAddr>> probes;
  for (const auto& u : servers.groups()[0].servers) {
    probes.emplace_back(rng.next_u32(), u.addr);
  }
  {
    std::lock_guard lock(shared->loop_mu);
    shared->loop_probes = probes;
  }
  for (const auto& [uid, addr] : probes) {
    // A TXT query for "<uid>.test" from a socket of its own; the answer does not matter.
    std::array<uint8_t, 64> q{};
    pd::Header h;
    h.id = rng.next_u16();
    h.flags = pd::flag::RD;
    h.qdcount = 1;
    pd::write_header(h, std::span<uint8_t, pd::kHeaderSize>(q.data(), pd::kHeaderSize));
    const std::string label = fmt::format("{:08x}", uid);
    size_t p = pd::kHeaderSize;
    q[p++] = 8;
    std::memcpy(q.data() + p, label.data(), 8);
    p += 8;
    q[p++] = 4;
    std::memcpy(q.data() + p, "test", 4);
    p += 4;
    q[p++] = 0;
    pd::put_u16(q, p, pd::rr::TXT);
    pd::put_u16(q, p + 2, pd::cls::IN);
    p += 4;
    const int fd = ::socket(addr.ip().is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_storage ss{};
    const socklen_t len = addr.to_sockaddr(ss);
    (void)::sendto(fd, q.data(), p, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&ss), len);
    ::close(fd);
  }
}

bool ServiceState::is_loop_probe(const proto::dns::Name& name) {
  // "<8 hex digits>.test", as send_loop_probes writes it (any case).
  const auto w = name.wire();
  if (w.size() != 15 || w[0] != 8 || w[9] != 4 || w[14] != 0) return false;
  uint32_t uid = 0;
  for (size_t i = 1; i <= 8; ++i) {
    const char c = text::ascii_lower(static_cast<char>(w[i]));
    const int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0) return false;
    uid = (uid << 4) | static_cast<uint32_t>(v);
  }
  for (size_t i = 0; i < 4; ++i)
    if (text::ascii_lower(static_cast<char>(w[10 + i])) != "test"[i]) return false;
  std::function<void()> tell;
  {
    std::lock_guard lock(shared->loop_mu);
    auto it = std::find_if(shared->loop_probes.begin(), shared->loop_probes.end(),
                           [uid](const auto& p) { return p.first == uid; });
    if (it == shared->loop_probes.end()) return false;
    if (std::find(shared->looped.begin(), shared->looped.end(), it->second) == shared->looped.end()) {
      shared->looped.push_back(it->second);
      tell = shared->loop_found;
    }
  }
  if (tell) tell();
  return true;
}

// ---------------------------------------------------------------- UDP from clients

void ServiceState::send_udp(uint32_t listener, Bytes data, const net::SocketAddr& peer,
                            const std::optional<net::PktSource>& src) {
  auto bytes = as_std_bytes(data.data(), data.size());
  if (!tx.add(bytes, peer, src)) {
    (void)udp[listener].sock.send(tx);
    tx.clear();
    if (!tx.add(bytes, peer, src)) (void)udp[listener].sock.send_one(bytes, peer, src);
  }
}

void ServiceState::on_udp_readable(uint32_t l) {
  for (int round = 0; round < 8; ++round) {
    auto n = udp[l].sock.recv(rx);
    if (!n || *n == 0) break;
    for (auto& pkt : rx.packets()) handle_udp_packet(l, pkt);
    if (tx.size()) {
      (void)udp[l].sock.send(tx);
      tx.clear();
    }
    // A short batch means the queue was drained: the (level-triggered) loop calls back
    // when more arrives, which saves an empty recvmmsg per wake-up.
    if (*n < rx.capacity()) break;
  }
}

void ServiceState::handle_udp_packet(uint32_t l, net::RecvPacket& pkt) {
  if (pkt.truncated || pkt.peer.port() == 0 ||
      ((udp[l].wildcard || udp[l].dynamic) && pkt.has_dst && !allowed(pkt.dst, pkt.ifindex))) {
    ++stats.dropped_queries;
    return;
  }
  if (local_service_net && !local_source(pkt.peer.ip(), false)) {
    ++stats.dropped_queries;
    return;
  }
  std::optional<net::PktSource> src;
  if (udp[l].wildcard && pkt.has_dst) src = net::PktSource{pkt.dst, pkt.ifindex};
  const CheckedQuery cq = check_query(as_bytes(pkt.data), edns_packet_max);
  if (cq.outcome == CheckedQuery::Outcome::Drop) {
    ++stats.dropped_queries;
    return;
  }
  begin_query_log(pkt.peer);
  const ClientQuery& q = cq.query;
  if (localise_queries)
    query_local_addr = pkt.has_dst ? std::optional<IpAddr>(pkt.dst) : net::socket_local_address(udp[l].sock.fd());
  const Routed r = cq.outcome == CheckedQuery::Outcome::Ok ? route_query(q, pkt.peer.ip(), false)
                                                           : Routed{refusal_reply(cq), nullptr};
  if (!r.group) {
    if (r.reply_len) send_udp(l, Bytes(scratch.data(), r.reply_len), pkt.peer, src);
    if (r.refresh) forward_udp(q, *r.refresh, nullptr);
    return;
  }
  Waiter w{pkt.peer, src, l, q.header.id, q.header.flags, q.has_edns, q.udp_limit};
  forward_udp(q, *r.group, &w);
}

size_t ServiceState::refusal_reply(const CheckedQuery& cq) {
  const bool notimp = cq.outcome == CheckedQuery::Outcome::NotImp;
  const uint8_t rc = notimp ? pd::rcode::NotImp : pd::rcode::Refused;
  if (!notimp) log_query(format_config("error", rc, pd::ede::InvalidData));
  ++stats.local_replies;
  return pd::write_local_reply(cq.query.header, {}, rc, false, std::nullopt, scratch);
}

Routed ServiceState::route_query(const ClientQuery& q, const IpAddr& from, bool over_tcp) {
  ++stats.queries;
  if (log_queries) log_query(format_query(q.question, from));
  // --dns-loop-detect: one of our own probes came back; its server is dropped, the query too.
  if (dns_loop_detect && q.question.qtype == pd::rr::TXT && is_loop_probe(q.question.name))
    return {0, nullptr};
  if (q.question.qclass == pd::cls::CH) {
    if (size_t len = chaos_reply(q)) {
      ++stats.local_replies;
      return {len, nullptr};
    }
  }
  if (!interface_names.empty()) {
    if (size_t len = interface_name_reply(q, over_tcp)) {
      ++stats.local_replies;
      return {len, nullptr};
    }
  }
  if (local_data) {
    LocalAnswerParams lp;
    lp.edns_packet_max = edns_packet_max;
    lp.tcp = over_tcp;
    lp.log = log_queries && hooks.log ? &hooks.log : nullptr;
    if (localise_queries) lp.local_addr = query_local_addr;
    if (lease_names) {
      lp.leases = lease_names.get();
      lp.now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
      lp.dhcp_ttl = dhcp_ttl;
    }
    size_t len = answer_local_data(*local_data, q, lp, scratch);
    if (len == 0) {
      // --address entries, unless a --server/--local domain matches more of the name.
      const AddressMatch m = match_address(*local_data, q.question.name, q.question.qtype);
      if (m.answer || m.refuse) {
        const int route_score = servers.route(q.question.name).score;
        if (m.answer && m.score >= route_score) {
          len = answer_address(*local_data, *m.answer, q, lp, scratch);
        } else if (!m.answer && route_score < 0) {
          log_query(format_config("error", pd::rcode::Refused, pd::ede::NotReady));
          len = make_local_reply(q, pd::rcode::Refused, false, pd::ede::NotReady, edns_packet_max, scratch);
        }
      }
    }
    if (len) {
      ++stats.local_replies;
      return {len, nullptr};
    }
  }
  // --filterwin2k: SOA and SRV queries, and ANY queries for names with '_', get NODATA.
  if (filterwin2k && q.question.qclass == pd::cls::IN) {
    const uint16_t t = q.question.qtype;
    if (t == pd::rr::SOA || t == pd::rr::SRV ||
        (t == pd::rr::ANY && lower_name_text(q.question.name).find('_') != std::string::npos)) {
      ++stats.local_replies;
      log_query(fmt::format("config {} is NODATA", q.question.name.to_text()));
      return {make_local_reply(q, pd::rcode::NoError, true, std::nullopt, edns_packet_max, scratch), nullptr};
    }
  }
  Decision d = decide(q, servers, filters);
  // A --local domain answers NODATA rather than NXDOMAIN for a name that exists locally
  // (with other types, or as a parent of local names).
  if (d.kind == Decision::Kind::Reply && d.rcode == pd::rcode::NxDomain && local_data &&
      local_data->exists(q.question.name) && servers.route(q.question.name).kind == Route::Kind::LocalOnly) {
    d.rcode = pd::rcode::NoError;
    const uint16_t t = q.question.qtype;
    ++stats.local_replies;
    if (log_queries)
      log_query(fmt::format("config {} is {}", q.question.name.to_text(),
                            t == pd::rr::A ? "NODATA-IPv4" : t == pd::rr::AAAA ? "NODATA-IPv6" : "NODATA"));
    return {make_local_reply(q, d.rcode, d.aa, d.ede, edns_packet_max, scratch), nullptr};
  }
  if (d.kind == Decision::Kind::Reply) {
    ++stats.local_replies;
    if (log_queries) log_query(format_config(log_name_for(d, q.question.name), d.rcode, d.ede));
    return {make_local_reply(q, d.rcode, d.aa, d.ede, edns_packet_max, scratch), nullptr};
  }
  if (cache) {
    CacheReplyParams p;
    p.now = static_cast<int64_t>(std::time(nullptr));
    p.client_max_ttl = client_max_ttl;
    p.edns_packet_max = edns_packet_max;
    p.tcp = over_tcp;
    p.log = log_queries && hooks.log ? &query_sink : nullptr;
    bool stale = false;
    p.stale = &stale;
    if (size_t len = cache->answer(q, p, scratch)) {
      ++stats.local_replies;
      ++stats.cache_hits;
      return {len, nullptr, stale ? d.group : nullptr};
    }
  }
  return {0, d.group};
}

size_t ServiceState::interface_name_reply(const ClientQuery& q, bool over_tcp) {
  const uint16_t qt = q.question.qtype;
  const bool address_query = qt == pd::rr::A || qt == pd::rr::AAAA || qt == pd::rr::ANY;
  if (q.question.qclass != pd::cls::IN || (qt != pd::rr::PTR && !address_query)) return 0;
  const std::string lower = lower_name_text(q.question.name);
  if (address_query && std::none_of(interface_names.begin(), interface_names.end(),
                                    [&lower](const config::InterfaceName& in) { return in.name == lower; }))
    return 0;
  if (Clock::now() - ifaces_loaded > std::chrono::seconds(1)) load_interfaces();
  auto iface_addrs = [this](const config::InterfaceName& in) {
    std::vector<IpAddr> out;
    for (const auto& [idx, info] : ifaces) {
      if (info.name != in.interface) continue;
      for (const auto& a : info.addrs) {
        if (a.is_v6() && a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80) continue;  // link-local
        if (in.family == config::InterfaceName::Family::V4 && !a.is_v4()) continue;
        if (in.family == config::InterfaceName::Family::V6 && a.is_v4()) continue;
        out.push_back(a);
      }
    }
    return out;
  };
  RecordWriter w = start_reply(q, scratch, !over_tcp);
  std::vector<std::string> lines;
  uint16_t ancount = 0;
  if (qt == pd::rr::PTR) {
    auto ip = reverse_name_address(lower);
    if (!ip) return 0;
    for (const auto& in : interface_names) {
      const auto addrs = iface_addrs(in);
      if (std::find(addrs.begin(), addrs.end(), *ip) == addrs.end()) continue;
      auto target = pd::Name::from_text(in.name);
      if (!target) continue;
      if (w.record(pd::kHeaderSize, q.question.name.wire(), pd::rr::PTR, 0, target->wire())) ++ancount;
      lines.push_back(fmt::format("config {} is {}", ip->to_string(), in.name));
      break;  // the first name for an address answers
    }
  } else {
    bool named = false, have4 = false, have6 = false;
    std::optional<IpPrefix> near;  // --localise-queries
    if (localise_queries) {
      std::vector<IpAddr> all;
      for (const auto& in : interface_names)
        if (in.name == lower)
          for (const auto& a : iface_addrs(in)) all.push_back(a);
      near = localised_subnet(all, qt, query_local_addr);
    }
    for (const auto& in : interface_names) {
      if (in.name != lower) continue;
      named = true;
      for (const auto& a : iface_addrs(in)) {
        const uint16_t t = a.is_v4() ? pd::rr::A : pd::rr::AAAA;
        if (qt != pd::rr::ANY && qt != t) continue;
        if (near && a.is_v4() && !near->contains(a)) continue;
        (a.is_v4() ? have4 : have6) = true;
        if (w.record(pd::kHeaderSize, q.question.name.wire(), t, 0, pd::Bytes(a.bytes().data(), a.size())))
          ++ancount;
        lines.push_back(fmt::format("config {} is {}", q.question.name.to_text(), a.to_string()));
      }
    }
    // A family without an address is logged as NODATA; with nothing to answer the query is
    // forwarded (dnsmasq 2.90).
    if (named) {
      const std::string n = q.question.name.to_text();
      if (!have4 && qt != pd::rr::AAAA) lines.push_back(fmt::format("config {} is NODATA-IPv4", n));
      if (!have6 && qt != pd::rr::A) lines.push_back(fmt::format("config {} is NODATA-IPv6", n));
      if (ancount == 0 && !w.truncated) {
        for (const auto& l : lines) log_query(l);
        return 0;
      }
    }
  }
  if (ancount == 0 && !w.truncated) return 0;
  ReplyShape shape;
  shape.ancount = ancount;
  shape.aa = true;
  shape.tcp = over_tcp;
  shape.edns_packet_max = edns_packet_max;
  const size_t len = finish_reply(w, q, shape);
  if (len)
    for (const auto& l : lines) log_query(l);
  return len;
}

// CHAOS-class TXT queries for *.bind names (dnsmasq's identification and statistics
// answers, unless --no-ident); other *.bind and *.server queries get NOTIMP. 0: not ours,
// forward it.
size_t ServiceState::chaos_reply(const ClientQuery& q) {
  const std::string name = lower_name_text(q.question.name);
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (!ends_with(".bind") && !ends_with(".server")) return 0;
  std::vector<std::string> txt;
  // --no-ident: every such name gets NOTIMP (2.90 does not forward them either).
  if (q.question.qtype == pd::rr::TXT && !no_ident) {
    const auto counters = cache ? cache->counters() : DnsCache::Counters{};
    if (name == "version.bind") txt = {"masqd-" + std::string(config::kMasqdVersion)};
    else if (name == "authors.bind") txt = {"the masqd authors"};
    else if (name == "copyright.bind") txt = {"masqd: a dnsmasq-compatible server"};
    else if (name == "cachesize.bind") txt = {std::to_string(cache ? cache->capacity() : 0)};
    else if (name == "insertions.bind") txt = {std::to_string(counters.insertions)};
    else if (name == "evictions.bind") txt = {std::to_string(counters.evictions)};
    else if (name == "misses.bind") txt = {std::to_string(summed(&DnsService::Stats::forwarded))};
    else if (name == "hits.bind") txt = {std::to_string(summed(&DnsService::Stats::local_replies))};
    else if (name == "auth.bind") txt = {"0"};
    else if (name == "servers.bind") {
      for (const auto& g : servers.groups())
        for (const auto& u : g.servers) {
          std::string line = fmt::format("{}#{} ", u.addr.ip().to_string(), u.addr.port());
          const ServerStats st = summed_server_stats(u.addr);
          line += fmt::format("{} {}", st.sent, st.failed);
          if (std::find(txt.begin(), txt.end(), line) == txt.end()) txt.push_back(line);
        }
    }
  }
  if (txt.empty()) {
    // dnsmasq logs this EDE text but sends no EDE option.
    log_query(fmt::format("config {} is not implemented (EDE: unknown)", q.question.name.to_text()));
    return pd::write_local_reply(q.header, q.question_bytes, pd::rcode::NotImp, false,
                                 q.has_edns ? std::optional<pd::ReplyEdns>(pd::ReplyEdns{edns_packet_max, false, std::nullopt})
                                            : std::nullopt,
                                 scratch);
  }
  log_query(fmt::format("config {} is <TXT>", q.question.name.to_text()));
  std::vector<uint8_t> rdata;
  for (const auto& t : txt) {
    const size_t n = std::min<size_t>(t.size(), 255);
    rdata.push_back(static_cast<uint8_t>(n));
    rdata.insert(rdata.end(), t.begin(), t.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return write_record_reply(q, pd::rr::TXT, pd::cls::CH, 0, rdata, edns_packet_max, scratch);
}

void ServiceState::learn(Bytes reply, const pd::Question& q, uint16_t query_flags) {
  // dnsmasq does not cache what it got for a query with CD set.
  if (cache && !(query_flags & pd::flag::CD))
    cache->insert_reply(reply, q, static_cast<int64_t>(std::time(nullptr)));
}

void ServiceState::cap_ttls(size_t len) {
  if (client_max_ttl) (void)pd::cap_answer_ttls(scratch, len, *client_max_ttl);
}

// ---------------------------------------------------------------- UDP upstream

void ServiceState::forward_udp(const ClientQuery& q, const ServerGroup& group, const Waiter* wp) {
  auto refuse = [&](uint16_t ede) {
    if (!wp) return;  // a stale-cache refresh: nobody to tell
    const Waiter& w = *wp;
    size_t len = make_local_reply(q, pd::rcode::Refused, false, ede, edns_packet_max, scratch);
    if (len) send_udp(w.listener, Bytes(scratch.data(), len), w.peer, w.source);
    log_query(format_config("error", pd::rcode::Refused, ede));
  };
  MergeKey key = merge_key(q, group.id);
  if (auto it = by_key.find(key); it != by_key.end()) {
    Pending& p = *pending.at(it->second);
    if (!wp) return;  // a refresh of a query already in flight
    const Waiter& w = *wp;
    for (const auto& x : p.waiters)
      if (x.peer == w.peer && x.id == w.id) {
        // The client retransmitted: if the last try is old enough, ask again: the next
        // server in strict order (the last one stays), otherwise every server.
        if (loop.now() - p.last_sent >= kResendAfter) {
          if (select_mode == SelectMode::Strict)
            (void)send_in_order(p, std::min(p.next_server, p.servers.size() - 1));
          else
            (void)send_all(p);
        }
        return;
      }
    if (p.waiters.size() >= forward_max) {
      refuse(pd::ede::Other);
      return;
    }
    p.waiters.push_back(w);
    ++stats.merged;
    return;
  }
  if (pending.size() >= forward_max) {
    log("Maximum number of concurrent DNS queries reached (max: " + std::to_string(forward_max) +
        ")");
    refuse(pd::ede::Other);
    return;
  }
  auto owned = std::make_unique<Pending>();
  Pending& p = *owned;
  p.serial = next_serial++;
  p.key = std::move(key);
  p.question = q.question;
  p.question_bytes.assign(q.question_bytes.begin(), q.question_bytes.end());
  p.servers = group.servers;
  p.query.resize(upstream_query_size(q, upstream_options()));
  size_t len = build_upstream_query(q, 0, edns_packet_max, p.query, p.added_opt, upstream_options());
  if (len == 0) {
    refuse(pd::ede::Other);
    return;
  }
  p.query.resize(len);
  if (do_0x20) encode_0x20(p.query, pd::kHeaderSize, rng.next_u32());
  p.query_flags = q.header.flags;
  p.log_ctx = log_ctx;
  if (wp) p.waiters.push_back(*wp);
  const uint64_t serial = p.serial;
  ++stats.forwarded;
  by_key.emplace(p.key, serial);
  pending.emplace(serial, std::move(owned));
  FirstSend first;
  {
    std::lock_guard lock(shared->choices_mu);
    first = choose_first(shared->choices[group.id], p.servers.size(), select_mode, loop.now());
  }
  bool sent = false;
  if (first.all) sent = send_all(p);
  else if (select_mode == SelectMode::Strict) sent = send_in_order(p, first.server);
  else sent = send_to(p, first.server) || send_all(p);
  if (!sent) {
    refuse(pd::ede::NetworkError);
    finish(serial);
    return;
  }
  if (fast_retry) arm_fast_retry(p, *fast_retry);
  p.expire_timer = loop.add_timer(kQueryLifetime, [this, serial] {
    auto it = pending.find(serial);
    if (it == pending.end()) return;
    it->second->expire_timer = 0;
    ++stats.timeouts;
    for (const auto& a : it->second->attempts)
      if (!a.answered) count_server(a.server, [](ServerStats& st) { ++st.failed; });
    finish(serial);  // dnsmasq sends nothing: the client's own retries take over
  });
}

Result<net::UdpSocket> ServiceState::open_query_socket(const Upstream& u) {
  const IpAddr any = u.addr.ip().is_v4() ? net::SocketAddr::any_v4(0).ip()
                                         : net::SocketAddr::any_v6(0).ip();
  const IpAddr ip = u.source_addr ? *u.source_addr : any;
  net::UdpOptions o;
  o.pktinfo = false;
  o.device = u.interface;
  // No source address or port: no bind(2); connect() then gives the socket a random
  // ephemeral port (the same choice as binding port 0, two system calls fewer).
  o.bind = u.source_addr.has_value() || u.source_port != 0 || port_range.has_value();
  if (u.source_port != 0 || !port_range) return net::UdpSocket::open(net::SocketAddr(ip, u.source_port), o);
  // A random port of the range; a small range is walked in order from a random start.
  const auto [lo, hi] = *port_range;
  const uint32_t n = static_cast<uint32_t>(hi) - lo + 1;
  const uint32_t start = rng.next_u32() % n;
  const uint32_t tries = std::min<uint32_t>(n, 64);
  Result<net::UdpSocket> last = make_error("no free port in the --min-port/--max-port range");
  for (uint32_t t = 0; t < tries; ++t) {
    const uint32_t off = n < 30 ? (start + t) % n : (t == 0 ? start : rng.next_u32() % n);
    last = net::UdpSocket::open(net::SocketAddr(ip, static_cast<uint16_t>(lo + off)), o);
    if (last) return last;
  }
  return last;
}

Result<void> ServiceState::open_query_port_sockets() {
  if (!query_port || port == 0) return ok();
  net::UdpOptions o;
  o.pktinfo = false;
  auto s4 = net::UdpSocket::open(net::SocketAddr::any_v4(*query_port), o);
  if (!s4) return make_error("failed to bind server socket for query port " +
                                 std::to_string(*query_port) + ": " + reason(s4.error()), 2);
  shared4 = std::move(*s4);
  // The IPv6 socket takes the same port (the OS-chosen one when 0 was asked for).
  auto s6 = net::UdpSocket::open(net::SocketAddr::any_v6(shared4.port()), o);
  if (s6) shared6 = std::move(*s6);
  for (net::UdpSocket* sock : {&shared4, &shared6}) {
    if (!sock->valid()) continue;
    auto r = loop.add_fd(sock->fd(), EPOLLIN, [this, sock](uint32_t) { on_shared_readable(*sock); });
    if (!r) return make_error(r.error().message, 2);
  }
  return ok();
}

net::UdpSocket* ServiceState::shared_socket_for(const Upstream& u) {
  // A server with its own @source address, port or interface keeps a socket of its own.
  if (!query_port || u.source_addr || u.source_port != 0 || !u.interface.empty()) return nullptr;
  net::UdpSocket& s = u.addr.ip().is_v4() ? shared4 : shared6;
  return s.valid() ? &s : nullptr;
}

bool ServiceState::send_to(Pending& p, size_t index) {
  if (index >= p.servers.size() ||
      p.attempts.size() >= kMaxAttempts + (2 + fast_retry_rounds) * p.servers.size())
    return false;
  const Upstream& u = p.servers[index];
  struct sockaddr_storage ss {};
  socklen_t sl = u.addr.to_sockaddr(ss);
  uint16_t id = rng.next_u16();
  net::UdpSocket own;
  const bool via_query_port = shared_socket_for(u) != nullptr;
  if (net::UdpSocket* one = shared_socket_for(u)) {
    // One port for every query: the ID alone tells the replies apart, so it must be free.
    for (int t = 0; t < 64 && shared_ids.count(id); ++t) id = rng.next_u16();
    if (shared_ids.count(id)) return false;
    pd::put_u16(p.query, 0, id);
    ssize_t n = ::sendto(one->fd(), p.query.data(), p.query.size(), 0,
                         reinterpret_cast<struct sockaddr*>(&ss), sl);
    if (n != static_cast<ssize_t>(p.query.size())) return false;
    shared_ids.emplace(id, p.serial);
  } else {
    auto s = open_query_socket(u);
    if (!s) {
      log("failed to send to " + u.addr.to_string() + ": " + s.error().message);
      return false;
    }
    // connect(): the kernel then delivers only datagrams from the server's address and port.
    if (::connect(s->fd(), reinterpret_cast<struct sockaddr*>(&ss), sl) != 0) return false;
    pd::put_u16(p.query, 0, id);
    ssize_t n = ::send(s->fd(), p.query.data(), p.query.size(), 0);
    if (n != static_cast<ssize_t>(p.query.size())) return false;
    const int fd = s->fd();
    const uint64_t serial = p.serial;
    if (!loop.add_fd(fd, EPOLLIN, [this, serial, fd](uint32_t) { on_upstream_readable(serial, fd); }))
      return false;
    own = std::move(*s);
  }
  count_server(u.addr, [&](ServerStats& counts) {
    ++counts.sent;
    if (!p.attempts.empty()) ++counts.retried;
  });
  p.attempts.push_back(Attempt{std::move(own), id, u.addr, index, false, loop.now(),
                               via_query_port, via_query_port});
  p.last_sent = loop.now();
  ++stats.upstream_queries;
  log_query(format_forwarded(p.question.name, u.addr));
  return true;
}

void ServiceState::forget_attempt(Attempt& a) {
  if (a.via_query_port) {
    if (a.id_held) shared_ids.erase(a.id);
    a.id_held = false;
  } else if (a.sock.valid()) {
    // Closed at once: the close drops it from the epoll set, so no epoll_ctl(DEL).
    loop.forget_fd(a.sock.fd());
    a.sock = net::UdpSocket{};
  }
}

bool ServiceState::send_all(Pending& p) {
  p.sent_to_all = true;
  bool any = false;
  for (size_t i = 0; i < p.servers.size(); ++i) any = send_to(p, i) || any;
  return any;
}

bool ServiceState::send_in_order(Pending& p, size_t from) {
  for (size_t i = from; i < p.servers.size(); ++i) {
    if (send_to(p, i)) {
      p.next_server = i + 1;
      return true;
    }
  }
  return false;
}

void ServiceState::arm_fast_retry(Pending& p, std::chrono::milliseconds delay) {
  p.retry_delay = delay;
  const uint64_t serial = p.serial;
  p.retry_timer = loop.add_timer(delay, [this, serial] { on_fast_retry(serial); });
}

void ServiceState::on_fast_retry(uint64_t serial) {
  auto it = pending.find(serial);
  if (it == pending.end()) return;
  Pending& p = *it->second;
  p.retry_timer = 0;
  // The query's age: attempts are kept until it ends, so the first is its first send.
  if (p.attempts.empty() || loop.now() - p.attempts.front().sent_at >= fast_retry_total) return;
  // dnsmasq logs its own retries with the client's address and port 0 (--log-queries=extra).
  log_ctx = LogCtx{p.log_ctx.serial, net::SocketAddr(p.log_ctx.from.ip(), 0)};
  // Where the query last went: every server once it goes to all (the first queries after a
  // start, --all-servers, a client's retry in the default mode), else the same server.
  if (p.sent_to_all)
    (void)send_all(p);
  else
    (void)send_to(p, p.attempts.back().index);
  arm_fast_retry(p, 2 * p.retry_delay);
}

void ServiceState::on_send_failure(Pending& p, size_t index) {
  // e.g. ICMP port unreachable on the connected socket: strict order moves on to the next
  // server; a lone server in the default mode makes us ask them all.
  if (select_mode == SelectMode::Strict) {
    if (index + 1 >= p.next_server) (void)send_in_order(p, index + 1);
  } else if (!p.sent_to_all) {
    (void)send_all(p);
  }
}

void ServiceState::on_upstream_readable(uint64_t serial, int fd) {
  auto it = pending.find(serial);
  if (it == pending.end()) {
    loop.remove_fd(fd);
    return;
  }
  Pending& p = *it->second;
  log_ctx = p.log_ctx;
  auto a = std::find_if(p.attempts.begin(), p.attempts.end(),
                        [fd](const Attempt& x) { return x.sock.fd() == fd; });
  if (a == p.attempts.end()) {
    loop.remove_fd(fd);
    return;
  }
  for (int round = 0; round < 4; ++round) {
    auto n = a->sock.recv(up_rx);
    if (!n) {
      forget_attempt(*a);
      a->answered = true;
      count_server(a->server, [](ServerStats& st) { ++st.failed; });
      on_send_failure(p, a->index);  // may add attempts: `a` is invalid afterwards
      return;
    }
    if (*n == 0) return;
    for (auto& pkt : up_rx.packets()) {
      if (pkt.truncated || pkt.peer.ip() != a->server.ip() || pkt.peer.port() != a->server.port()) {
        ++stats.replies_rejected;
        continue;
      }
      if (handle_upstream_packet(p, *a, as_bytes(pkt.data))) return;
    }
  }
}

bool ServiceState::filter(Bytes& data, const pd::Question& q, FilterOutcome& outcome) {
  if (!reply_filters.active()) return true;
  outcome = filter_reply(data, q, reply_filters, filter_buf);
  if (outcome.verdict == FilterOutcome::Verdict::Ignore) return false;
  if (outcome.verdict == FilterOutcome::Verdict::Replaced) data = Bytes(filter_buf.data(), outcome.len);
  if (!outcome.warning.empty()) log(outcome.warning);
  return true;
}

void ServiceState::log_reply_lines(Bytes reply, const pd::Question& q, const FilterOutcome& outcome) {
  if (!log_queries || !hooks.log) return;
  for (const auto& line : outcome.log_lines) log_query(line);
  if (outcome.log_reply) log_reply(reply, q, query_sink);
}

void ServiceState::on_shared_readable(net::UdpSocket& sock) {
  for (int round = 0; round < 8; ++round) {
    auto n = sock.recv(up_rx);
    if (!n || *n == 0) return;  // errors (ICMP) cannot be tied to a query here
    for (auto& pkt : up_rx.packets()) {
      const Bytes data = as_bytes(pkt.data);
      auto id_it = data.size() >= 2 ? shared_ids.find(static_cast<uint16_t>(data[0] << 8 | data[1]))
                                    : shared_ids.end();
      if (pkt.truncated || id_it == shared_ids.end()) {
        ++stats.replies_rejected;
        continue;
      }
      auto it = pending.find(id_it->second);
      if (it == pending.end()) {
        shared_ids.erase(id_it);
        ++stats.replies_rejected;
        continue;
      }
      Pending& p = *it->second;
      const uint16_t id = id_it->first;
      auto a = std::find_if(p.attempts.begin(), p.attempts.end(), [&](const Attempt& x) {
        return x.via_query_port && x.id_held && x.id == id;
      });
      // Only the server the query went to, from its port, may answer it.
      if (a == p.attempts.end() || pkt.peer.ip() != a->server.ip() ||
          pkt.peer.port() != a->server.port()) {
        ++stats.replies_rejected;
        continue;
      }
      log_ctx = p.log_ctx;
      (void)handle_upstream_packet(p, *a, data);
    }
    if (*n < up_rx.capacity()) return;
  }
}

bool ServiceState::handle_upstream_packet(Pending& p, Attempt& a, Bytes data) {
  // With 0x20 the reply must echo the name exactly as it went upstream.
  const Bytes sent_name = do_0x20 ? Bytes(p.query.data() + pd::kHeaderSize, p.question.name.wire_size())
                                         : Bytes();
  if (const ReplyCheck rc = check_reply(data, a.id, p.question, sent_name); rc != ReplyCheck::Ok) {
    ++stats.replies_rejected;
    bool first = false;
    if (rc == ReplyCheck::WrongCase) {
      std::lock_guard lock(shared->case_mu);
      first = shared->case_warned.insert(a.server).second;
    }
    if (first)
      log(fmt::format("reply from {} does not keep the letter case of the question: dropped "
                      "(--do-0x20-encode; that server cannot be used with it)",
                      a.server.to_string()));
    return false;
  }
  FilterOutcome filtered;
  if (!filter(data, p.question, filtered)) {
    ++stats.replies_rejected;  // --ignore-address: wait for another reply
    return false;
  }
  const uint64_t serial = p.serial;
  const uint8_t rcode = data[3] & 0x0f;
  const size_t from = a.index;
  count_server(a.server, [&](ServerStats& ss) {
    ++ss.answers;
    ss.latency_ms_total += static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(loop.now() - a.sent_at).count());
    if (rcode == pd::rcode::NxDomain) ++ss.nxdomain;
  });
  a.answered = true;
  forget_attempt(a);  // one answer per attempt; later ones for this query are ignored
  const bool all_answered = std::all_of(p.attempts.begin(), p.attempts.end(),
                                        [](const Attempt& x) { return x.answered; });
  const ReplyAction act =
      reply_action(select_mode, p.sent_to_all, all_answered, from, p.servers.size(), rcode);
  if (select_mode == SelectMode::Fastest) {
    std::lock_guard lock(shared->choices_mu);
    note_answer(shared->choices[p.key.group], from, rcode, act == ReplyAction::Deliver);
  }
  switch (act) {
    case ReplyAction::Hold:
      ++stats.replies_rejected;
      return true;
    case ReplyAction::ResendAll:
      // dnsmasq 2.90: REFUSED or SERVFAIL from the one server asked makes it ask them all.
      ++stats.replies_rejected;
      if (send_all(p)) return true;
      break;
    case ReplyAction::TryNext:
      ++stats.replies_rejected;
      if (send_in_order(p, from + 1)) return true;
      break;
    case ReplyAction::Deliver:
      break;
  }
  ++stats.replies_accepted;
  deliver(p, data, &filtered);
  finish(serial);
  return true;
}

void ServiceState::deliver(Pending& p, Bytes reply, const FilterOutcome* filtered) {
  const FilterOutcome pass;
  const FilterOutcome& fo = filtered ? *filtered : pass;
  log_reply_lines(reply, p.question, fo);
  // A reply the filters emptied or turned into NXDOMAIN is not cached.
  if (fo.log_reply) learn(reply, p.question, p.query_flags);
  for (const auto& w : p.waiters) {
    ClientView c{w.id, w.flags, Bytes(p.question_bytes), w.has_edns, w.udp_limit};
    size_t len = make_client_reply(reply, c, p.added_opt, false, edns_packet_max, scratch);
    cap_ttls(len);
    if (len) (void)udp[w.listener].sock.send_one(as_std_bytes(scratch.data(), len), w.peer, w.source);
  }
}

void ServiceState::finish(uint64_t serial) {
  auto it = pending.find(serial);
  if (it == pending.end()) return;
  Pending& p = *it->second;
  if (p.expire_timer) loop.cancel_timer(p.expire_timer);
  if (p.retry_timer) loop.cancel_timer(p.retry_timer);
  for (auto& a : p.attempts) forget_attempt(a);
  by_key.erase(p.key);
  pending.erase(it);
}

// ---------------------------------------------------------------- DnsService

DnsService::DnsService(std::unique_ptr<ServiceState> state) : s_(std::move(state)) {}

DnsService::~DnsService() {
  if (!s_) return;
  if (!s_->secondary && s_->shared) {
    std::lock_guard lock(s_->shared->loop_mu);
    s_->shared->loop_found = nullptr;
  }
  for (const auto& [serial, p] : s_->pending) {
    if (p->expire_timer) s_->loop.cancel_timer(p->expire_timer);
    if (p->retry_timer) s_->loop.cancel_timer(p->retry_timer);
    for (const auto& a : p->attempts)
      if (a.sock.valid()) s_->loop.remove_fd(a.sock.fd());
  }
  for (const auto* sock : {&s_->shared4, &s_->shared6})
    if (sock->valid()) s_->loop.remove_fd(sock->fd());
  std::vector<uint64_t> clients;
  for (const auto& [serial, c] : s_->tcp_clients) clients.push_back(serial);
  for (auto serial : clients) s_->close_tcp_client(serial);
  std::vector<uint64_t> fwds;
  for (const auto& [serial, f] : s_->tcp_forwards) fwds.push_back(serial);
  for (auto serial : fwds) s_->finish_tcp_forward(serial);
  if (s_->poll_timer) s_->loop.cancel_timer(s_->poll_timer);
  if (s_->inotify.get() >= 0) s_->loop.remove_fd(s_->inotify.get());
  if (s_->dyn_retry) s_->loop.cancel_timer(s_->dyn_retry);
  if (s_->addr_watch.valid()) s_->loop.remove_fd(s_->addr_watch.get());
  for (const auto& u : s_->udp)
    if (u.sock.fd() >= 0) s_->loop.remove_fd(u.sock.fd());
  for (const auto& t : s_->tcp)
    if (t.listener.fd() >= 0) s_->loop.remove_fd(t.listener.fd());
}

Result<std::unique_ptr<DnsService>> DnsService::create(const config::Config& config,
                                                       net::EventLoop& loop, Hooks hooks) {
  return create(config, loop, std::move(hooks), WorkerOptions{});
}

Result<std::unique_ptr<DnsService>> DnsService::create(const config::Config& config,
                                                       net::EventLoop& loop, Hooks hooks,
                                                       WorkerOptions worker) {
  if (config.dns.bind_interfaces && config.dns.bind_dynamic)
    return make_error("cannot set --bind-interfaces and --bind-dynamic", 1);
  auto state = std::make_unique<ServiceState>(config, loop, std::move(hooks), std::move(worker));
  if (state->port_range && state->port_range->second < state->port_range->first)
    return make_error("max_port cannot be smaller than min_port", 1);
  std::unique_ptr<DnsService> svc(new DnsService(std::move(state)));
  if (auto r = svc->s_->open_listeners(); !r) return r.error();
  if (auto r = svc->s_->open_query_port_sockets(); !r) return r.error();
  ServiceState& st = *svc->s_;
  if (st.port != 0 && !st.secondary) {
    if (st.dns_loop_detect) {
      // A worker that sees a probe come back has worker 0 rebuild the table without it.
      std::lock_guard lock(st.shared->loop_mu);
      st.shared->loop_found = [s = &st] { s->loop.post([s] { s->build_servers(false, false); }); };
    }
    st.load_servers(true);
    st.load_local();
    st.watch_hostsdirs();
    // dnsmasq checks the resolv files for changes as it runs (not with --no-poll).
    if (!st.no_resolv && !st.no_poll)
      st.poll_timer = loop.add_periodic(std::chrono::seconds(1), [s = &st] { s->poll_resolv(); });
  }
  return svc;
}

void DnsService::reload_servers() {
  if (s_->port == 0 || s_->secondary) return;
  s_->load_interfaces();
  if (s_->bind_dynamic) s_->sync_dynamic();
  // SIGHUP re-reads resolv.conf only with --no-poll (otherwise polling sees changes), as
  // dnsmasq; the configured servers are rebuilt either way.
  if (s_->no_poll || s_->no_resolv || s_->servers_changed) s_->load_servers(false);
  s_->servers_changed = false;
}

void DnsService::set_servers(std::vector<config::ServerSpec> specs) {
  s_->server_specs = std::move(specs);
  s_->servers_changed = true;
}

const DnsService::Stats& DnsService::stats() const { return s_->stats; }

void DnsService::reload_local_data() {
  if (s_->port != 0 && !s_->secondary) s_->load_local();
}

std::shared_ptr<const LocalData> DnsService::local_data() const { return s_->local_data; }

void DnsService::adopt_local_data(std::shared_ptr<const LocalData> data) { s_->local_data = std::move(data); }

void DnsService::adopt_lease_names(std::shared_ptr<const local::LeaseNameTable> names) {
  if (names && names->empty()) names.reset();
  s_->lease_names = std::move(names);
}

void DnsService::on_local_data_changed(std::function<void(std::shared_ptr<const LocalData>)> fn) {
  s_->local_changed_fn = std::move(fn);
}

std::shared_ptr<SharedState> DnsService::shared() const { return s_->shared; }

void DnsService::on_servers_changed(std::function<void(const ServerTable&)> fn) {
  s_->servers_changed_fn = std::move(fn);
}

const ServerTable& DnsService::server_table() const { return s_->servers; }

void DnsService::adopt_servers(const ServerTable& table) { s_->servers = table; }

void DnsService::reload_interfaces() {
  if (s_->port == 0) return;
  s_->load_interfaces();
  if (s_->bind_dynamic) s_->sync_dynamic();  // also when a netlink message was lost
}

void DnsService::set_peers(std::vector<const DnsService*> peers) {
  s_->peers.clear();
  for (const auto* p : peers) s_->peers.push_back(p->s_.get());
}

ServerStats ServiceState::summed_server_stats(const net::SocketAddr& a) const {
  ServerStats sum;
  auto add = [&](const ServiceState& w) {
    std::lock_guard lock(w.server_stats_mu);
    auto it = w.server_stats.find(a);
    if (it == w.server_stats.end()) return;
    sum.sent += it->second.sent;
    sum.retried += it->second.retried;
    sum.failed += it->second.failed;
    sum.nxdomain += it->second.nxdomain;
    sum.latency_ms_total += it->second.latency_ms_total;
    sum.answers += it->second.answers;
  };
  if (peers.empty()) add(*this);
  for (const auto* w : peers) add(*w);
  return sum;
}

uint64_t ServiceState::summed(Counter DnsService::Stats::*field) const {
  if (peers.empty()) return stats.*field;
  uint64_t sum = 0;
  for (const auto* w : peers) sum += w->stats.*field;
  return sum;
}

void DnsService::clear_cache() {
  if (s_->cache) s_->cache->clear();
}

void DnsService::log_statistics() {
  ServiceState& s = *s_;
  if (s.port == 0 || !s.hooks.log) return;
  const auto c = s.cache ? s.cache->counters() : DnsCache::Counters{};
  if (s.cache)
    s.log(fmt::format("cache size {}, {}/{} cache insertions re-used unexpired cache entries.",
                      s.cache->capacity(), c.evictions, c.insertions));
  s.log(fmt::format("queries forwarded {}, queries answered locally {}",
                    s.summed(&Stats::forwarded), s.summed(&Stats::local_replies)));
  s.log("queries for authoritative zones 0");
  std::vector<net::SocketAddr> seen;
  for (const auto& g : s.servers.groups())
    for (const auto& u : g.servers) {
      if (std::find(seen.begin(), seen.end(), u.addr) != seen.end()) continue;
      seen.push_back(u.addr);
      const ServerStats st = s.summed_server_stats(u.addr);
      s.log(fmt::format("server {}#{}: queries sent {}, retried {}, failed {}, nxdomain replies {}, "
                        "avg. latency {}ms",
                        u.addr.ip().to_string(), u.addr.port(), st.sent, st.retried, st.failed,
                        st.nxdomain, st.answers ? st.latency_ms_total / st.answers : 0));
    }
  if (s.cache && s.dump_on_usr1)
    s.cache->dump(static_cast<int64_t>(std::time(nullptr)), s.hooks.log);
}

std::vector<net::SocketAddr> DnsService::listening() const {
  std::vector<net::SocketAddr> out;
  for (const auto& u : s_->udp)
    if (u.sock.fd() >= 0) out.push_back(u.sock.local());
  return out;
}

}  // namespace masqd::dns
