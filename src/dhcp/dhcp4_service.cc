// Dhcp4Service: port-67 socket, interface facts, lease durability before every reply,
// and the reply's way out (broadcast / ARP + unicast / ciaddr / relay).
#include "dhcp/dhcp4_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "dhcp/dhcp4_engine.h"
#include "dhcp/file_lease_store.h"
#include "dhcp/ethers.h"
#include "dhcp/hosts_addresses.h"
#include "dhcp/hosts_file.h"
#include "dhcp/opts_file.h"
#include "dhcp/lease_file.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/observed_lease_store.h"
#include "dhcp/script_helper.h"
#include "net/icmp_socket.h"
#include "net/socket_addr.h"
#include "proto/icmp4.h"
#include "net/udp_socket.h"

namespace masqd::dhcp {

namespace d4 = proto::dhcp4;

namespace {

constexpr uint16_t kServerPort = 67;
constexpr uint16_t kClientPort = 68;
constexpr auto kInterfaceCacheTtl = std::chrono::seconds(2);
constexpr auto kPruneInterval = std::chrono::milliseconds(60'000);
// Address checks in flight at once (more DISCOVERs are offered unchecked), and addresses
// checked for one DISCOVER before the next one is offered unchecked.
constexpr size_t kMaxChecks = 64;
constexpr int kMaxChecksPerRequest = 8;
constexpr size_t kMaxEthersSize = 16u << 20;  // /etc/ethers: refuse anything larger
// Group commit: at most one lease-file write per interval. The first change after a quiet
// spell is written at once; replies that come later within the interval wait for the next
// write (at most this long), so under load one fsync covers many ACKs. 20 ms: ADR 0008
// (chosen with bench/dhcp_bench.py; DHCP clients first retry after seconds).
constexpr auto kCommitInterval = std::chrono::milliseconds(20);
// The server socket's receive buffer: requests wait there while the loop is in a lease
// write, and a slow disk can hold a write for hundreds of milliseconds (316 ms seen under
// perfdhcp at 1000 exchanges/s, when the kernel's default of 208 KiB overflowed). The
// memory is taken only by datagrams actually waiting.
constexpr int kRecvBuffer = 2 << 20;  // the kernel doubles it for its bookkeeping
// Replies sent with one system call (a commit with more sends them in several).
constexpr size_t kSendBatch = 32;

std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool name_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return name.substr(0, pattern.size()) == pattern;
  }
  return pattern == name;
}

IpAddr addr_of(const sockaddr* sa) {
  const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
  std::array<uint8_t, 4> b;
  std::memcpy(b.data(), &in->sin_addr, 4);
  return IpAddr::v4(b);
}

}  // namespace

struct Dhcp4ServiceState {
  Dhcp4ServiceState(const config::Config& c, net::EventLoop& l, Dhcp4Service::Hooks h)
      : config(c), loop(l), hooks(std::move(h)), rx(16, 1500), tx(kSendBatch, 0) {}

  const config::Config& config;
  net::EventLoop& loop;
  Dhcp4Service::Hooks hooks;
  std::unique_ptr<LeaseStore> store;
  FileLeaseStore* file_store = nullptr;  // same object as store when the file is used
  std::unique_ptr<Dhcp4Engine> engine;
  net::UdpSocket sock;
  net::UdpSocket boot_sock;  // PXE boot server, port 4011 (only when PXE is on)
  net::RecvBatch rx;
  // The replies of one commit, sent with one sendmmsg: tx points into tx_bytes.
  net::SendBatch tx;
  std::vector<std::vector<uint8_t>> tx_bytes;
  Dhcp4Service::Stats stats;
  net::TimerId prune_timer = 0;
  std::vector<std::string> startup;
  // Lease names as last published (see publish_names).
  local::ExpandDomains domains;
  std::vector<local::LeaseNameEntry> names;
  bool names_published = false;

  struct CachedIface {
    InterfaceInfo info;
    bool loopback = false;
    std::chrono::steady_clock::time_point fetched;
  };
  std::map<int, CachedIface> ifaces;

  void log(log::Level level, std::string_view line) const {
    if (hooks.log) hooks.log(level, line);
  }
  const CachedIface* interface(int index);
  bool serves(const CachedIface& c) const;
  // Replies of one receive batch wait here until the batch's lease changes are durable:
  // one flush covers every ACK of the batch.
  struct Pending {
    Dhcp4Reply reply;
    bool needs_flush = false;
    std::string if_name;
    int if_index = 0;
  };
  std::vector<Pending> pending;
  // Group commit (kCommitInterval): while a write is due, every reply waits here for it,
  // whether or not its own request changed a lease (it may rest on a change not yet on disk).
  std::vector<Pending> waiting;
  net::TimerId commit_timer = 0;
  std::chrono::steady_clock::time_point last_commit{};
  void commit();

