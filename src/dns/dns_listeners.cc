// DnsService, listening side: the interface table (getifaddrs), the listening sockets
// (wildcard, --bind-interfaces, --bind-dynamic following a netlink address watch) and the
// per-packet admission checks (-i/-I/-a by arrival interface, --local-service by source).
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>

#include "dns/service_state.h"

namespace masqd::dns {

namespace {

// The strerror text at the end of a net/ error message ("bind 0.0.0.0#53: Address ...").
std::string reason(const Error& e) {
  auto pos = e.message.rfind(": ");
  return pos == std::string::npos ? e.message : e.message.substr(pos + 2);
}

bool is_link_local_v6(const IpAddr& a) {
  return a.is_v6() && a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}

}  // namespace

void ServiceState::load_interfaces() {
  ifaces.clear();
  ifaces_loaded = Clock::now();
  std::vector<IpPrefix> nets;
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_name) continue;
    const unsigned idx = if_nametoindex(i->ifa_name);
    if (idx == 0) continue;
    IfInfo& info = ifaces[static_cast<int>(idx)];
    if (info.name.empty()) info.name = i->ifa_name;
    info.loopback = info.loopback || (i->ifa_flags & IFF_LOOPBACK);
    if (!i->ifa_addr) continue;
    const socklen_t len = i->ifa_addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6)
                                                             : sizeof(sockaddr_in);
    if (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6) continue;
    if (auto a = net::SocketAddr::from_sockaddr(i->ifa_addr, len)) {
      info.addrs.push_back(a->ip());
      if (local_service_net) {
        const bool mask_ok = i->ifa_netmask && i->ifa_netmask->sa_family == i->ifa_addr->sa_family;
        nets.push_back(IpPrefix{a->ip(), mask_ok ? net::netmask_length(i->ifa_netmask)
                                                 : static_cast<uint8_t>(a->ip().size() * 8)});
      }
    }
  }
  freeifaddrs(list);
  if (local_service_net) local_nets.assign(nets);
}

std::vector<IpAddr> ServiceState::local_addresses() const {
  std::vector<IpAddr> out = listen_addresses;
  for (const auto& [idx, info] : ifaces)
    for (const auto& a : info.addrs) out.push_back(a);
  return out;
}

