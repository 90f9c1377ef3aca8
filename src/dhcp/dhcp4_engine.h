// Dhcp4Engine: the DHCPv4 server's decisions, without I/O. One call takes a decoded
// request, the facts about the interface it arrived on and the time; it returns the reply
// (header + ordered options + where to send it), the log lines dnsmasq 2.90 writes for the
// exchange, and whether the lease store changed (the caller must flush it before sending).
// The engine reads and changes the LeaseStore it is given; it never flushes it.
// Not thread-safe: one owner (the DHCP service on the control loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "base/ip.h"
#include "config/config.h"
#include "dhcp/lease_store.h"
#include "dhcp/ping_cache.h"
#include "dhcp/pxe.h"
#include "local/host_table.h"
#include "proto/dhcp4_wire.h"

namespace masqd::dhcp {

// One IPv4 address of the receiving interface.
struct InterfaceAddr4 {
  IpAddr addr;
  IpAddr netmask;
};

// Where a request arrived.
struct InterfaceInfo {
  std::string name;
  int index = 0;
  std::vector<InterfaceAddr4> addrs;  // IPv4 only, in kernel order
};

// Where the reply goes (RFC 2131 4.1, as dnsmasq 2.90 does it).
struct Dhcp4Destination {
  enum class Kind : uint8_t {
    Broadcast,   // 255.255.255.255:68 out of the arrival interface
    Unicast,     // addr:68 (the client's ciaddr: it has an address)
    UnicastArp,  // addr:68 (yiaddr) after an ARP entry for chaddr; broadcast if that fails
    Relay,       // giaddr:67
  };
  Kind kind = Kind::Broadcast;
  IpAddr addr;
};

struct Dhcp4Reply {
  proto::dhcp4::Header header;
  std::vector<proto::dhcp4::Option> options;  // in sending order, without END
  proto::dhcp4::BuildLimits limits;
  Dhcp4Destination destination;
  IpAddr source;  // our address on the client's network (the server identifier)
};

struct Dhcp4Result {
  std::optional<Dhcp4Reply> reply;
  bool store_changed = false;     // flush the store before sending the reply
  std::vector<std::string> log;   // dnsmasq's DHCP lines, without the "dnsmasq-dhcp: " prefix
  enum class Drop : uint8_t { None, Malformed, NotForUs, Ignored } drop = Drop::None;
  // An OFFER of a new address that should first be checked with an ICMP echo (unless
  // --no-ping): the caller sends the echo and tells the engine the outcome
  // (address_answered: ask again, another address will be chosen; address_free: send the
  // reply and log the lines). The caller may also skip the check and send at once.
  std::optional<IpAddr> check_address;
  std::vector<std::string> tags;  // the request's tags when it was ACKed (for DNSMASQ_TAGS)
};

class Dhcp4Engine {
 public:
  using Clock = std::chrono::system_clock;

  // `config` and `store` must outlive the engine.
  Dhcp4Engine(const config::Config& config, LeaseStore& store);

  // `boot_server_port`: the request came to port 4011 (PXE boot server); only PXE
  // requests are answered there, and the reply goes back to the sender.
  Dhcp4Result handle(const proto::dhcp4::Dhcp4Packet& packet, const InterfaceInfo& iface,
                     std::chrono::sys_seconds now, bool boot_server_port = false);

  // Removes leases that expired before `now`; returns how many (the caller flushes).
  size_t prune_expired(std::chrono::sys_seconds now);

  // Dnsmasq's start-up lines for the configured ranges ("DHCP, IP range a -- b, lease time 1h").
  std::vector<std::string> startup_lines() const;

  // Seeds the generator of the renewal fuzz (tests and fuzzing; otherwise random_device).
  void seed_random(uint32_t seed) { rng_.seed(seed); }

  // The outcome of a check_address echo: someone answered (the address is avoided for
  // 30 s and the hash moves on, as dnsmasq's epoch does), or nobody did within the wait
  // (the address is trusted for 30 s).
  void address_answered(const IpAddr& addr, std::chrono::sys_seconds now);
  void address_free(const IpAddr& addr, std::chrono::sys_seconds now) { ping_.record_free(addr, now); }

  // dhcp-host entries from --dhcp-hostsfile, after the configured ones; replaced whole
  // (SIGHUP). Call between requests only.
  void set_file_hosts(std::vector<config::DhcpHost> hosts);

  // Everything the data files give (start-up and SIGHUP; replaced whole, call between
  // requests only): the configured dhcp-host entries as --read-ethers and the hosts data
  // left them (they replace the config's), the entries made from /etc/ethers and from
  // --dhcp-hostsfile (tried after the configured ones, in that order), and the
  // --dhcp-optsfile options (newer than the configured ones, oldest first).
  struct FileData {
    std::vector<config::DhcpHost> config_hosts;
    std::vector<config::DhcpHost> file_hosts;
    std::vector<config::DhcpOption> file_options;
  };
  void set_file_data(FileData data);

 private:
  struct Context;
  struct Request;

  void handle_discover(Request& rq, Dhcp4Result& out);
  void handle_request(Request& rq, Dhcp4Result& out);
  void handle_decline(Request& rq, Dhcp4Result& out);
  void handle_release(Request& rq, Dhcp4Result& out);
  void handle_inform(Request& rq, Dhcp4Result& out);
  // PXE (pxe.h): the port-4011 boot-item request and proxy DHCP. True when the request was
  // dealt with here (answered or dropped).
  bool handle_pxe(Request& rq, Dhcp4Result& out);
  void pxe_boot_item(Request& rq, bool ignored, Dhcp4Result& out);
  std::vector<Context> proxy_contexts(const Request& rq) const;
  // Options 60, 97 and 43 for a PXE client of a normal range (after the configured ones).
  void add_pxe_options(const Request& rq, const Context& ctx,
                       std::vector<proto::dhcp4::Option>& o) const;