  // --dhcp-script: the store the engine changes is observed; each change becomes an event,
  // posted to the helper once the batch is on disk (queued until the helper starts).
  std::unique_ptr<ObservedLeaseStore> observed;
  std::unique_ptr<ScriptHelper> script;
  std::vector<ScriptEvent> script_events;
  void collect_script_events(const d4::Dhcp4Packet* pkt, const Dhcp4Result* out, const std::string& if_name);
  void all_leases_old();
  void post_script_events();

  // ICMP echo checks of new addresses (ping before offering): the OFFER waits here until
  // the echo is answered (the DISCOVER is handled again) or the wait ends (it is sent).
  net::IcmpSocket icmp;
  uint16_t icmp_ident = 0;
  uint16_t icmp_seq = 0;
  struct Check {
    IpAddr addr;
    std::vector<uint8_t> request;  // the DISCOVER's bytes
    int if_index = 0;
    int round = 0;
    Pending reply;
    std::vector<std::string> log;
    net::TimerId timer = 0;
  };
  std::map<uint16_t, Check> checks;  // by echo sequence number

  void handle_request(std::span<const uint8_t> bytes, int if_index, int round);
  void log_lines(const Dhcp4Result& out);
  bool start_check(Dhcp4Result& out, std::span<const uint8_t> bytes, const CachedIface& iface, int round);
  void on_icmp_readable();
  void check_answered(uint16_t seq);
  void check_timed_out(uint16_t seq);

  void publish_names(std::vector<std::string>* lines = nullptr);
  // Reads /etc/ethers, the hosts and opts files and hands the engine what they give; the
  // log lines go to `lines` (start-up) or the log.
  void load_files(std::vector<std::string>* lines);
  // The configured dhcp-host entries as /etc/ethers lines have changed them so far: as in
  // dnsmasq, a change stays after a SIGHUP even when the line that made it is gone.
  std::optional<std::vector<config::DhcpHost>> ethers_config_hosts;
  void on_readable();
  void on_boot_readable();
  void handle(const net::RecvPacket& pkt);
  bool flush();
  void send_pending();
  void send(const Dhcp4Reply& reply, const std::string& if_name, int if_index);
  void send_batch();
  bool set_arp(const Dhcp4Reply& reply, const std::string& if_name);
};

const Dhcp4ServiceState::CachedIface* Dhcp4ServiceState::interface(int index) {
  auto now = std::chrono::steady_clock::now();
  if (auto it = ifaces.find(index); it != ifaces.end() && now - it->second.fetched < kInterfaceCacheTtl)
    return &it->second;
  char name[IF_NAMESIZE] = {};
  if (index <= 0 || !if_indextoname(static_cast<unsigned>(index), name)) return nullptr;
  CachedIface c;
  c.info.name = name;
  c.info.index = index;
  c.fetched = now;
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (auto* i = list; i; i = i->ifa_next) {
      if (!i->ifa_name || !i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
      // Alias labels ("eth0:1") belong to their interface.
      std::string_view n(i->ifa_name);
      if (n != c.info.name && n.substr(0, n.find(':')) != c.info.name) continue;
      if (i->ifa_flags & IFF_LOOPBACK) c.loopback = true;
      if (!i->ifa_netmask) continue;
      c.info.addrs.push_back({addr_of(i->ifa_addr), addr_of(i->ifa_netmask)});
    }
    freeifaddrs(list);
  }
  auto& slot = ifaces[index];
  slot = std::move(c);
  return &slot;
}

bool Dhcp4ServiceState::serves(const CachedIface& c) const {
  if (c.loopback) return false;
  const auto& d = config.dns;
  const std::string& n = c.info.name;
  auto any = [&](const std::vector<std::string>& pats) {
    return std::any_of(pats.begin(), pats.end(), [&](const std::string& p) { return name_matches(p, n); });
  };
  if (any(d.except_interfaces) || any(d.no_dhcp_interfaces) || any(d.no_dhcpv4_interfaces))
    return false;
  bool listed = false;
  for (const auto& p : d.interfaces)
    if (!p.empty()) listed = true;
  return !listed || any(d.interfaces);
}

void Dhcp4ServiceState::on_readable() {
  bool changed = false;
  for (int round = 0; round < 8; ++round) {
    auto n = sock.recv(rx);
    if (!n || *n == 0) break;
    for (const auto& pkt : rx.packets()) handle(pkt);
    changed = changed || std::any_of(pending.begin(), pending.end(), [](const Pending& p) { return p.needs_flush; });
    send_pending();
    if (*n < rx.capacity()) break;
  }
  if (changed) publish_names();
}