Result<void> ServiceState::open_listeners() {
  if (port == 0) return ok();
  if (local_service_net || bind_dynamic) {
    // Opened before the interfaces are read, so no change between the two is missed.
    auto w = net::open_address_watch();
    if (!w) return w.error();
    addr_watch = std::move(*w);
    auto r = loop.add_fd(addr_watch.get(), EPOLLIN, [this](uint32_t) { on_address_change(); });
    if (!r) return make_error(r.error().message, 2);
  }
  load_interfaces();
  if (localhost_only) {
    const IpAddr v6 = listen_addresses.back();
    const bool have_v6 = std::any_of(ifaces.begin(), ifaces.end(), [&v6](const auto& kv) {
      return std::find(kv.second.addrs.begin(), kv.second.addrs.end(), v6) != kv.second.addrs.end();
    });
    if (!have_v6) listen_addresses.pop_back();
  }
  // With several workers every listening socket has SO_REUSEPORT, which would also let a
  // second masqd (same user) bind the same port without an error. The first worker
  // therefore binds each address once without it first: a port already in use fails as it
  // does with one worker (and as dnsmasq does); the probe is closed before the real bind.
  auto probe = [&](const net::SocketAddr& a, net::UdpOptions uo) -> Result<void> {
    if (!reuse_port || secondary) return ok();
    uo.reuse_port = false;
    auto u = net::UdpSocket::open(a, uo);
    if (!u) return u.error();
    auto t = net::TcpListener::listen(a);
    if (!t) return t.error();
    return ok();
  };
  if (!bind_interfaces && !bind_dynamic) {
    const std::string what = "failed to create listening socket for port " + std::to_string(port);
    net::UdpOptions uo;
    uo.pktinfo = true;
    uo.reuse_port = reuse_port;
    net::TcpListenOptions to;
    to.reuse_port = reuse_port;
    if (auto pr = probe(net::SocketAddr::any_v4(port), uo); !pr)
      return make_error(what + ": " + reason(pr.error()), 2);
    auto u4 = net::UdpSocket::open(net::SocketAddr::any_v4(port), uo);
    if (!u4) return make_error(what + ": " + reason(u4.error()), 2);
    auto t4 = net::TcpListener::listen(net::SocketAddr::any_v4(port), to);
    if (!t4) return make_error(what + ": " + reason(t4.error()), 2);
    udp.push_back(UdpListener{std::move(*u4), true});
    tcp.push_back(TcpListenerEntry{std::move(*t4), true});
    auto p6 = probe(net::SocketAddr::any_v6(port), uo);
    Result<net::UdpSocket> u6 = p6 ? net::UdpSocket::open(net::SocketAddr::any_v6(port), uo)
                                   : Result<net::UdpSocket>(p6.error());
    if (u6) {
      auto t6 = net::TcpListener::listen(net::SocketAddr::any_v6(port), to);
      if (!t6) return make_error(what + ": " + reason(t6.error()), 2);
      udp.push_back(UdpListener{std::move(*u6), true});
      tcp.push_back(TcpListenerEntry{std::move(*t6), true});
    } else if (reason(u6.error()).find("not supported") == std::string::npos &&
               reason(u6.error()).find("Cannot assign") == std::string::npos) {
      return make_error(what + ": " + reason(u6.error()), 2);
    }
    for (uint32_t i = 0; i < udp.size(); ++i) {
      auto r = loop.add_fd(udp[i].sock.fd(), EPOLLIN, [this, i](uint32_t) { on_udp_readable(i); });
      if (!r) return make_error(r.error().message, 2);
      auto t = loop.add_fd(tcp[i].listener.fd(), EPOLLIN, [this, i](uint32_t) { on_tcp_accept(i); });
      if (!t) return make_error(t.error().message, 2);
    }
  } else {
    for (const auto& name : interfaces) {
      if (name.empty() || name.back() == '*') continue;
      bool found = std::any_of(ifaces.begin(), ifaces.end(),
                               [&](const auto& kv) { return kv.second.name == name; });
      if (found) continue;
      // --bind-dynamic waits for the interface; -z cannot (as dnsmasq 2.90).
      if (!bind_dynamic) return make_error("unknown interface " + name, 2);
      if (!secondary) log("warning: interface " + name + " does not currently exist");
    }
    for (const auto& a : bound_addresses()) {
      const uint32_t slot = static_cast<uint32_t>(udp.size());
      auto r = open_pair(a, slot, false, bind_dynamic, true);
      const bool not_yet = !r && r.error().message.find("Cannot assign") != std::string::npos;
      if (not_yet && !bind_dynamic &&
          std::find(listen_addresses.begin(), listen_addresses.end(), a.ip()) == listen_addresses.end())
        continue;  // -z: an interface's IPv6 address still in duplicate address detection is
                   // left out, as dnsmasq 2.90 starts without it (an -a address stays fatal)
      if (not_yet && bind_dynamic) {
        // An IPv6 address still in duplicate address detection: sync_dynamic retries it.
        if (!dyn_retry)
          dyn_retry = loop.add_timer(std::chrono::seconds(1), [this] {
            dyn_retry = 0;
            load_interfaces();
            sync_dynamic();
          });
        continue;
      }
      if (!r) return r;
      if (bind_dynamic) dyn_slots[a] = slot;
    }
  }
  return ok();
}

std::vector<net::SocketAddr> ServiceState::bound_addresses() const {
  std::vector<net::SocketAddr> addrs;
  for (const auto& a : listen_addresses) addrs.emplace_back(a, port);
  const bool all = interfaces.empty() && listen_addresses.empty();
  for (const auto& [idx, info] : ifaces) {
    bool take = all || (!interfaces.empty() && info.loopback);
    for (const auto& pat : interfaces) take = take || interface_matches(pat, info.name);
    for (const auto& pat : except_interfaces)
      if (interface_matches(pat, info.name)) take = false;
    if (!take) continue;
    for (const auto& a : info.addrs)
      addrs.emplace_back(a, port, is_link_local_v6(a) ? static_cast<uint32_t>(idx) : 0);
  }
  std::sort(addrs.begin(), addrs.end());
  addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
  return addrs;
}