  std::vector<Context> contexts_for(const Request& rq) const;
  // `other_net`: set when only entries for another subnet matched (dnsmasq's "known-othernet").
  const config::DhcpHost* find_host(const Request& rq, bool* other_net) const;
  // The lease's name was given by a --dhcp-host for that client (a client may not take it).
  bool has_config_name(const Lease& l) const;
  void collect_tags(Request& rq) const;
  void run_tag_ifs(Request& rq, const std::string* range_tag) const;
  bool tags_match(const config::TagList& conditions, const std::vector<std::string>& tags) const;
  bool address_taken(const IpAddr& a, const Request& rq) const;
  bool reserved_by_other_host(const IpAddr& a, const Request& rq) const;
  bool is_our_address(const IpAddr& a, const Request& rq) const;
  bool same_client(const Lease& l, const Request& rq) const;
  std::optional<Lease> client_lease(const Request& rq) const;
  std::optional<IpAddr> allocate(const Request& rq, const std::vector<Context>& ctxs) const;
  const Context* context_of(const IpAddr& a, const std::vector<Context>& ctxs,
                            bool ranges_only) const;

  Dhcp4Reply make_reply(const Request& rq, const Context& ctx, proto::dhcp4::MessageType type,
                        const IpAddr& yiaddr, std::optional<uint32_t> lease_secs,
                        const std::string& hostname, std::vector<std::string>* notes,
                        uint32_t fuzz = 0) const;  // fuzz: taken off T1 and T2
  void nak(Request& rq, const IpAddr& server, const std::string& message, Dhcp4Result& out) const;
  std::string log_line(const char* type, const Request& rq, const IpAddr* addr,
                       std::string_view extra) const;
  // --log-dhcp: the lines dnsmasq adds, each starting with the transaction id. Before the
  // message's own line: the available ranges, the vendor and user class, the client's name;
  // before an OFFER or ACK: the tags; after the reply's lines: the requested options, the
  // BOOTP fields, "broadcast response" and every option sent with its value.
  void log_request_details(const Request& rq, Dhcp4Result& out) const;
  std::string tags_line(const Request& rq) const;
  // `pxe`: a proxy or boot-server (port 4011) reply.
  void log_reply_details(const Request& rq, const Dhcp4Reply& reply, bool pxe, std::vector<std::string>& log) const;

  // --dhcp-ignore-names, --dhcp-generate-names, --dhcp-broadcast: one entry's tags match.
  bool any_tags_match(const std::vector<config::TagList>& lists, const Request& rq) const;
  void apply_name_rules(Request& rq) const;
  void apply_broadcast(const Request& rq, Dhcp4Reply& reply) const;

  const config::Config& config_;
  LeaseStore& store_;
  const bool verbose_;  // --log-dhcp
  FileData data_;
  std::vector<const config::DhcpHost*> hosts_;  // config entries first, then file entries
  std::vector<config::DhcpOption> options4_;    // config options, then --dhcp-optsfile ones
  std::map<IpAddr, std::chrono::sys_seconds> declined_;  // static address -> usable again at
  uint32_t epoch_ = 0;  // added to the address hash; one more after each DECLINE or ping hit
  PingCache ping_;
  local::ExpandDomains domains_;  // --domain rules: the domain of an address (option 81, logs)
  std::minstd_rand rng_{std::random_device{}()};
};

// dnsmasq's lease-time text for logs: "1h", "45m", "2h30m", "infinite".
std::string format_lease_time(uint32_t secs);

// --log-dhcp's text of one option value, as dnsmasq 2.90 writes it: addresses ("a, b"),
// text up to a NUL, lease times ("1h", "52m30s"), numbers, else hex bytes ("01:02", the
// first 14 only, then "...").
std::string log_option_value(uint8_t code, std::span<const uint8_t> data);

// The client's hostname option (12) as dnsmasq reads it: a C string (cut at the first NUL),
// the first label only, letters, digits, '-' and '_', not starting with '-', at most 63
// bytes; `name` is empty when nothing usable is left. A domain after the first dot is
// returned apart (dnsmasq logs that it ignores it unless it is the --domain).
struct ClientName {
  std::string name;
  std::string ignored_domain;
  bool null_terminated = false;  // the option's last byte was NUL
};
ClientName parse_client_hostname(std::string_view raw);

// The name of a client FQDN option (81, already decoded to text by the codec) as dnsmasq
// 2.90 reads it: a C string; a label over 63 bytes or a control character anywhere
// rejects the whole name; then the option-12 rule above. `wire`: the E flag was set (the
// NUL mark is then never set: only an ASCII name ending in NUL gets one back).
ClientName parse_fqdn_name(std::string_view text, bool wire);

// The flags of the option 81 a server sends back (RFC 4702 2.1, dnsmasq 2.90's choice): E
// as the client sent it; S (we update the A record), or with --dhcp-client-update N (nobody
// updates: the client may do its own); O when that differs from the client's S.
uint8_t fqdn_reply_flags(uint8_t client_flags, bool client_update);
std::string sanitise_hostname(std::string_view raw);  // parse_client_hostname(raw).name

}  // namespace masqd::dhcp