// dnsmasq puts a lease's name in DNS as name.domain (when a --domain applies to the
// address) and as the bare name; the newest lease comes first, so it wins a shared PTR.
// The table is rebuilt only when a name, an address or an expiry changed.
void Dhcp4ServiceState::publish_names(std::vector<std::string>* lines) {
  if (!hooks.names) return;
  std::vector<local::LeaseNameEntry> now;
  store->for_each([&](const Lease& l) {
    if (l.hostname.empty() || !l.address.is_v4()) return;
    local::LeaseNameEntry e;
    e.name = l.hostname;
    for (auto& ch : e.name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (auto d = domains.domain_for(l.address)) e.domain = std::string(*d);
    e.addr = l.address;
    e.expires = l.expires;
    now.push_back(std::move(e));
  });
  if (names_published && now == names) return;
  if (hooks.hosts_clash) {
    // Only names new to their address are checked (and warned about) again.
    std::set<std::pair<std::string_view, IpAddr>> before;
    for (const auto& o : names) before.emplace(o.name, o.addr);
    for (const auto& e : now) {
      if (before.count({e.name, e.addr})) continue;
      std::vector<std::string> forms;
      if (!e.domain.empty()) forms.push_back(e.name + "." + e.domain);
      if (!config.dhcp.fqdn) forms.push_back(e.name);
      for (const auto& form : forms) {
        auto where = hooks.hosts_clash(form, e.addr);
        if (!where) continue;
        std::string line = fmt::format("not giving name {} to the DHCP lease of {} because the name exists in {}",
                                       form, e.addr.to_string(), *where);
        if (lines) lines->push_back(std::move(line));
        else log(log::Level::Warning, line);
      }
    }
  }
  names = now;
  names_published = true;
  hooks.names(std::make_shared<const local::LeaseNameTable>(
      local::LeaseNameTable::build(std::move(now), config.dhcp.fqdn)));
}

void Dhcp4ServiceState::load_files(std::vector<std::string>* lines) {
  const auto& dc = config.dhcp;
  if (!dc.read_ethers && dc.hosts_files.empty() && dc.opts_files.empty() && !hooks.hosts_addresses) return;
  Dhcp4Engine::FileData data;
  std::vector<std::string> out;
  if (!ethers_config_hosts) ethers_config_hosts = dc.hosts;
  if (dc.read_ethers) {
    auto text = read_whole_file(kEthersPath, kMaxEthersSize);
    if (text && *text) {
      auto more = apply_ethers(parse_ethers(**text), kEthersPath, *ethers_config_hosts, data.file_hosts);
      out.insert(out.end(), more.begin(), more.end());
    } else if (text) {
      out.push_back(fmt::format("failed to read {}: {}", kEthersPath, std::strerror(ENOENT)));
    } else {
      // dnsmasq's wording for any other failure too ("cannot open X: why" from the reader).
      std::string why = text.error().message;
      auto colon = why.find(": ");
      out.push_back(fmt::format("failed to read {}: {}", kEthersPath,
                                colon == std::string::npos ? why : why.substr(colon + 2)));
    }
  }
  data.config_hosts = *ethers_config_hosts;
  if (!dc.hosts_files.empty()) {
    auto read = read_dhcp_hosts_files(dc.hosts_files);
    std::move(read.hosts.begin(), read.hosts.end(), std::back_inserter(data.file_hosts));
    out.insert(out.end(), read.log.begin(), read.log.end());
  }
  if (!dc.opts_files.empty()) {
    auto read = read_dhcp_opts_files(dc.opts_files);
    data.file_options = std::move(read.options);
    out.insert(out.end(), read.log.begin(), read.log.end());
  }
  // A named entry without an address takes the one the hosts data gives its name.
  if (hooks.hosts_addresses) {
    auto more = take_hosts_addresses(data.config_hosts, data.file_hosts, hooks.hosts_addresses);
    out.insert(out.end(), more.begin(), more.end());
  }
  engine->set_file_data(std::move(data));
  for (auto& line : out) {
    if (lines) {
      lines->push_back(std::move(line));
      continue;
    }
    // dnsmasq's priorities: what was read is news, the hosts-data notes are warnings, the
    // rest (bad lines, unreadable files) errors.
    const bool read = line.rfind("read ", 0) == 0;
    const bool note = line.rfind("duplicate IP address", 0) == 0 || line.find(" has more than one address") != std::string::npos;
    log(read ? log::Level::Info : note ? log::Level::Warning : log::Level::Err, line);
  }
}

bool Dhcp4ServiceState::flush() {
  auto r = store->flush();
  if (file_store)
    if (auto note = file_store->take_journal_note(); !note.empty()) log(log::Level::Warning, note);
  if (r) return true;
  ++stats.flush_errors;
  log(log::Level::Err, fmt::format("failed to write {}: {}", config.dhcp.lease_file, r.error().message));
  return false;
}

void Dhcp4ServiceState::handle(const net::RecvPacket& pkt) {
  ++stats.received;
  if (pkt.truncated || !pkt.has_dst) {
    ++stats.malformed;
    return;
  }
  auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pkt.data.data()), pkt.data.size());
  handle_request(bytes, pkt.ifindex, 0);
}

