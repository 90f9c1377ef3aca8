// Internal to DnsService (dns_service.cc, dns_service_tcp.cc): the state one service owns
// on its loop thread. Not a public interface.
#pragma once

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "dns/cache.h"
#include "dns/dns_service.h"
#include "dns/forward_engine.h"
#include "dns/local_data.h"
#include "local/lease_names.h"
#include "net/local_prefix.h"
#include "dns/reply_filter.h"
#include "dns/random_pool.h"
#include "dns/server_select.h"
#include "dns/server_table.h"
#include "net/event_loop.h"
#include "net/fd.h"
#include "net/interfaces.h"
#include "net/tcp.h"
#include "net/udp_socket.h"

namespace masqd::dns {

using Clock = std::chrono::steady_clock;

// dnsmasq's TIMEOUT: a forwarded query is forgotten after this long, with no reply sent.
constexpr std::chrono::milliseconds kQueryLifetime{10000};
// A client's retransmission re-sends upstream only when the last send is at least this old.
constexpr std::chrono::milliseconds kResendAfter{2000};
constexpr size_t kMaxAttempts = 8;  // upstream sockets one query may use, plus 2 per server
// (plus one per server for each --fast-dns-retry retry that fits in its total time)
// TCP: per-attempt upstream limit, client idle limit and queries per connection.
constexpr std::chrono::milliseconds kTcpUpstreamTimeout{5000};
constexpr std::chrono::milliseconds kTcpIdle{10000};
constexpr int kTcpMaxQueries = 100;

// `wildcard`: bound to 0.0.0.0/::, packets checked per interface and destination. `dynamic`
// (--bind-dynamic): bound to one address, checked per packet like a wildcard socket, and
// closed (fd -1, the slot kept for the address's return) when the address goes away.
struct UdpListener {
  net::UdpSocket sock;
  bool wildcard = false;
  bool dynamic = false;
};

struct TcpListenerEntry {
  net::TcpListener listener;
  bool wildcard = false;
  bool dynamic = false;
};

// --log-queries=extra: the query's serial number and client, written before each line.
struct LogCtx {
  uint32_t serial = 0;
  net::SocketAddr from;
};

// One client waiting for a forwarded UDP query.
struct Waiter {
  net::SocketAddr peer;
  std::optional<net::PktSource> source;
  uint32_t listener = 0;
  uint16_t id = 0;
  uint16_t flags = 0;
  bool has_edns = false;
  uint16_t udp_limit = 512;
};

struct Attempt {
  net::UdpSocket sock;  // its own socket; closed once answered (invalid with --query-port)
  uint16_t id = 0;
  net::SocketAddr server;
  size_t index = 0;      // the server's position in Pending::servers
  bool answered = false;  // a checked reply (or a socket error) came back
  Clock::time_point sent_at{};
  bool via_query_port = false;  // sent through the --query-port socket
  bool id_held = false;         // its ID is in shared_ids
};

// Per upstream server, for SIGUSR1 and CHAOS servers.bind (dnsmasq's counters).
struct ServerStats {
  uint64_t sent = 0;
  uint64_t retried = 0;   // sends of a query that had already been sent somewhere
  uint64_t failed = 0;    // send errors, ICMP errors, and attempts unanswered at expiry
  uint64_t nxdomain = 0;
  uint64_t latency_ms_total = 0;
  uint64_t answers = 0;
};

// What the common query path decided: a reply in `scratch`, or a group to forward to.
struct Routed {
  size_t reply_len = 0;
  const ServerGroup* group = nullptr;
  // --use-stale-cache: the reply came from an expired entry; forward the query to this
  // group with no client waiting so the cache is refreshed.
  const ServerGroup* refresh = nullptr;
};

// A forwarded UDP query and everyone waiting for its answer.
struct Pending {
  uint64_t serial = 0;
  MergeKey key;
  proto::dns::Question question;
  std::vector<uint8_t> question_bytes;
  std::vector<Upstream> servers;
  std::vector<uint8_t> query;  // upstream packet; its ID is rewritten for each attempt
  uint16_t query_flags = 0;    // the first client's header flags (CD: do not cache)
  LogCtx log_ctx;              // the first client's, for the reply lines
  bool added_opt = false;
  bool sent_to_all = false;  // the query now goes to every server of the group
  std::vector<Waiter> waiters;
  std::vector<Attempt> attempts;
  size_t next_server = 0;  // strict order: the next server to try
  Clock::time_point last_sent{};
  net::TimerId expire_timer = 0;
  // --fast-dns-retry: the pending retry and the delay it was armed with (doubled each time).
  net::TimerId retry_timer = 0;
  std::chrono::milliseconds retry_delay{0};
};

struct TcpClient {
  uint64_t serial = 0;
  std::unique_ptr<net::TcpConnection> conn;
  int queries = 0;
  int outstanding = 0;
  bool read_closed = false;
  net::TimerId idle_timer = 0;
};

// A query from a TCP client, forwarded over TCP.
struct TcpForward {
  uint64_t serial = 0;
  uint64_t client = 0;
  proto::dns::Question question;
  std::vector<uint8_t> question_bytes;
  uint16_t client_id = 0;
  uint16_t client_flags = 0;
  bool has_edns = false;
  bool added_opt = false;
  uint16_t id = 0;
  std::vector<uint8_t> query;
  std::vector<Upstream> servers;
  LogCtx log_ctx;
  size_t next_server = 0;
  std::unique_ptr<net::TcpConnection> conn;
  bool connected = false;
  net::TimerId timer = 0;
};

// What the workers of one service share (DnsWorkers): the cache and dnsmasq's per-group
// server choice (so "the last good server" and "every 52nd query" hold across workers).
struct SharedState {
  std::shared_ptr<DnsCache> cache;  // null with --cache-size=0
  std::mutex choices_mu;
  std::unordered_map<uint32_t, GroupChoice> choices;  // by ServerGroup::id (default mode)
  std::atomic<size_t> tcp_clients{0};  // client connections open in every worker
  // --dns-loop-detect: the probe sent to each default server (its uid, as the name
  // "<8 hex>.test"), the servers whose probe came back in, and how worker 0 is told.
  std::mutex loop_mu;
  std::vector<std::pair<uint32_t, net::SocketAddr>> loop_probes;
  std::vector<net::SocketAddr> looped;
  std::function<void()> loop_found;  // set by worker 0; callable from any worker
  std::atomic<bool> non_local_warned{false};  // --local-service: the UDP warning is logged once
  // --do-0x20-encode: servers whose replies lost the case, named once by whichever worker saw it.
  std::mutex case_mu;
  std::set<net::SocketAddr> case_warned;
};

struct IfInfo {
  std::string name;
  bool loopback = false;
  std::vector<IpAddr> addrs;
};

struct ServiceState {
  ServiceState(const config::Config& c, net::EventLoop& l, DnsService::Hooks h,
               DnsService::WorkerOptions w);

