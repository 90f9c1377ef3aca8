// Fuzz target: the DHCPv4 engine (src/dhcp/dhcp4_engine). The input is up to 8 client
// packets separated by the 4 bytes "MQSP", played in order against one engine with a fixed
// config (ranges, dhcp-hosts, options, lease-max 3, authoritative) and a fresh lease store,
// so state built by one packet is seen by the next. Whatever comes in: no crash, every
// reply builds and parses back, ACKed/offered addresses are ours to give, the store never
// holds more than lease-max leases, and the reply goes where RFC 2131 says. Every input is
// played twice: without and with --log-dhcp (then each option sent has its "sent size:" line).
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/loader.h"
#include "fixed_config.h"
#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"

using namespace masqd;
namespace d4 = masqd::proto::dhcp4;

namespace {

config::Config load_fuzz_config(bool log_dhcp) {
  std::vector<std::string> args = {
      "masqd", "-p", "0", "--dhcp-authoritative", "--dhcp-lease-max=3",
      "--dhcp-range=192.0.2.100,192.0.2.110,1h",
      "--dhcp-range=tag:veth0,set:lan,192.0.2.200,192.0.2.201,infinite",
      "--dhcp-range=198.51.100.10,198.51.100.20,255.255.255.0,2h",
      "--dhcp-range=203.0.113.0,static",
      "--dhcp-host=02:00:00:00:00:11,192.0.2.50,fixed,2h",
      "--dhcp-host=02:00:*:*:*:22,203.0.113.9", "--dhcp-host=id:01:02:03,192.0.2.51",
      "--dhcp-host=02:00:00:00:00:66,ignore", "--dhcp-host=namedhost,192.0.2.52",
      "--dhcp-option=42,0.0.0.0", "--dhcp-option=tag:lan,3,192.0.2.254",
      "--dhcp-option-force=option:domain-name,example.org", "--dhcp-option=3",
      "--dhcp-option=119,a.example,b.example", "--dhcp-option=58,10m",
      // Encapsulated forms (option 60 from the packet picks the vendor: ones).
      "--dhcp-option=vendor:PXE,1,0.0.0.0", "--dhcp-option-force=vendor:MSFT,2,1i",
      "--dhcp-option=encap:175,1,5", "--dhcp-option=tag:lan,encap:175,2,abc",
      "--dhcp-option=encap:176,1," + std::string(200, 'a'), "--dhcp-option=encap:176,2," + std::string(100, 'b'),
      "--dhcp-option-force=vi-encap:3561,1,abc", "--dhcp-option=vi-encap:9,1," + std::string(249, 'c'),
      "--domain=lan,192.0.2.0/24", "--domain=example.org",
      "--dhcp-vendorclass=set:msft,MSFT", "--dhcp-userclass=set:uc,xyz", "--dhcp-mac=set:mm,02:00:*:*:*:*",
      "--dhcp-match=set:dm,option:hostname", "--dhcp-name-match=set:nm,fixed", "--tag-if=set:both,tag:msft,tag:uc",
      "--tag-if=set:t2,set:t3,tag:known"};
  if (log_dhcp) args.push_back("--log-dhcp");
  return fuzz::load_fixed_config(std::move(args));
}

uint32_t v4(const IpAddr& a) {
  const auto& b = a.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

bool ours_to_give(const IpAddr& a) {
  uint32_t n = v4(a);
  auto in = [n](const char* lo, const char* hi) {
    return n >= v4(*IpAddr::parse_v4(lo)) && n <= v4(*IpAddr::parse_v4(hi));
  };
  return in("192.0.2.100", "192.0.2.110") || in("192.0.2.200", "192.0.2.201") ||
         in("198.51.100.10", "198.51.100.20") || in("192.0.2.50", "192.0.2.52") ||
         in("203.0.113.9", "203.0.113.9");
}

void play(const config::Config& cfg, const uint8_t* data, size_t size) {
  dhcp::MemoryLeaseStore store;
  dhcp::Dhcp4Engine engine(cfg, store);
  engine.seed_random(1);  // the same input always takes the same path
  dhcp::InterfaceInfo iface{"veth0", 3, {{*IpAddr::parse_v4("192.0.2.1"), *IpAddr::parse_v4("255.255.255.0")},
                                          {*IpAddr::parse_v4("203.0.113.1"), *IpAddr::parse_v4("255.255.255.0")}}};
  std::chrono::sys_seconds now{std::chrono::seconds{1'800'000'000}};

  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int round = 0; round < 8 && !in.empty(); ++round) {
    size_t sep = in.find("MQSP");
    std::string_view one = in.substr(0, sep);
    in = sep == std::string_view::npos ? std::string_view() : in.substr(sep + 4);
    auto pkt = d4::Dhcp4Packet::parse(d4::Bytes(reinterpret_cast<const uint8_t*>(one.data()), one.size()));
    now += std::chrono::seconds(round * 700);  // later packets may find leases expired
    if (!pkt) continue;
    auto out = engine.handle(*pkt, iface, now);
    static const bool verbose = std::getenv("MASQD_FUZZ_VERBOSE") != nullptr;  // corpus checks
    if (verbose)
      for (const auto& line : out.log) std::fprintf(stderr, "%s\n", line.c_str());
    if (store.size() > 3) std::abort();
    if (!out.reply) continue;
    const auto& r = *out.reply;
    auto built = d4::build(r.header, r.options, r.limits);
    auto back = d4::Dhcp4Packet::parse(built.bytes);
    if (!back || !back->message_type()) std::abort();
    auto type = *back->message_type();
    if (type == d4::MessageType::Offer || type == d4::MessageType::Ack) {
      const IpAddr& y = r.header.yiaddr;
      if (!y.is_unspecified() && !ours_to_give(y)) std::abort();
    }
    if (type == d4::MessageType::Nak && !r.header.yiaddr.is_unspecified()) std::abort();
    bool relayed = !pkt->header().giaddr.is_unspecified();
    if (relayed != (r.destination.kind == dhcp::Dhcp4Destination::Kind::Relay)) std::abort();
    if (out.log.empty()) std::abort();  // every answer is logged
    size_t sent_lines = 0;
    for (const auto& line : out.log) {  // "<xid> sent size: ..." (a client's text could hold the words too)
      const size_t space = line.find(' ');
      sent_lines += space != std::string::npos && line.compare(space + 1, 11, "sent size: ") == 0;
    }
    if (sent_lines != (cfg.process.log_dhcp ? r.options.size() : 0)) std::abort();
  }
  if (engine.prune_expired(now + std::chrono::hours(24 * 365 * 200)) > 3) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const config::Config quiet = load_fuzz_config(false), logged = load_fuzz_config(true);
  play(quiet, data, size);
  play(logged, data, size);
  return 0;
}