void Dhcp4ServiceState::log_lines(const Dhcp4Result& out) {
  // --log-dhcp overrides --quiet-dhcp (dnsmasq's man page; seen with 2.90 too).
  if (config.process.log_dhcp || !config.process.quiet_dhcp || !out.reply)
    for (const auto& line : out.log) log(log::Level::Info, line);
  else
    for (const auto& line : out.log) log(log::Level::Debug, line);
}

void Dhcp4ServiceState::handle_request(std::span<const uint8_t> bytes, int if_index, int round) {
  const CachedIface* iface = interface(if_index);
  if (!iface || !serves(*iface)) {
    ++stats.filtered;
    return;
  }
  auto parsed = d4::Dhcp4Packet::parse(bytes);
  if (!parsed) {
    ++stats.malformed;
    return;
  }
  Dhcp4Result out = engine->handle(*parsed, iface->info, wall_now());
  if (out.drop == Dhcp4Result::Drop::Malformed) ++stats.malformed;
  if (observed) collect_script_events(&*parsed, &out, iface->info.name);
  if (out.check_address && out.reply && start_check(out, bytes, *iface, round)) return;
  log_lines(out);
  if (out.reply)
    pending.push_back({std::move(*out.reply), out.store_changed, iface->info.name, iface->info.index});
  else if (out.store_changed)
    pending.push_back({Dhcp4Reply{}, true, {}, -1});  // a RELEASE/DECLINE: written with the batch
}

// True when the OFFER now waits for an echo check (or was dropped as a retransmission of a
// DISCOVER whose check is under way); false: send it now.
bool Dhcp4ServiceState::start_check(Dhcp4Result& out, std::span<const uint8_t> bytes, const CachedIface& iface,
                                    int round) {
  if (!icmp.valid() || round >= kMaxChecksPerRequest) return false;
  const auto& h = out.reply->header;
  for (const auto& [seq, c] : checks) {
    const auto& ch = c.reply.reply.header;
    if (ch.xid == h.xid && ch.chaddr == h.chaddr) return true;  // the client asked again meanwhile
  }
  if (checks.size() >= kMaxChecks) return false;
  const uint16_t seq = ++icmp_seq;
  const auto echo = proto::icmp4::build_echo_request(icmp_ident, seq);
  if (!icmp.send(*out.check_address, echo)) return false;  // as dnsmasq: unchecked, offered
  Check c;
  c.addr = *out.check_address;
  c.request.assign(bytes.begin(), bytes.end());
  c.if_index = iface.info.index;
  c.round = round;
  c.reply = Pending{std::move(*out.reply), out.store_changed, iface.info.name, iface.info.index};
  c.log = std::move(out.log);
  c.timer = loop.add_timer(std::chrono::duration_cast<std::chrono::milliseconds>(PingCache::kWait),
                           [this, seq] { check_timed_out(seq); });
  checks.emplace(seq, std::move(c));
  return true;
}

void Dhcp4ServiceState::on_icmp_readable() {
  std::array<uint8_t, 1500> buf;
  for (int i = 0; i < 64; ++i) {
    const size_t n = icmp.recv(buf);
    if (n == 0) break;
    auto reply = proto::icmp4::parse_echo_reply(std::span<const uint8_t>(buf.data(), n));
    if (!reply || reply->ident != icmp_ident) continue;  // not ours (raw sockets see all ICMP)
    auto it = checks.find(reply->seq);
    if (it == checks.end() || it->second.addr != reply->from) continue;
    check_answered(reply->seq);
  }
}

void Dhcp4ServiceState::check_answered(uint16_t seq) {
  auto node = checks.extract(seq);
  if (node.empty()) return;
  Check& c = node.mapped();
  loop.cancel_timer(c.timer);
  // In use: the address is avoided and the DISCOVER is answered again with another.
  engine->address_answered(c.addr, wall_now());
  handle_request(c.request, c.if_index, c.round + 1);
  send_pending();
}

void Dhcp4ServiceState::check_timed_out(uint16_t seq) {
  auto node = checks.extract(seq);
  if (node.empty()) return;
  Check& c = node.mapped();
  engine->address_free(c.addr, wall_now());
  Dhcp4Result shown;
  shown.reply = c.reply.reply;
  shown.log = std::move(c.log);
  log_lines(shown);
  pending.push_back(std::move(c.reply));
  send_pending();
}