  // ---- set-up (dns_service.cc)
  Result<void> open_listeners();
  // The addresses -z / --bind-dynamic bind: -a addresses, and those of the interfaces -i/-I
  // select (all interfaces when neither -i nor -a is given).
  std::vector<net::SocketAddr> bound_addresses() const;
  // Opens the UDP socket and TCP listener for `a` into slot `slot` (a new slot when it is
  // udp.size()) and registers them on the loop.
  Result<void> open_pair(const net::SocketAddr& a, uint32_t slot, bool wildcard, bool dynamic,
                         bool probe_first);
  // --bind-dynamic: opens sockets for new addresses, closes those of vanished ones; a bind
  // that fails (e.g. an IPv6 address still tentative) is retried a second later.
  void sync_dynamic();
  void on_address_change();
  void load_interfaces();
  void load_servers(bool at_startup);
  // Builds `servers` from the specs, the resolv servers read last and the looped servers.
  void build_servers(bool at_startup, bool send_probes);
  // --dns-loop-detect (dns_service.cc): a TXT probe "<uid>.test" to each default server;
  // a query carrying one of our probes' names means that server sends queries back to us.
  void send_loop_probes();
  bool is_loop_probe(const proto::dns::Name& name);
  struct ResolvChoice {
    std::string path;
    struct timespec mtime {};
  };
  std::optional<ResolvChoice> newest_resolv() const;
  void poll_resolv();
  void load_local();  // hosts files and config records into `local` (start, SIGHUP)
  // --hostsdir: an inotify watch per directory; a file written, moved in or removed there
  // rebuilds the local data, logged as dnsmasq logs it.
  void watch_hostsdirs();
  void on_hostsdir_event();
  std::vector<IpAddr> local_addresses() const;