Result<void> ServiceState::open_pair(const net::SocketAddr& a, uint32_t slot, bool wildcard,
                                     bool dynamic, bool probe_first) {
  const std::string what = "failed to create listening socket for " + a.ip().to_string();
  net::UdpOptions uo;
  uo.reuse_addr = true;
  uo.pktinfo = true;
  uo.reuse_port = reuse_port;
  net::TcpListenOptions to;
  to.reuse_port = reuse_port;
  if (probe_first && reuse_port && !secondary) {
    // See open_listeners: one bind without SO_REUSEPORT so a port in use fails here.
    net::UdpOptions po = uo;
    po.reuse_port = false;
    auto pu = net::UdpSocket::open(a, po);
    if (!pu) return make_error(what + ": " + reason(pu.error()), 2);
    auto pt = net::TcpListener::listen(a);
    if (!pt) return make_error(what + ": " + reason(pt.error()), 2);
  }
  auto u = net::UdpSocket::open(a, uo);
  if (!u) return make_error(what + ": " + reason(u.error()), 2);
  auto t = net::TcpListener::listen(a, to);
  if (!t) return make_error(what + ": " + reason(t.error()), 2);
  if (slot == udp.size()) {
    udp.push_back(UdpListener{});
    tcp.push_back(TcpListenerEntry{});
  }
  udp[slot] = UdpListener{std::move(*u), wildcard, dynamic};
  tcp[slot] = TcpListenerEntry{std::move(*t), wildcard, dynamic};
  auto r = loop.add_fd(udp[slot].sock.fd(), EPOLLIN, [this, slot](uint32_t) { on_udp_readable(slot); });
  if (!r) return make_error(r.error().message, 2);
  r = loop.add_fd(tcp[slot].listener.fd(), EPOLLIN, [this, slot](uint32_t) { on_tcp_accept(slot); });
  if (!r) return make_error(r.error().message, 2);
  return ok();
}

void ServiceState::on_address_change() {
  (void)net::drain_address_watch(addr_watch.get());
  load_interfaces();
  if (bind_dynamic) sync_dynamic();
}

void ServiceState::sync_dynamic() {
  const std::vector<net::SocketAddr> want = bound_addresses();
  // Close the sockets of addresses that are gone (the slot stays with its address).
  for (const auto& [addr, slot] : dyn_slots) {
    if (std::binary_search(want.begin(), want.end(), addr) || udp[slot].sock.fd() < 0) continue;
    loop.remove_fd(udp[slot].sock.fd());
    loop.remove_fd(tcp[slot].listener.fd());
    udp[slot] = UdpListener{};
    tcp[slot] = TcpListenerEntry{};
  }
  bool failed = false;
  for (const auto& a : want) {
    auto it = dyn_slots.find(a);
    if (it != dyn_slots.end() && udp[it->second].sock.fd() >= 0) continue;
    const uint32_t slot = it != dyn_slots.end() ? it->second : static_cast<uint32_t>(udp.size());
    if (auto r = open_pair(a, slot, false, true, false); !r) {
      // A new IPv6 address cannot be bound until duplicate address detection is over.
      failed = true;
      if (slot < udp.size()) {
        if (udp[slot].sock.fd() >= 0) loop.remove_fd(udp[slot].sock.fd());
        if (tcp[slot].listener.fd() >= 0) loop.remove_fd(tcp[slot].listener.fd());
        udp[slot] = UdpListener{};
        tcp[slot] = TcpListenerEntry{};
      }
      continue;
    }
    dyn_slots[a] = slot;
  }
  if (failed && !dyn_retry)
    dyn_retry = loop.add_timer(std::chrono::seconds(1), [this] {
      dyn_retry = 0;
      load_interfaces();
      sync_dynamic();
    });
}

bool ServiceState::allowed(const IpAddr& dst, int ifindex) {
  if (interfaces.empty() && listen_addresses.empty() && except_interfaces.empty()) return true;
  for (const auto& a : listen_addresses)
    if (a == dst) return true;
  auto it = ifaces.find(ifindex);
  if (it == ifaces.end() && Clock::now() - ifaces_loaded > std::chrono::seconds(1)) {
    load_interfaces();
    it = ifaces.find(ifindex);
  }
  if (it == ifaces.end()) return false;
  for (const auto& pat : except_interfaces)
    if (interface_matches(pat, it->second.name)) return false;
  if (interfaces.empty()) return listen_addresses.empty();
  if (it->second.loopback) return true;
  for (const auto& pat : interfaces)
    if (interface_matches(pat, it->second.name)) return true;
  return false;
}

bool ServiceState::local_source(const IpAddr& src, bool over_tcp) {
  if (local_nets.contains(src)) return true;
  if (over_tcp) {
    log("ignoring query from non-local network " + src.to_string());
  } else if (!shared->non_local_warned.exchange(true, std::memory_order_relaxed)) {
    log("ignoring query from non-local network " + src.to_string() + " (logged only once)");
  }
  return false;
}

}  // namespace masqd::dns