void Dhcp4ServiceState::send_pending() {
  if (pending.empty()) return;
  const bool need = std::any_of(pending.begin(), pending.end(), [](const Pending& p) { return p.needs_flush; });
  std::move(pending.begin(), pending.end(), std::back_inserter(waiting));
  pending.clear();
  if (!need && !commit_timer) {
    commit();  // nothing to write: the replies go now (after a failed write too)
    return;
  }
  if (commit_timer) return;  // the write already due takes these replies as well
  const auto now = std::chrono::steady_clock::now();
  const auto due = last_commit + kCommitInterval;
  if (now >= due) {
    commit();
    return;
  }
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - now);
  commit_timer = loop.add_timer(wait, [this] {
    commit_timer = 0;
    commit();
  });
}

// A lease must be on disk before the client is told it has it.
void Dhcp4ServiceState::commit() {
  const bool need = std::any_of(waiting.begin(), waiting.end(), [](const Pending& p) { return p.needs_flush; });
  const bool durable = !need || flush();
  if (need) last_commit = std::chrono::steady_clock::now();
  for (const auto& p : waiting) {
    if (p.if_index < 0) continue;
    if (p.needs_flush && !durable) continue;  // the client asks again
    send(p.reply, p.if_name, p.if_index);
  }
  send_batch();
  waiting.clear();
  post_script_events();
}

namespace {
std::string cut_at_nul(std::string v) {
  if (auto z = v.find('\0'); z != std::string::npos) v.resize(z);
  return v;
}
}  // namespace

// dnsmasq's events for what a request changed: "add" for a new lease, "del" for a removed
// one, "old" when a lease changed hands or names (a name change is two: the lease without
// its name and DNSMASQ_OLD_HOSTNAME, then with the new name) or was asked for again from
// scratch; a renewal (RENEWING/REBINDING) alone is silent.
void Dhcp4ServiceState::collect_script_events(const d4::Dhcp4Packet* pkt, const Dhcp4Result* out,
                                              const std::string& if_name) {
  const auto now = wall_now();
  std::vector<std::string> extra;
  if (!if_name.empty()) extra.push_back("DNSMASQ_INTERFACE=" + if_name);
  if (pkt) {
    if (auto h = pkt->hostname(); h && !cut_at_nul(*h).empty()) extra.push_back("DNSMASQ_SUPPLIED_HOSTNAME=" + cut_at_nul(*h));
    if (auto v = pkt->vendor_class(); v && !v->empty())
      extra.push_back("DNSMASQ_VENDOR_CLASS=" + cut_at_nul(std::string(v->begin(), v->end())));
    if (auto prl = pkt->parameter_request_list(); prl && !prl->empty()) {
      std::string list;
      for (uint8_t o : *prl) list += (list.empty() ? "" : ",") + std::to_string(o);
      extra.push_back("DNSMASQ_REQUESTED_OPTIONS=" + list);
    }
  }
  if (out && !out->tags.empty()) {
    std::string tags;
    for (const auto& t : out->tags) tags += (tags.empty() ? "" : " ") + t;
    extra.push_back("DNSMASQ_TAGS=" + tags);
  }
  auto event = [&](const char* action, const Lease& l, bool request_env) {
    ScriptEvent e = lease_script_event(action, l, domains.domain_for(l.address), now);
    if (request_env) e.env.insert(e.env.end(), extra.begin(), extra.end());
    else if (!if_name.empty()) e.env.push_back("DNSMASQ_INTERFACE=" + if_name);
    return e;
  };
  for (auto& c : observed->take()) {
    if (!c.before && c.after) {
      script_events.push_back(event("add", *c.after, true));
    } else if (c.before && !c.after) {
      script_events.push_back(event("del", *c.before, false));
    } else if (c.before && c.after) {
      const Lease& b = *c.before;
      const Lease& a = *c.after;
      if (b.hostname != a.hostname) {
        if (!b.hostname.empty()) {
          Lease unnamed = a;
          unnamed.hostname.clear();
          ScriptEvent e = event("old", unnamed, true);
          e.env.push_back("DNSMASQ_OLD_HOSTNAME=" + b.hostname);
          script_events.push_back(std::move(e));
        }
        if (!a.hostname.empty()) script_events.push_back(event("old", a, true));
      } else if (b.hwaddr != a.hwaddr || b.htype != a.htype || (pkt && pkt->requested_address())) {
        // dnsmasq 2.90 also reports a lease taken again by a client starting over
        // (SELECTING or INIT-REBOOT); a RENEWING/REBINDING renewal stays silent.
        script_events.push_back(event("old", a, true));
      }
    }
  }
}

