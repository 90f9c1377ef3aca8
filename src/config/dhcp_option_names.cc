#include "config/dhcp_option_names.h"

#include "base/text.h"

namespace masqd::config {

namespace {

constexpr uint16_t A = kOptAddrList, D = kOptDomainNames, I = kOptInternal, N = kOptName,
                   C = kOptCountedStrings, Dec = kOptDecimal, T = kOptTime;

// Every option dnsmasq 2.90 knows by name, with the encoding it uses for text values.
constexpr DhcpOptionName kV4[] = {
    {"netmask", 1, A},
    {"time-offset", 2, 4},
    {"router", 3, A},
    {"dns-server", 6, A},
    {"log-server", 7, A},
    {"lpr-server", 9, A},
    {"hostname", 12, I | N},
    {"boot-file-size", 13, 2 | Dec},
    {"domain-name", 15, N},
    {"swap-server", 16, A},
    {"root-path", 17, N},
    {"extension-path", 18, N},
    {"ip-forward-enable", 19, 1},
    {"non-local-source-routing", 20, 1},
    {"policy-filter", 21, A},
    {"max-datagram-reassembly", 22, 2 | Dec},
    {"default-ttl", 23, 1 | Dec},
    {"mtu", 26, 2 | Dec},
    {"all-subnets-local", 27, 1},
    {"broadcast", 28, I | A},
    {"router-discovery", 31, 1},
    {"router-solicitation", 32, A},
    {"static-route", 33, A},
    {"trailer-encapsulation", 34, 1},
    {"arp-timeout", 35, 4 | Dec},
    {"ethernet-encap", 36, 1},
    {"tcp-ttl", 37, 1},
    {"tcp-keepalive", 38, 4 | Dec},
    {"nis-domain", 40, N},
    {"nis-server", 41, A},
    {"ntp-server", 42, A},
    {"vendor-encap", 43, I},
    {"netbios-ns", 44, A},
    {"netbios-dd", 45, A},
    {"netbios-nodetype", 46, 1},
    {"netbios-scope", 47, 0},
    {"x-windows-fs", 48, A},
    {"x-windows-dm", 49, A},
    {"requested-address", 50, I | A},
    {"lease-time", 51, I | T},
    {"option-overload", 52, I},
    {"message-type", 53, I | Dec},
    {"server-identifier", 54, I | A},
    {"parameter-request", 55, I},
    {"message", 56, I},
    {"max-message-size", 57, I},
    {"T1", 58, T},
    {"T2", 59, T},
    {"vendor-class", 60, 0},
    {"client-id", 61, I},
    {"nis+-domain", 64, N},
    {"nis+-server", 65, A},
    {"tftp-server", 66, N},
    {"bootfile-name", 67, N},
    {"mobile-ip-home", 68, A},
    {"smtp-server", 69, A},
    {"pop3-server", 70, A},
    {"nntp-server", 71, A},
    {"irc-server", 74, A},
    {"user-class", 77, 0},
    {"rapid-commit", 80, 0},
    {"FQDN", 81, I},
    {"agent-id", 82, I},
    {"client-arch", 93, 2 | Dec},
    {"client-interface-id", 94, 0},
    {"client-machine-id", 97, 0},
    {"posix-timezone", 100, N},
    {"tzdb-timezone", 101, N},
    {"ipv6-only", 108, 4 | Dec},
    {"subnet-select", 118, I},
    {"domain-search", 119, D},
    {"sip-server", 120, 0},
    {"classless-static-route", 121, 0},
    {"vendor-id-encap", 125, 0},
    {"tftp-server-address", 150, A},
    {"server-ip-address", 255, A},  // not sent: sets the BOOTP siaddr field
};

constexpr DhcpOptionName kV6[] = {
    {"client-id", 1, I},
    {"server-id", 2, I},
    {"ia-na", 3, I},
    {"ia-ta", 4, I},
    {"iaaddr", 5, I},
    {"oro", 6, I},
    {"preference", 7, I | Dec},
    {"unicast", 12, I},
    {"status", 13, I},
    {"rapid-commit", 14, I},
    {"user-class", 15, I | C},
    {"vendor-class", 16, I | C},
    {"vendor-opts", 17, I},
    {"sip-server-domain", 21, D},
    {"sip-server", 22, A},
    {"dns-server", 23, A},
    {"domain-search", 24, D},
    {"nis-server", 27, A},
    {"nis+-server", 28, A},
    {"nis-domain", 29, D},
    {"nis+-domain", 30, D},
    {"sntp-server", 31, A},
    {"information-refresh-time", 32, T},
    {"FQDN", 39, I | D},
    {"posix-timezone", 41, N},
    {"tzdb-timezone", 42, N},
    {"ntp-server", 56, 0},  // addresses or names, decided by the value
    {"bootfile-url", 59, N},
    {"bootfile-param", 60, C},
};

}  // namespace

std::span<const DhcpOptionName> dhcp4_option_names() { return kV4; }
std::span<const DhcpOptionName> dhcp6_option_names() { return kV6; }

const DhcpOptionName* find_dhcp_option(bool v6, std::string_view name) {
  for (const auto& e : v6 ? dhcp6_option_names() : dhcp4_option_names())
    if (text::iequals(e.name, name)) return &e;
  return nullptr;
}

const DhcpOptionName* find_dhcp_option(bool v6, int code) {
  for (const auto& e : v6 ? dhcp6_option_names() : dhcp4_option_names())
    if (e.code == code) return &e;
  return nullptr;
}

}  // namespace masqd::config
