// Dhcp4Service: the DHCPv4 server's I/O on the control loop. Owns the port-67 socket, the
// lease store and the Dhcp4Engine: reads a request, asks the engine, makes the lease
// durable (LeaseStore::flush) and only then sends the reply, broadcast, unicast (after an
// ARP entry for a client without an address), to ciaddr, or to the relay.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "config/config.h"
#include "local/lease_names.h"
#include "net/event_loop.h"

namespace masqd::dhcp {

struct Dhcp4ServiceState;

class Dhcp4Service {
 public:
  struct Hooks {
    // Every DHCP line (dnsmasq's "dnsmasq-dhcp" channel). Empty: nothing is logged.
    std::function<void(log::Level, std::string_view)> log;
    // The leases' DNS names changed (and once at start-up, when leases were loaded): the
    // new immutable table. Called on the control loop. Empty: names are not published.
    std::function<void(std::shared_ptr<const local::LeaseNameTable>)> names;
    // Where the hosts data already gives `name` another IPv4 address: "<source> with
    // address <addr>" for dnsmasq's "not giving name ..." warning; nullopt: no clash.
    std::function<std::optional<std::string>(std::string_view name, const IpAddr& addr)> hosts_clash;
    // Every address the hosts data gives `name` (IPv4 and IPv6, in its order), for dhcp-host
    // (or /etc/ethers) entries with a name and no address, as dnsmasq does
    // (hosts_addresses.h). Empty: such entries keep no address.
    std::function<std::vector<IpAddr>(std::string_view name)> hosts_addresses;
  };

  struct Stats {
    uint64_t received = 0;     // datagrams read
    uint64_t malformed = 0;    // dropped: not a DHCP request we can parse
    uint64_t filtered = 0;     // dropped: interface not served (-i, --except-interface, lo)
    uint64_t replies = 0;      // replies sent
    uint64_t send_errors = 0;  // replies the kernel refused
    uint64_t flush_errors = 0; // lease file writes that failed (the reply was not sent)
    uint64_t arp_fallbacks = 0;// unicast wanted, ARP entry refused: broadcast instead
  };

  // True when the config asks for a DHCPv4 server (an IPv4 dhcp-range exists).
  static bool wanted(const config::Config& config);

  // Opens the lease file (creating it, dnsmasq's exit code 3 on failure) unless
  // --leasefile-ro, binds 0.0.0.0:67 (exit code 2 on failure) and registers on `loop`.
  // Call before dropping privileges. `config` and `loop` must outlive the service.
  static Result<std::unique_ptr<Dhcp4Service>> create(const config::Config& config,
                                                      net::EventLoop& loop, Hooks hooks = {});
  ~Dhcp4Service();
  Dhcp4Service(const Dhcp4Service&) = delete;
  Dhcp4Service& operator=(const Dhcp4Service&) = delete;

  // Start-up lines ("DHCP, IP range a -- b, lease time 1h") and lease-file problems.
  std::vector<std::string> startup_lines() const;
  // --dhcp-script: forks the helper that runs the script (call after daemonising, before
  // dropping privileges: it keeps root) and posts the start-up "old" events.
  Result<void> start_script();
  // A TFTP transfer completed: the script's "tftp" event (size in bytes, client address,
  // full path), queued behind the lease events. Nothing without --dhcp-script.
  void tftp_sent(uint64_t size, const IpAddr& client, std::string_view path);
  // SIGTERM: write what is pending.
  void shutdown();
  // SIGHUP: read /etc/ethers (--read-ethers), the --dhcp-hostsfile and --dhcp-optsfile
  // files again (what they gave is replaced whole; a bad line is logged and skipped).
  void reload();
  const Stats& stats() const;

 private:
  explicit Dhcp4Service(std::unique_ptr<Dhcp4ServiceState> s);
  std::unique_ptr<Dhcp4ServiceState> s_;
};

// The start-up line for a DHCP socket whose receive buffer (UdpSocket::recv_buffer) is
// smaller than `asked`; empty when it is not, or when `granted` is 0 (unknown).
std::string recv_buffer_note(int granted, int asked);

}  // namespace masqd::dhcp