// Start-up and SIGHUP: "old" for every lease, with DNSMASQ_DATA_MISSING (dnsmasq 2.90).
void Dhcp4ServiceState::all_leases_old() {
  const auto now = wall_now();
  store->for_each([&](const Lease& l) {
    ScriptEvent e = lease_script_event("old", l, domains.domain_for(l.address), now);
    e.env.push_back("DNSMASQ_DATA_MISSING=1");
    script_events.push_back(std::move(e));
  });
}

void Dhcp4ServiceState::post_script_events() {
  if (!script) return;
  for (const auto& e : script_events) script->post(e);
  script_events.clear();
}

bool Dhcp4ServiceState::set_arp(const Dhcp4Reply& reply, const std::string& if_name) {
  const auto& h = reply.header;
  if (h.htype != ARPHRD_ETHER || h.hlen != 6) return false;
  struct arpreq req {};
  auto* pa = reinterpret_cast<sockaddr_in*>(&req.arp_pa);
  pa->sin_family = AF_INET;
  std::memcpy(&pa->sin_addr, reply.destination.addr.bytes().data(), 4);
  req.arp_ha.sa_family = h.htype;
  std::memcpy(req.arp_ha.sa_data, h.chaddr.data(), h.hlen);
  std::snprintf(req.arp_dev, sizeof(req.arp_dev), "%s", if_name.c_str());
  req.arp_flags = ATF_COM;
  return ::ioctl(sock.fd(), SIOCSARP, &req) == 0;
}

void Dhcp4ServiceState::send(const Dhcp4Reply& reply, const std::string& if_name, int if_index) {
  d4::Header header = reply.header;
  net::SocketAddr peer(IpAddr::v4({255, 255, 255, 255}), kClientPort);
  switch (reply.destination.kind) {
    case Dhcp4Destination::Kind::Broadcast:
      break;
    case Dhcp4Destination::Kind::Unicast:
      peer = net::SocketAddr(reply.destination.addr, kClientPort);
      break;
    case Dhcp4Destination::Kind::UnicastArp:
      if (set_arp(reply, if_name)) {
        peer = net::SocketAddr(reply.destination.addr, kClientPort);
      } else {
        ++stats.arp_fallbacks;  // no CAP_NET_ADMIN, or an odd hardware type: broadcast
      }
      break;
    case Dhcp4Destination::Kind::Relay:
      peer = net::SocketAddr(reply.destination.addr, kServerPort);
      break;
  }
  auto built = d4::build(header, reply.options, reply.limits);
  for (uint8_t code : built.dropped)
    log(log::Level::Warning, fmt::format("cannot send DHCP/BOOTP option {}: no space left in packet", code));
  if (tx.full()) send_batch();
  tx_bytes.push_back(std::move(built.bytes));
  tx.add_view(std::as_bytes(std::span(tx_bytes.back())), peer, net::PktSource{reply.source, if_index});
}

// The replies added by send(), in one sendmmsg (ARP entries for UnicastArp are already set).
void Dhcp4ServiceState::send_batch() {
  if (tx.size() == 0) return;
  (void)sock.send(tx);  // a refused reply is counted below; the client asks again
  stats.replies += tx.sent();
  stats.send_errors += tx.size() - tx.sent();
  tx.clear();
  tx_bytes.clear();
}

// Port 4011: PXE requests to the boot server. The engine answers only PXE clients there;
// nothing changes the lease store, and the reply goes straight back to the sender (its
// address, ciaddr when it has one, and its port).
void Dhcp4ServiceState::on_boot_readable() {
  for (int round = 0; round < 8; ++round) {
    auto n = boot_sock.recv(rx);
    if (!n || *n == 0) break;
    for (const auto& pkt : rx.packets()) {
      ++stats.received;
      if (pkt.truncated || !pkt.has_dst) {
        ++stats.malformed;
        continue;
      }
      const CachedIface* iface = interface(pkt.ifindex);
      if (!iface || !serves(*iface)) {
        ++stats.filtered;
        continue;
      }
      auto parsed = d4::Dhcp4Packet::parse(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pkt.data.data()), pkt.data.size()));
      if (!parsed) {
        ++stats.malformed;
        continue;
      }
      Dhcp4Result out = engine->handle(*parsed, iface->info, wall_now(), true);
      log_lines(out);
      if (!out.reply) continue;
      const Dhcp4Reply& reply = *out.reply;
      IpAddr to = reply.destination.addr.is_v4() && !reply.destination.addr.is_unspecified()
                      ? reply.destination.addr
                      : pkt.peer.ip();
      auto built = d4::build(reply.header, reply.options, reply.limits);
      net::PktSource src{reply.source, iface->info.index};
      auto r = boot_sock.send_one(std::as_bytes(std::span(built.bytes)), net::SocketAddr(to, pkt.peer.port()), src);
      if (r && *r) ++stats.replies;
      else ++stats.send_errors;
    }
    if (*n < rx.capacity()) break;
  }
}