  // ---- UDP path (dns_service.cc)
  Routed route_query(const ClientQuery& q, const IpAddr& from, bool over_tcp);
  size_t refusal_reply(const CheckedQuery& cq);
  size_t chaos_reply(const ClientQuery& q);
  // --interface-name: A/AAAA/ANY from the interface's current addresses, PTR for them.
  size_t interface_name_reply(const ClientQuery& q, bool over_tcp);
  void learn(Bytes reply, const proto::dns::Question& q, uint16_t query_flags);
  void cap_ttls(size_t len);
  void on_udp_readable(uint32_t listener);
  void handle_udp_packet(uint32_t listener, net::RecvPacket& pkt);
  bool allowed(const IpAddr& dst, int ifindex);
  // --local-service (net): the source is on a subnet of a local interface. Otherwise logs
  // (UDP: once per process, TCP: every connection, as dnsmasq 2.90) and returns false.
  bool local_source(const IpAddr& src, bool over_tcp);
  // `w` null: a --use-stale-cache refresh nobody waits for.
  void forward_udp(const ClientQuery& q, const ServerGroup& group, const Waiter* w);
  Result<net::UdpSocket> open_query_socket(const Upstream& u);
  bool send_to(Pending& p, size_t index);
  bool send_all(Pending& p);
  // --fast-dns-retry: after `delay`, send the query again where it last went (every server
  // once it goes to all), then again after twice the delay, while the query is younger
  // than fast_retry_total.
  void arm_fast_retry(Pending& p, std::chrono::milliseconds delay);
  void on_fast_retry(uint64_t serial);
  bool send_in_order(Pending& p, size_t from);
  void on_send_failure(Pending& p, size_t index);
  void on_upstream_readable(uint64_t serial, int fd);
  // --query-port: the shared socket of a family; replies are found by ID and server.
  Result<void> open_query_port_sockets();
  net::UdpSocket* shared_socket_for(const Upstream& u);
  void on_shared_readable(net::UdpSocket& sock);
  // One datagram from attempt `a`'s server with its ID (checked here for the question).
  // Returns true when the query is finished or changed (no more packets for it now).
  bool handle_upstream_packet(Pending& p, Attempt& a, Bytes data);
  // Closes the attempt's own socket or frees its --query-port ID; idempotent.
  void forget_attempt(Attempt& a);
  void deliver(Pending& p, Bytes reply, const FilterOutcome* filtered = nullptr);
  // Applies the reply filters; `data` then views the reply to deliver. false: ignore it.
  bool filter(Bytes& data, const proto::dns::Question& q, FilterOutcome& outcome);
  void log_reply_lines(Bytes reply, const proto::dns::Question& q, const FilterOutcome& outcome);
  void finish(uint64_t serial);
  void send_udp(uint32_t listener, Bytes data, const net::SocketAddr& peer,
                const std::optional<net::PktSource>& src);

