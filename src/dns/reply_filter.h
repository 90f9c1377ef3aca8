// What dnsmasq does to an upstream reply before a client sees it: --alias rewrites IPv4
// answers, --ignore-address drops the reply (the query waits for another), --bogus-nxdomain
// turns it into NXDOMAIN, --stop-dns-rebind blocks private addresses (except under
// --rebind-domain-ok domains; 127/8 and ::1 allowed with --rebind-localhost-ok), and
// --filter-A/--filter-AAAA/--filter-rr make answers of those types NODATA. Pure: the
// caller supplies the buffer a changed reply is written to.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/ip.h"
#include "config/dns_config.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

struct ReplyFilters {
  std::vector<uint16_t> strip_types;  // --filter-A (A), --filter-AAAA (AAAA), --filter-rr
  std::vector<IpPrefix> bogus_nxdomain;
  std::vector<IpPrefix> ignore;
  bool stop_rebind = false;
  bool rebind_localhost_ok = false;
  std::vector<config::DomainPattern> rebind_ok;
  std::vector<config::AddressAlias> aliases;

  static ReplyFilters from(const config::DnsConfig& dns);
  bool active() const {
    return !strip_types.empty() || !bogus_nxdomain.empty() || !ignore.empty() || stop_rebind ||
           !aliases.empty();
  }
};

struct FilterOutcome {
  enum class Verdict : uint8_t {
    Pass,      // deliver the reply as it came
    Ignore,    // --ignore-address: drop it and keep waiting for another reply
    Replaced,  // deliver `out[0, len)` instead
  };
  Verdict verdict = Verdict::Pass;
  size_t len = 0;
  bool log_reply = true;                // also log the usual "reply ..." lines (of the result)
  std::vector<std::string> log_lines;   // --log-queries lines ("config x is NXDOMAIN")
  std::string warning;                  // logged always ("possible DNS-rebind attack ...")
};

// `reply` passed check_reply for `q`. `out` must hold at least reply.size() bytes.
FilterOutcome filter_reply(proto::dns::Bytes reply, const proto::dns::Question& q,
                           const ReplyFilters& f, std::span<uint8_t> out);

}  // namespace masqd::dns