bool Dhcp4Service::wanted(const config::Config& config) {
  return std::any_of(config.dhcp.ranges.begin(), config.dhcp.ranges.end(),
                     [](const config::DhcpRange& r) { return !r.is_v6; });
}

Result<std::unique_ptr<Dhcp4Service>> Dhcp4Service::create(const config::Config& config,
                                                           net::EventLoop& loop, Hooks hooks) {
  auto s = std::make_unique<Dhcp4ServiceState>(config, loop, std::move(hooks));
  const auto& dc = config.dhcp;
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (dc.lease_file_ro) {
    s->store = std::make_unique<MemoryLeaseStore>();
  } else {
    auto fs = FileLeaseStore::open(dc.lease_file);
    if (!fs) return make_error(fs.error().message, 3);
    // dnsmasq opens (creating) the lease file at start-up, before dropping privileges: a
    // path it cannot write stops it, and the descriptor keeps working after the switch.
    if (auto r = (*fs)->hold_descriptor(); !r) return r.error();
    for (const auto& p : (*fs)->load_problems())
      s->startup.push_back(fmt::format("bad line {} in {}: {}", p.line, dc.lease_file, p.reason));
    if (auto note = (*fs)->take_journal_note(); !note.empty()) s->startup.push_back(std::move(note));
    // Each lease change is made durable in the journal (file_lease_store.h); the lease
    // file itself is rewritten in place for its readers, as dnsmasq does.
    if (auto r = (*fs)->start_journal(); !r) return make_error(r.error().message, 3);
    if (auto note = (*fs)->take_journal_note(); !note.empty()) s->startup.push_back(std::move(note));
    s->file_store = fs->get();
    s->store = std::move(*fs);
  }
  if (dc.lease_file_ro && !dc.script.empty()) {
    // --leasefile-ro: "<script> init" prints the leases to start with (lease-file lines).
    auto init = run_script_init(dc.script);
    if (!init) return init.error();
    LeaseFileContents c = parse_lease_file(*init);
    for (const Lease& l : c.leases) s->store->upsert(l);
  }
  if (!dc.script.empty()) s->observed = std::make_unique<ObservedLeaseStore>(*s->store);
  s->engine = std::make_unique<Dhcp4Engine>(config, s->observed ? static_cast<LeaseStore&>(*s->observed) : *s->store);
  s->load_files(&s->startup);
  if (s->engine->prune_expired(now) > 0)
    if (auto r = s->store->flush(); !r) return make_error(r.error().message, 3);

  net::UdpOptions uo;
  uo.pktinfo = true;
  uo.broadcast = true;
  uo.reuse_addr = true;
  uo.recv_buffer = kRecvBuffer;
  // One named interface with --bind-interfaces: tie the socket to it, as dnsmasq does.
  std::vector<std::string> named;
  for (const auto& i : config.dns.interfaces)
    if (!i.empty()) named.push_back(i);
  if (config.dns.bind_interfaces && named.size() == 1 && named[0].back() != '*')
    uo.device = named[0];
  auto sock = net::UdpSocket::open(net::SocketAddr::any_v4(kServerPort), uo);
  if (!sock) {
    std::string why = sock.error().message;
    if (auto p = why.rfind(": "); p != std::string::npos) why = why.substr(p + 2);
    return make_error("failed to bind DHCP server socket: " + why, 2);
  }
  s->sock = std::move(*sock);
  if (auto note = recv_buffer_note(s->sock.recv_buffer(), kRecvBuffer); !note.empty())
    s->startup.push_back(std::move(note));
  auto* raw = s.get();
  // The raw ICMP socket for address checks, opened while still root (dnsmasq keeps
  // CAP_NET_RAW instead). Without it, new addresses are offered unchecked.
  if (!dc.no_ping) {
    if (auto icmp = net::IcmpSocket::open()) {
      s->icmp = std::move(*icmp);
      uint16_t ident = 0;
      if (::getentropy(&ident, sizeof(ident)) != 0) ident = static_cast<uint16_t>(::getpid());
      s->icmp_ident = ident;
      if (auto r = loop.add_fd(s->icmp.fd(), EPOLLIN, [raw](uint32_t) { raw->on_icmp_readable(); }); !r)
        return make_error(r.error().message, 2);
    } else {
      s->startup.push_back(icmp.error().message + ": new addresses are offered without a ping check");
    }
  }
  if (auto r = loop.add_fd(s->sock.fd(), EPOLLIN, [raw](uint32_t) { raw->on_readable(); }); !r)
    return make_error(r.error().message, 2);
  if (pxe::enabled(dc)) {
    net::UdpOptions bo;
    bo.pktinfo = true;
    bo.reuse_addr = true;
    bo.device = uo.device;
    auto boot = net::UdpSocket::open(net::SocketAddr::any_v4(pxe::kBootServerPort), bo);
    if (!boot) return make_error("failed to bind PXE boot server socket: " + boot.error().message, 2);
    s->boot_sock = std::move(*boot);
    if (auto r = loop.add_fd(s->boot_sock.fd(), EPOLLIN, [raw](uint32_t) { raw->on_boot_readable(); }); !r)
      return make_error(r.error().message, 2);
  }
  s->prune_timer = loop.add_periodic(kPruneInterval, [raw] {
    auto t = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    if (raw->engine->prune_expired(t) > 0) {
      raw->flush();
      raw->publish_names();
      if (raw->observed) {
        raw->collect_script_events(nullptr, nullptr, {});
        raw->post_script_events();
      }
    }
  });
  auto lines = s->engine->startup_lines();
  lines.insert(lines.end(), s->startup.begin(), s->startup.end());
  s->startup = std::move(lines);
  s->domains = local::ExpandDomains::from_rules(config.dns.domains);
  s->publish_names(&s->startup);
  if (s->observed) {
    (void)s->observed->take();  // the start-up prune: the leases are announced as "old" below
    s->all_leases_old();
  }
  return std::unique_ptr<Dhcp4Service>(new Dhcp4Service(std::move(s)));
}