  // ---- TCP path (dns_service_tcp.cc)
  void on_tcp_accept(uint32_t listener);
  void on_tcp_client(uint64_t serial, uint32_t events);
  void handle_tcp_message(TcpClient& c, Bytes msg);
  void close_tcp_client(uint64_t serial);
  void arm_idle(TcpClient& c);
  void tcp_send(TcpClient& c, Bytes msg);
  void forward_tcp(TcpClient& c, const ClientQuery& q, const ServerGroup& group);
  void start_tcp_attempt(uint64_t serial);
  void on_tcp_upstream(uint64_t serial, uint32_t events);
  void tcp_attempt_failed(uint64_t serial);
  void finish_tcp_forward(uint64_t serial);

  void log(std::string_view line) const {
    if (hooks.log) hooks.log(line);
  }
  void log_query(std::string_view line) const {
    if (!log_queries) return;
    if (log_extra && log_ctx.serial)
      log(std::to_string(log_ctx.serial) + " " + log_ctx.from.ip().to_string() + "/" +
          std::to_string(log_ctx.from.port()) + " " + std::string(line));
    else
      log(line);
  }
  // A new client query: the next serial (shared by every worker, as dnsmasq's one counter).
  void begin_query_log(const net::SocketAddr& from);

  const config::Config& config_ref;  // only during create()
  net::EventLoop& loop;
  DnsService::Hooks hooks;
  DnsService::Stats stats;

