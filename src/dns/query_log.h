// The --log-queries lines, in dnsmasq's wording ("query[A] name from 1.2.3.4",
// "forwarded name to 1.2.3.4#5300", "reply name is 1.2.3.4", "config name is NXDOMAIN").
// Formatting only; where lines go is the caller's LogSink.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/ip.h"
#include "net/socket_addr.h"
#include "proto/dns_wire.h"

namespace masqd::dns {

// Receives one log line (no prefix, no newline).
using LogSink = std::function<void(std::string_view line)>;

// dnsmasq's name for a query type: "A", "HTTPS", ... or "type=999".
std::string query_type_text(uint16_t qtype);

std::string format_query(const proto::dns::Question& q, const IpAddr& from);
// "forwarded <name> to <ip>" (with "#port" unless the port is 53).
std::string format_forwarded(const proto::dns::Name& name, const net::SocketAddr& server);
// "config <name> is NXDOMAIN", "config error is REFUSED (EDE: not ready)".
std::string format_config(std::string_view name, uint8_t rcode, std::optional<uint16_t> ede);
// Emits the "reply ..." lines for a forwarded answer.
void log_reply(proto::dns::Bytes reply, const proto::dns::Question& q, const LogSink& sink);

std::string rcode_text(uint8_t rcode);

}  // namespace masqd::dns