Dhcp4Service::Dhcp4Service(std::unique_ptr<Dhcp4ServiceState> s) : s_(std::move(s)) {}

Dhcp4Service::~Dhcp4Service() {
  if (!s_) return;
  s_->loop.cancel_timer(s_->prune_timer);
  if (s_->commit_timer) s_->loop.cancel_timer(s_->commit_timer);
  for (auto& [seq, c] : s_->checks) s_->loop.cancel_timer(c.timer);
  if (s_->sock.valid()) s_->loop.remove_fd(s_->sock.fd());
  if (s_->boot_sock.valid()) s_->loop.remove_fd(s_->boot_sock.fd());
  if (s_->icmp.valid()) s_->loop.remove_fd(s_->icmp.fd());
  // Not a crash: the lease file is complete, so the journal goes (it stays only when the
  // process dies without running this).
  if (s_->file_store) (void)s_->file_store->finish();
}

std::string recv_buffer_note(int granted, int asked) {
  // Without CAP_NET_ADMIN the kernel caps the buffer at net.core.rmem_max (208 KiB on stock
  // Debian). 0 = the size could not be read: nothing to say.
  if (granted <= 0 || granted >= asked) return {};
  return fmt::format("DHCP receive buffer is {} KiB, not {} KiB: without CAP_NET_ADMIN it is "
                     "capped by net.core.rmem_max; requests may be lost while the lease file "
                     "is written", granted / 1024, asked / 1024);
}

std::vector<std::string> Dhcp4Service::startup_lines() const { return s_->startup; }

void Dhcp4Service::shutdown() {
  if (s_->commit_timer) {
    s_->loop.cancel_timer(s_->commit_timer);
    s_->commit_timer = 0;
  }
  if (s_->waiting.empty())
    (void)s_->flush();
  else
    s_->commit();  // the waiting replies go out once their leases are written
  if (s_->file_store)
    if (auto r = s_->file_store->finish(); !r)
      s_->log(log::Level::Err, fmt::format("failed to write {}: {}", s_->config.dhcp.lease_file, r.error().message));
}

Result<void> Dhcp4Service::start_script() {
  if (s_->config.dhcp.script.empty() || s_->script) return ok();
  auto helper = ScriptHelper::start(s_->config.dhcp.script, s_->loop);
  if (!helper) return helper.error();
  s_->script = std::move(*helper);
  s_->post_script_events();
  return ok();
}

void Dhcp4Service::reload() {
  if (s_->observed) {
    s_->all_leases_old();
    s_->post_script_events();
  }
  s_->load_files(nullptr);
}

const Dhcp4Service::Stats& Dhcp4Service::stats() const { return s_->stats; }

void Dhcp4Service::tftp_sent(uint64_t size, const IpAddr& client, std::string_view path) {
  if (s_->config.dhcp.script.empty()) return;
  ScriptEvent e;
  e.action = "tftp";
  e.args = {std::to_string(size), client.to_string(), std::string(path)};
  s_->script_events.push_back(std::move(e));
  s_->post_script_events();
}

}  // namespace masqd::dhcp