  // Settings copied from the config.
  uint16_t port = 53;
  std::vector<IpAddr> listen_addresses;
  std::vector<std::string> interfaces, except_interfaces;
  bool bind_interfaces = false;
  // --local-service=net: queries only from local subnets (kept current through `addr_watch`,
  // a netlink socket that triggers load_interfaces when addresses change).
  bool local_service_net = false;
  bool localhost_only = false;
  bool bind_dynamic = false;
  std::map<net::SocketAddr, uint32_t> dyn_slots;  // every address bound so far -> its slot
  net::TimerId dyn_retry = 0;  // --local-service=host: listen_addresses are 127.0.0.1 and ::1
  net::SubnetSet local_nets;
  net::UniqueFd addr_watch;
  std::vector<config::ServerSpec> server_specs;
  std::vector<net::SocketAddr> resolv_servers;  // from the resolv file read last
  bool dns_loop_detect = false;
  bool servers_changed = false;  // set_servers() since the last reload
  std::vector<std::string> resolv_files;
  bool no_resolv = false;
  FilterOptions filters;
  uint16_t edns_packet_max = 1232;
  size_t forward_max = 150;
  size_t max_tcp = 20;
  std::optional<std::chrono::milliseconds> fast_retry;  // --fast-dns-retry: the first delay
  std::chrono::milliseconds fast_retry_total{10000};
  size_t fast_retry_rounds = 0;  // retries that fit in fast_retry_total (the attempt limit)
  std::vector<uint8_t> add_options;  // encoded EDNS0 options for every forwarded query (--add-cpe-id)
  std::vector<uint16_t> strip_codes;  // client EDNS0 options removed (--strip-mac, --strip-subnet)
  UpstreamOptions upstream_options() const { return {Bytes(add_options), strip_codes}; }
  bool do_0x20 = false;          // --do-0x20-encode without --no-0x20-encode
  bool log_queries = false;
  // --localise-queries: the local address the query being answered was sent to.
  bool localise_queries = false;
  std::optional<IpAddr> query_local_addr;
  bool log_extra = false;  // --log-queries=extra
  LogCtx log_ctx;          // the query being handled, for log_query
  LogSink query_sink = [this](std::string_view line) { log_query(line); };
  SelectMode select_mode = SelectMode::Fastest;
  bool no_ident = false;
  bool no_poll = false;          // --no-poll: resolv files read at start and SIGHUP only
  bool clear_on_reload = false;  // --clear-on-reload: empty the cache when they change
  std::optional<ResolvChoice> resolv_read;  // the file last read and its mtime
  net::TimerId poll_timer = 0;
  bool dump_on_usr1 = false;  // -d or --log-queries: SIGUSR1 also dumps the cache
  std::optional<uint32_t> client_max_ttl;  // --max-ttl
  std::shared_ptr<DnsCache> cache;          // null with --cache-size=0 (shared->cache)
  // Local data: the config it is built from (without the --address entries, which are
  // built once into address_data), and the current snapshot, replaced whole on SIGHUP.
  config::DnsConfig local_config;
  std::shared_ptr<const AddressData> address_data;
  std::shared_ptr<const LocalData> local_data;
  // DHCP lease names (published by the DHCP service through the daemon; null: none) and
  // their TTL (--dhcp-ttl, else --local-ttl).
  std::shared_ptr<const local::LeaseNameTable> lease_names;
  uint32_t dhcp_ttl = 0;
  ReplyFilters reply_filters;
  net::UniqueFd inotify;
  std::map<int, std::string> watched_dirs;        // inotify watch -> --hostsdir directory
  std::map<std::string, size_t> hosts_file_names;  // hosts file -> names, as last read
  bool filterwin2k = false;
  std::vector<config::InterfaceName> interface_names;
  std::vector<uint8_t> filter_buf;  // a reply the filters changed (sized when they are on)
  // Per worker; written on its thread, read by any worker's SIGUSR1/CHAOS under the lock.
  mutable std::mutex server_stats_mu;
  std::map<net::SocketAddr, ServerStats> server_stats;
  template <typename Fn>
  void count_server(const net::SocketAddr& a, Fn&& fn) {
    std::lock_guard lock(server_stats_mu);
    fn(server_stats[a]);
  }
  // Sums over every worker (peers; just this one when alone).
  ServerStats summed_server_stats(const net::SocketAddr& a) const;
  uint64_t summed(Counter DnsService::Stats::*field) const;
  std::vector<const ServiceState*> peers;
  bool reuse_port = false;
  bool secondary = false;
  std::shared_ptr<SharedState> shared;
  std::function<void(const ServerTable&)> servers_changed_fn;
  std::function<void(std::shared_ptr<const LocalData>)> local_changed_fn;  // worker 0
  // --min-port/--max-port: source ports for upstream UDP queries (unset: OS-chosen).
  std::optional<std::pair<uint16_t, uint16_t>> port_range;
  // --query-port: every upstream UDP query leaves from this one port (0: one OS-chosen
  // port), through one unconnected socket per family; the IDs in flight there.
  std::optional<uint16_t> query_port;
  net::UdpSocket shared4, shared6;
  std::unordered_map<uint16_t, uint64_t> shared_ids;  // ID -> Pending serial

  ServerTable servers;
  RandomPool rng;

  std::vector<UdpListener> udp;
  std::vector<TcpListenerEntry> tcp;
  net::RecvBatch rx{32, 4096};
  net::SendBatch tx{32, 4096};
  net::RecvBatch up_rx{4, 65536};
  std::vector<uint8_t> scratch = std::vector<uint8_t>(65536 + 512);

  std::unordered_map<int, IfInfo> ifaces;
  Clock::time_point ifaces_loaded{};

  uint64_t next_serial = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Pending>> pending;
  std::unordered_map<MergeKey, uint64_t, MergeKeyHash> by_key;
  std::unordered_map<uint64_t, std::unique_ptr<TcpClient>> tcp_clients;
  std::unordered_map<uint64_t, std::unique_ptr<TcpForward>> tcp_forwards;
};

inline std::span<const std::byte> as_bytes_std(Bytes b) {
  return {reinterpret_cast<const std::byte*>(b.data()), b.size()};
}

// Matches an interface name against a -i/-I pattern (a trailing '*' matches any suffix).
bool interface_matches(std::string_view pattern, std::string_view name);

}  // namespace masqd::dns
