// DNS option rows and parsers, called through the option table as the loader calls them.
// Expected values and messages were taken from dnsmasq 2.90's --test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "config/config.h"
#include "config/dns_finalize.h"
#include "config/option_table.h"

namespace masqd::config {
namespace {

using namespace std::chrono_literals;

// Runs option `name` with `value` (nullopt: given without a value) on `config`.
Result<void> run(Config& config, std::string_view name, std::optional<std::string> value) {
  const OptionSpec* spec = find_option(name);
  if (!spec) return make_error("no such option in the table");
  Origin origin;
  ParseContext ctx{config, origin, nullptr};
  OptArg arg(value.value_or(""));
  return spec->parse(ctx, value ? &arg : nullptr);
}

// Parses one value on a fresh Config and returns the message ("OK" on success).
std::string outcome(std::string_view name, std::optional<std::string> value) {
  Config c;
  auto r = run(c, name, std::move(value));
  return r ? "OK" : r.error().message;
}

IpAddr ip(std::string_view s) { return *IpAddr::parse(s); }

// ---- the table itself ----

TEST(DnsOptionTable, EveryDnsOptionHasOneRowWithDnsmasqsShape) {
  struct Row {
    const char* name;
    char short_name;
    ArgShape arg;
    Repeat repeat;
  };
  const Row rows[] = {
      {"port", 'p', ArgShape::Required, Repeat::Once},
      {"listen-address", 'a', ArgShape::Required, Repeat::Many},
      {"interface", 'i', ArgShape::Required, Repeat::Many},
      {"except-interface", 'I', ArgShape::Required, Repeat::Many},
      {"bind-interfaces", 'z', ArgShape::None, Repeat::Many},
      {"local-service", 0, ArgShape::Optional, Repeat::Once},
      {"no-dhcp-interface", '2', ArgShape::Required, Repeat::Many},
      {"server", 'S', ArgShape::Required, Repeat::Many},
      {"resolv-file", 'r', ArgShape::Optional, Repeat::Many},
      {"dns-forward-max", '0', ArgShape::Required, Repeat::Once},
      {"edns-packet-max", 'P', ArgShape::Required, Repeat::Once},
      {"fast-dns-retry", 0, ArgShape::Optional, Repeat::Once},
      {"add-subnet", 0, ArgShape::Optional, Repeat::Once},
      {"cache-size", 'c', ArgShape::Optional, Repeat::Once},
      {"use-stale-cache", 0, ArgShape::Optional, Repeat::Once},
      {"domain", 's', ArgShape::Required, Repeat::Many},
      {"mx-target", 't', ArgShape::Required, Repeat::Once},
      {"alias", 'V', ArgShape::Required, Repeat::Many},
      {"dnssec-check-unsigned", 0, ArgShape::Optional, Repeat::Many},
      {"enable-dbus", '1', ArgShape::Optional, Repeat::Once},
      {"auth-server", 0, ArgShape::Required, Repeat::Once},
  };
  for (const auto& row : rows) {
    const OptionSpec* spec = find_option(row.name);
    ASSERT_NE(spec, nullptr) << row.name;
    EXPECT_EQ(spec->short_name, row.short_name) << row.name;
    EXPECT_EQ(spec->arg, row.arg) << row.name;
    EXPECT_EQ(spec->repeat, row.repeat) << row.name;
    EXPECT_FALSE(spec->help.empty()) << row.name;
    EXPECT_NE(spec->parse, nullptr) << row.name;
  }
  const auto* suffix = find_option("domain-suffix");
  ASSERT_NE(suffix, nullptr);
  EXPECT_EQ(suffix->alias_of, "domain");
  EXPECT_EQ(dns_area().options.size(), 106u);
  for (const char* name : {"do-0x20-encode", "no-0x20-encode"}) {
    ASSERT_NE(find_option(name), nullptr);
    EXPECT_NE(find_option(name)->help.find("(dnsmasq 2.93)"), std::string_view::npos);
  }
  EXPECT_EQ(find_option("server")->support, Support::Built);
  EXPECT_EQ(find_option("address")->support, Support::Built);
  EXPECT_EQ(find_option("hostsdir")->support, Support::Built);
  EXPECT_EQ(find_option("synth-domain")->support, Support::Built);
  EXPECT_EQ(find_option("dynamic-host")->support, Support::Built);
  EXPECT_EQ(find_option("localise-queries")->support, Support::Built);
  EXPECT_EQ(find_option("dns-loop-detect")->support, Support::Built);
  EXPECT_EQ(find_option("port-limit")->support, Support::NotYet);
}

// ---- rejections: (option, value, dnsmasq's message; "" = plain "error") ----

struct Case {
  const char* option;
  const char* value;
  const char* expected;
};

class DnsRejects : public testing::TestWithParam<Case> {};

TEST_P(DnsRejects, WithDnsmasqsMessage) {
  const Case& c = GetParam();
  EXPECT_EQ(outcome(c.option, std::string(c.value)), c.expected) << c.option << "=" << c.value;
}

INSTANTIATE_TEST_SUITE_P(
    Dnsmasq290, DnsRejects,
    testing::Values(
        Case{"port", "65536", ""}, Case{"port", "-1", ""}, Case{"port", "99999999999", ""},
        Case{"port", "2147483648", ""}, Case{"port", "1x", ""}, Case{"port", "+5", ""},
        Case{"port", "5,6", ""}, Case{"port", " 5", ""},
        Case{"listen-address", "", ""}, Case{"listen-address", "1.2.3", ""},
        Case{"listen-address", "127.0.0.1,", ""}, Case{"listen-address", "fe80::1%lo", ""},
        Case{"listen-address", "127.0.0.1/8", ""}, Case{"listen-address", "localhost", ""},
        Case{"listen-address", "1.2.3.04", ""}, Case{"listen-address", "127.0.0.1\t,::1", ""},
        Case{"local-service", "NET", ""}, Case{"local-service", "", ""},
        Case{"server", "1.2.3.4#65536", "bad port"}, Case{"server", "1.2.3.4#abc", "bad port"},
        Case{"server", "1.2.3.4#-1", "bad port"}, Case{"server", "1.2.3.4#53#54", "bad port"},
        Case{"server", "1.2.3.4@10.0.0.1#99999", "bad port"},
        Case{"server", "fe80::1%nosuch0", "bad interface name"},
        Case{"server", "1.2.3.4@10.0.0.1@eth0", "interface can only be specified once"},
        Case{"server", "1.2.3.4@eth0@", "interface can only be specified once"},
        Case{"server", "1.2.3.4@::1", "cannot use IPv4 server address with IPv6 source address"},
        Case{"server", "::1@127.0.0.1", "cannot use IPv6 server address with IPv4 source address"},
        Case{"server", "/a.test/#53", "Name or service not known"},
        Case{"server", "/a.test/#,1.2.3.4", "bad port"},
        Case{"server", "nosuch.invalid#99999", "bad port"},
        Case{"server", "[::1]", "Name or service not known"},
        Case{"server", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/1.2.3.4", ""},
        Case{"local", "/a.test/1.2.3.4#0x35", "bad port"},
        Case{"rev-server", "", ""}, Case{"rev-server", "abc/8", ""},
        Case{"rev-server", "10.0.0.0/33", "bad IPv4 prefix length"},
        Case{"rev-server", "10.0.0.0/0", "bad IPv4 prefix length"},
        Case{"rev-server", "10.0.0.0/", "bad IPv4 prefix length"},
        Case{"rev-server", "fd00::/129", "bad IPv6 prefix length"},
        Case{"rev-server", "10.0.0.0/8,", "Name or service not known"},
        Case{"rev-server", "10.0.0.0/8,1.2.3.4#99999", "bad port"},
        Case{"dns-forward-max", "-1", ""}, Case{"edns-packet-max", "1x", ""},
        Case{"query-port", "65536", ""}, Case{"min-port", "4294967295", ""},
        Case{"max-port", "-1", ""}, Case{"port-limit", "0", ""}, Case{"port-limit", "", ""},
        Case{"max-tcp-connections", "2147483648", ""},
        Case{"fast-dns-retry", "49", ""}, Case{"fast-dns-retry", "1000,2000,3", ""},
        Case{"cache-size", "-1", ""}, Case{"cache-size", "1h", ""},
        Case{"neg-ttl", "-1", ""}, Case{"local-ttl", "1x", ""}, Case{"max-ttl", "1h", ""},
        Case{"min-cache-ttl", "x", ""}, Case{"max-cache-ttl", "-5", ""},
        Case{"use-stale-cache", "4294967295", ""},
        Case{"domain", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""},
        Case{"domain", "lan,192.168.0.0/33", "bad prefix length"},
        Case{"domain", "lan,fd00::/129", "bad prefix length"},
        Case{"domain", "lan,192.168.0.0/24,foo", ""}, Case{"domain", "lan,192.168.0.0/x", ""},
        Case{"domain", "lan,192.168.0.1,fd00::1", ""}, Case{"domain", "lan,192.168.0.1,", ""},
        Case{"domain", "lan,192.168.0.1,local", ""}, Case{"domain", "lan,192.168.0.0/24,local,", ""},
        Case{"address", "/a.test/1.2.3.4#53", "Bad address in --address"},
        Case{"address", "/a.test/localhost", "Bad address in --address"},
        Case{"address", "/a.test", "Bad address in --address"},
        Case{"address", "/a.test/fe80::1%lo", "Bad address in --address"},
        Case{"host-record", "a.test", "Bad host-record"},
        Case{"host-record", "1.2.3.4", "Bad host-record"},
        Case{"host-record", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1.2.3.4",
             "Bad name in host-record"},
        Case{"cname", "a", "bad CNAME"},
        Case{"cname", "a,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad CNAME"},
        Case{"mx-host", "a,b,x", "bad MX preference"}, Case{"mx-host", "a,b,65536", "bad MX preference"},
        Case{"mx-host", "a,b,5,6", "bad MX preference"},
        Case{"mx-host", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad MX name"},
        Case{"mx-target", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad MX target"},
        Case{"srv-host", "_a._tcp,t,x", "invalid port number"},
        Case{"srv-host", "_a._tcp,t,1,65536", "invalid priority"},
        Case{"srv-host", "_a._tcp,t,389,1,2,3", "invalid weight"},
        Case{"srv-host", "a,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad SRV target"},
        Case{"txt-record", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,x", "bad TXT record"},
        Case{"ptr-record", "a,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad PTR record"},
        Case{"bogus-nxdomain", "", ""}, Case{"bogus-nxdomain", "1.2.3.4/33", ""},
        Case{"bogus-nxdomain", "1.2.3.4/x", ""}, Case{"bogus-nxdomain", "1.2.3.4,5.6.7.8", ""},
        Case{"filter-rr", "FOO", "bad RR type"}, Case{"filter-rr", "TYPE65280", "bad RR type"},
        Case{"ipset", "/a.test/", ""}, Case{"ipset", "", ""}, Case{"nftset", "/a.test/", ""},
        Case{"trust-anchor", "example.com", "bad trust anchor"},
        Case{"trust-anchor", ".,in,20326,8,2,ab", "bad trust anchor"},
        Case{"trust-anchor", ".,20326,256,2,ab", "bad trust anchor"},
        Case{"trust-anchor", ".,20326,8,2", "bad trust anchor"},
        Case{"trust-anchor", ".,20326,8,2,zz", "bad HEX in trust anchor"},
        Case{"dnssec-check-unsigned", "yes", "bad value for dnssec-check-unsigned"},
        Case{"dnssec-limits", "1,x", ""},
        Case{"alias", "1.2.3.4", "missing address in alias"},
        Case{"alias", "1.2.3.4-1.2.3.9,5.6.7.8", "invalid alias range"},
        Case{"dynamic-host", "a,lo", "missing address in dynamic host"},
        Case{"interface-name", "a", "bad interface name"}, Case{"interface-name", "a,lo/5", ""},
        Case{"synth-domain", "a.test,fd00::1,fd00::9,p*", "prefix length too small"},
        Case{"naptr-record", "a,1,2,s,sip", "bad NAPTR record"},
        Case{"caa-record", "a,0,issue", "bad CAA record"}, Case{"dns-rr", "a,x", "bad RR record"},
        Case{"dns-rr", "a,1,0x01", "could not get memory"},
        Case{"auth-zone", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "invalid auth-zone"},
        Case{"auth-peer", "1.2.3.4/24", ""}, Case{"auth-server", "ns.test,127.0.0.1/8", ""},
        Case{"connmark-allowlist-enable", "0x10", ""}, Case{"connmark-allowlist", "1,a.local", ""},
        Case{"add-mac", "BASE64", ""}, Case{"umbrella", "orgid:99999999999", ""}));

// ---- accepted values and what they store ----

TEST(DnsParsers, PortUsesDnsmasqsAtoi) {
  Config c;
  ASSERT_TRUE(run(c, "port", "5353"));
  EXPECT_EQ(c.dns.port, 5353);
  ASSERT_TRUE(run(c, "port", "4294967296"));  // wraps to 0 in C, as dnsmasq accepts it
  EXPECT_EQ(c.dns.port, 0);
  ASSERT_TRUE(run(c, "port", "007"));
  EXPECT_EQ(c.dns.port, 7);
  ASSERT_TRUE(run(c, "port", ""));
  EXPECT_EQ(c.dns.port, 0);
  EXPECT_FALSE(run(c, "port", std::nullopt));
}

TEST(DnsParsers, ListenAddressesAndInterfacesAccumulate) {
  Config c;
  ASSERT_TRUE(run(c, "listen-address", "127.0.0.1 , ::1"));
  ASSERT_TRUE(run(c, "listen-address", "::ffff:1.2.3.4"));
  ASSERT_EQ(c.dns.listen_addresses.size(), 3u);
  EXPECT_EQ(c.dns.listen_addresses[1], ip("::1"));
  ASSERT_TRUE(run(c, "interface", "eth0,eth*"));
  ASSERT_TRUE(run(c, "interface", ""));
  EXPECT_EQ(c.dns.interfaces, (std::vector<std::string>{"eth0", "eth*", ""}));
  ASSERT_TRUE(run(c, "except-interface", "wlan0"));
  EXPECT_EQ(c.dns.except_interfaces, std::vector<std::string>{"wlan0"});
}

TEST(DnsParsers, ServerPlainAndWithPortSourceInterface) {
  Config c;
  ASSERT_TRUE(run(c, "server", "1.2.3.4"));
  ASSERT_TRUE(run(c, "server", "1.2.3.4#5353@eth0@10.0.0.1#5000"));
  ASSERT_TRUE(run(c, "server", "fe80::1%lo#53"));
  ASSERT_TRUE(run(c, "server", "1.2.3.4@10.0.0.1"));
  ASSERT_TRUE(run(c, "server", "1.2.3.4@eth1"));
  ASSERT_EQ(c.dns.servers.size(), 5u);
  const auto& plain = c.dns.servers[0];
  EXPECT_EQ(plain.kind, ServerSpec::Kind::Upstream);
  EXPECT_TRUE(plain.domains.empty());
  EXPECT_EQ(plain.addr, ip("1.2.3.4"));
  EXPECT_EQ(plain.port, 53);
  const auto& full = c.dns.servers[1];
  EXPECT_EQ(full.port, 5353);
  EXPECT_EQ(full.interface, "eth0");
  EXPECT_EQ(full.source_addr, ip("10.0.0.1"));
  EXPECT_EQ(full.source_port, 5000);
  EXPECT_EQ(c.dns.servers[2].addr, ip("fe80::1"));
  EXPECT_EQ(c.dns.servers[2].scope_interface, "lo");
  EXPECT_EQ(c.dns.servers[3].source_addr, ip("10.0.0.1"));
  EXPECT_TRUE(c.dns.servers[3].interface.empty());
  EXPECT_FALSE(c.dns.servers[4].source_addr);
  EXPECT_EQ(c.dns.servers[4].interface, "eth1");
}

TEST(DnsParsers, ServerDomainForms) {
  Config c;
  ASSERT_TRUE(run(c, "server", "/Corp.Test/.b.test/1.2.3.4#5401"));
  ASSERT_TRUE(run(c, "server", "/www.corp.test/#"));
  ASSERT_TRUE(run(c, "server", "//1.2.3.4"));
  ASSERT_TRUE(run(c, "server", "/#/1.2.3.4"));
  ASSERT_TRUE(run(c, "server", "/*wild.test/1.2.3.4"));
  ASSERT_TRUE(run(c, "server", "/a.test/ 1.2.3.4"));
  ASSERT_TRUE(run(c, "local", "/local.test/"));
  ASSERT_TRUE(run(c, "server", "/"));
  const auto& s = c.dns.servers;
  ASSERT_EQ(s.size(), 8u);
  ASSERT_EQ(s[0].domains.size(), 2u);
  EXPECT_EQ(s[0].domains[0].name, "corp.test");
  EXPECT_EQ(s[0].domains[1].name, "b.test");
  EXPECT_EQ(s[0].port, 5401);
  EXPECT_EQ(s[1].kind, ServerSpec::Kind::UseDefault);
  EXPECT_EQ(s[2].domains[0].kind, DomainPattern::Kind::Unqualified);
  EXPECT_EQ(s[3].domains[0].kind, DomainPattern::Kind::Any);
  EXPECT_TRUE(s[4].domains[0].wildcard);
  EXPECT_EQ(s[4].domains[0].name, "wild.test");
  EXPECT_EQ(s[5].addr, ip("1.2.3.4"));
  EXPECT_EQ(s[6].kind, ServerSpec::Kind::Local);
  EXPECT_EQ(s[6].from, ServerSpec::Source::Local);
  EXPECT_EQ(s[7].kind, ServerSpec::Kind::Local);
  EXPECT_TRUE(s[7].domains.empty());
}

TEST(DnsParsers, ServerEmptyPortIsZeroAndHostNamesResolve) {
  Config c;
  ASSERT_TRUE(run(c, "server", "1.2.3.4#"));
  EXPECT_EQ(c.dns.servers[0].port, 0);
  ASSERT_TRUE(run(c, "server", "localhost#54"));  // from /etc/hosts, no network
  ASSERT_GE(c.dns.servers.size(), 2u);
  EXPECT_EQ(c.dns.servers[1].hostname, "localhost");
  EXPECT_EQ(c.dns.servers[1].port, 54);
}

TEST(DnsParsers, RevServerMakesReverseZones) {
  Config c;
  ASSERT_TRUE(run(c, "rev-server", "10.1.2.3/8,1.2.3.4#5401"));
  ASSERT_TRUE(run(c, "rev-server", "192.168.0.0/23"));
  ASSERT_TRUE(run(c, "rev-server", "fd00::/10,#"));
  ASSERT_TRUE(run(c, "rev-server", "10.0.0.0/x"));  // junk length ignored: /32
  const auto& s = c.dns.servers;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].from, ServerSpec::Source::RevServer);
  ASSERT_EQ(s[0].domains.size(), 1u);
  EXPECT_EQ(s[0].domains[0].name, "10.in-addr.arpa");
  EXPECT_EQ(s[0].port, 5401);
  EXPECT_EQ(s[1].kind, ServerSpec::Kind::Local);
  ASSERT_EQ(s[1].domains.size(), 2u);
  EXPECT_EQ(s[1].domains[0].name, "0.168.192.in-addr.arpa");
  EXPECT_EQ(s[1].domains[1].name, "1.168.192.in-addr.arpa");
  EXPECT_EQ(s[2].kind, ServerSpec::Kind::UseDefault);
  ASSERT_EQ(s[2].domains.size(), 4u);
  EXPECT_EQ(s[2].domains[0].name, "0.d.f.ip6.arpa");
  EXPECT_EQ(s[2].domains[3].name, "3.d.f.ip6.arpa");
  EXPECT_EQ(s[3].rev_prefix->length, 32);
}

TEST(DnsParsers, ResolvFilesAndFlags) {
  Config c;
  ASSERT_TRUE(run(c, "resolv-file", "/a"));
  ASSERT_TRUE(run(c, "resolv-file", ""));
  ASSERT_TRUE(run(c, "resolv-file", std::nullopt));
  EXPECT_TRUE(c.dns.resolv_files_given);
  EXPECT_EQ(c.dns.resolv_files, std::vector<std::string>{"/a"});
  for (const char* flag : {"no-resolv", "no-hosts", "bind-interfaces", "domain-needed", "bogus-priv",
                           "strict-order", "all-servers", "no-negcache", "expand-hosts",
                           "stop-dns-rebind", "dnssec", "filter-AAAA"})
    ASSERT_TRUE(run(c, flag, std::nullopt)) << flag;
  EXPECT_TRUE(c.dns.no_resolv && c.dns.no_hosts && c.dns.bind_interfaces && c.dns.domain_needed &&
              c.dns.bogus_priv && c.dns.strict_order && c.dns.all_servers && c.dns.no_negcache &&
              c.dns.expand_hosts && c.dns.stop_dns_rebind && c.dns.dnssec && c.dns.filter_aaaa);
  ASSERT_TRUE(run(c, "local-service", std::nullopt));
  EXPECT_EQ(c.dns.local_service, DnsConfig::LocalService::Net);
  ASSERT_TRUE(run(c, "local-service", "host"));
  EXPECT_EQ(c.dns.local_service, DnsConfig::LocalService::Host);
}

TEST(DnsParsers, CacheSizeClampsAndTtls) {
  Config c;
  EXPECT_FALSE(run(c, "cache-size", std::nullopt));
  ASSERT_TRUE(run(c, "cache-size", "20000"));
  EXPECT_EQ(c.dns.cache_size, 20000);
  EXPECT_TRUE(c.dns.cache_size_warn);
  ASSERT_TRUE(run(c, "cache-size", "99999999"));
  EXPECT_EQ(c.dns.cache_size, 5000000);
  ASSERT_TRUE(run(c, "cache-size", "2147483648"));  // a negative C int: becomes 0
  EXPECT_EQ(c.dns.cache_size, 0);
  ASSERT_TRUE(run(c, "neg-ttl", "20"));
  EXPECT_EQ(c.dns.neg_ttl, 20s);
  ASSERT_TRUE(run(c, "min-cache-ttl", "7200"));
  EXPECT_EQ(c.dns.min_cache_ttl, 3600s);
  ASSERT_TRUE(run(c, "max-ttl", "50"));
  EXPECT_EQ(c.dns.max_ttl, 50s);
  ASSERT_TRUE(run(c, "max-cache-ttl", "4294967296"));
  EXPECT_EQ(c.dns.max_cache_ttl, 0s);
  ASSERT_TRUE(run(c, "local-ttl", "7"));
  EXPECT_EQ(c.dns.local_ttl, 7s);
  ASSERT_TRUE(run(c, "use-stale-cache", std::nullopt));
  EXPECT_EQ(c.dns.use_stale_cache, 86400s);
}

TEST(DnsParsers, ForwardingNumbers) {
  Config c;
  ASSERT_TRUE(run(c, "dns-forward-max", "99999999999"));
  EXPECT_EQ(c.dns.dns_forward_max, 1215752191);
  ASSERT_TRUE(run(c, "edns-packet-max", "65536"));
  EXPECT_EQ(c.dns.edns_packet_max, 0);
  ASSERT_TRUE(run(c, "query-port", "0"));
  EXPECT_EQ(c.dns.query_port, 0);
  ASSERT_TRUE(run(c, "min-port", "2000"));
  ASSERT_TRUE(run(c, "max-port", "3000"));
  EXPECT_EQ(c.dns.min_port, 2000);
  EXPECT_EQ(c.dns.max_port, 3000);
  ASSERT_TRUE(run(c, "fast-dns-retry", "500,4000"));
  EXPECT_EQ(c.dns.fast_dns_retry, std::chrono::milliseconds(500));
  EXPECT_EQ(c.dns.fast_dns_retry_total, std::chrono::milliseconds(4000));
}

TEST(DnsParsers, DomainForms) {
  Config c;
  ASSERT_TRUE(run(c, "domain", "lan"));
  ASSERT_TRUE(run(c, "domain", "x.test,192.168.0.0/24,local"));
  ASSERT_TRUE(run(c, "domain", "y.test,192.168.1.1,192.168.1.100,anything"));
  ASSERT_TRUE(run(c, "domain", "z.test,eth0,local"));
  ASSERT_TRUE(run(c, "domain-suffix", "w.test,fd00::/64"));
  const auto& d = c.dns.domains;
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].scope, DomainRule::Scope::Everywhere);
  EXPECT_EQ(d[1].scope, DomainRule::Scope::Prefix);
  EXPECT_EQ(d[1].prefix, (IpPrefix{ip("192.168.0.0"), 24}));
  EXPECT_TRUE(d[1].local);
  EXPECT_EQ(d[2].scope, DomainRule::Scope::Range);
  EXPECT_EQ(d[2].end, ip("192.168.1.100"));
  EXPECT_FALSE(d[2].local);
  EXPECT_EQ(d[3].scope, DomainRule::Scope::Interface);
  EXPECT_EQ(d[3].interface, "eth0");
  EXPECT_EQ(d[4].prefix.length, 64);
}

TEST(DnsParsers, AddressForms) {
  Config c;
  ASSERT_TRUE(run(c, "address", "/a.test/b.test/10.10.10.10"));
  ASSERT_TRUE(run(c, "address", "/v6.test/fd00::1"));
  ASSERT_TRUE(run(c, "address", "/zero.test/#"));
  ASSERT_TRUE(run(c, "address", "/nx.test/"));
  ASSERT_TRUE(run(c, "address", "/#/9.9.9.9"));
  const auto& a = c.dns.addresses;
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].domains.size(), 2u);
  EXPECT_EQ(a[0].addr, ip("10.10.10.10"));
  EXPECT_EQ(a[1].addr, ip("fd00::1"));
  EXPECT_EQ(a[2].kind, AddressRule::Kind::AllZeros);
  EXPECT_EQ(a[3].kind, AddressRule::Kind::NoAnswer);
  EXPECT_EQ(a[4].domains[0].kind, DomainPattern::Kind::Any);
}

TEST(DnsParsers, LocalRecords) {
  Config c;
  ASSERT_TRUE(run(c, "host-record", "hr.lan,hr2.lan,192.0.2.7,fd00::77,300"));
  const auto& hr = c.dns.host_records.at(0);
  EXPECT_EQ(hr.names, (std::vector<std::string>{"hr.lan", "hr2.lan"}));
  EXPECT_EQ(hr.addrs, (std::vector<IpAddr>{ip("192.0.2.7"), ip("fd00::77")}));
  EXPECT_EQ(hr.ttl, 300u);
  // One address per family, the last given (as dnsmasq 2.90).
  ASSERT_TRUE(run(c, "host-record", "two.lan,192.0.2.80,fd00::1,203.0.113.80,fd00::2"));
  EXPECT_EQ(c.dns.host_records.at(1).addrs, (std::vector<IpAddr>{ip("203.0.113.80"), ip("fd00::2")}));

  ASSERT_TRUE(run(c, "cname", "a.test,b.test,target.test,60"));
  ASSERT_EQ(c.dns.cnames.size(), 2u);
  EXPECT_EQ(c.dns.cnames[1].alias, "b.test");
  EXPECT_EQ(c.dns.cnames[1].target, "target.test");
  EXPECT_EQ(c.dns.cnames[1].ttl, 60u);
  EXPECT_EQ(outcome("cname", "a,b"), "OK");
  EXPECT_EQ(run(c, "cname", "A.TEST,c").error().message, "duplicate CNAME");

  ASSERT_TRUE(run(c, "mx-host", "lan,mail.lan,5"));
  ASSERT_TRUE(run(c, "mx-host", "lan2,7"));
  EXPECT_EQ(c.dns.mx_records[0].target, "mail.lan");
  EXPECT_EQ(c.dns.mx_records[0].preference, 5);
  EXPECT_TRUE(c.dns.mx_records[1].target.empty());
  EXPECT_EQ(c.dns.mx_records[1].preference, 7);

  ASSERT_TRUE(run(c, "srv-host", "_ldap._tcp.lan,ldapserver.lan,389,1,2"));
  const auto& srv = c.dns.srv_records.at(0);
  EXPECT_EQ(srv.target, "ldapserver.lan");
  EXPECT_EQ(srv.port, 389);
  EXPECT_EQ(srv.priority, 1);
  EXPECT_EQ(srv.weight, 2);

  // From a config file: "hello, world" was quoted, so its comma does not split.
  std::string text = "txt.lan,hello, world,second";
  std::vector<bool> quoted(text.size(), false);
  for (size_t i = 8; i < 20; ++i) quoted[i] = true;
  OptArg arg(text, quoted);
  Origin origin;
  ParseContext ctx{c, origin, nullptr};
  ASSERT_TRUE(find_option("txt-record")->parse(ctx, &arg));
  EXPECT_EQ(c.dns.txt_records.at(0).strings, (std::vector<std::string>{"hello, world", "second"}));

  ASSERT_TRUE(run(c, "ptr-record", "4.3.2.1.in-addr.arpa,host.lan"));
  EXPECT_EQ(c.dns.ptr_records.at(0).target, "host.lan");
}

TEST(DnsParsers, FiltersAndIntegrations) {
  Config c;
  ASSERT_TRUE(run(c, "bogus-nxdomain", "64.94.110.11"));
  ASSERT_TRUE(run(c, "bogus-nxdomain", "fd00::/8"));
  EXPECT_EQ(c.dns.bogus_nxdomain[0], (IpPrefix{ip("64.94.110.11"), 32}));
  EXPECT_EQ(c.dns.bogus_nxdomain[1].length, 8);
  ASSERT_TRUE(run(c, "rebind-domain-ok", "/okpriv.test/Other.test/"));
  ASSERT_TRUE(run(c, "rebind-domain-ok", ""));
  ASSERT_EQ(c.dns.rebind_domain_ok.size(), 3u);
  EXPECT_EQ(c.dns.rebind_domain_ok[1].name, "other.test");
  EXPECT_EQ(c.dns.rebind_domain_ok[2].kind, DomainPattern::Kind::Unqualified);
  ASSERT_TRUE(run(c, "filter-rr", "TXT,aaaa,65280"));
  EXPECT_EQ(c.dns.filter_rr, (std::vector<uint16_t>{16, 28, 65280}));
  ASSERT_TRUE(run(c, "ipset", "/a.test/b.test/set4,set6"));
  EXPECT_EQ(c.dns.ipsets.at(0).sets, (std::vector<std::string>{"set4", "set6"}));
  ASSERT_TRUE(run(c, "nftset", "/a.test/4#inet#t#s"));
  EXPECT_EQ(c.dns.nftsets.at(0).sets, std::vector<std::string>{"4#inet#t#s"});
  ASSERT_TRUE(run(c, "enable-dbus", std::nullopt));
  EXPECT_EQ(c.dns.dbus_service, "");
}

TEST(DnsParsers, Dnssec) {
  Config c;
  ASSERT_TRUE(run(c, "trust-anchor", ".,20326,8,2,E06D44B8"));
  ASSERT_TRUE(run(c, "trust-anchor", "example.test,CH,1,13,2,01:02"));
  const auto& ta = c.dns.trust_anchors;
  ASSERT_EQ(ta.size(), 2u);
  EXPECT_EQ(ta[0].domain, "");
  EXPECT_EQ(ta[0].key_tag, 20326);
  EXPECT_EQ(ta[0].algorithm, 8);
  EXPECT_EQ(ta[0].digest, (std::vector<uint8_t>{0xe0, 0x6d, 0x44, 0xb8}));
  EXPECT_EQ(ta[1].dns_class, 3);
  EXPECT_EQ(ta[1].digest, (std::vector<uint8_t>{1, 2}));
  ASSERT_TRUE(run(c, "dnssec-check-unsigned", "no"));
  EXPECT_FALSE(c.dns.dnssec_check_unsigned);
  ASSERT_TRUE(run(c, "dnssec-limits", "1,0,3"));
  EXPECT_EQ(c.dns.dnssec_limits[0], 1);
  EXPECT_EQ(c.dns.dnssec_limits[1], 200);
  EXPECT_EQ(c.dns.dnssec_limits[2], 3);
}

// ---- finalize_dns ----

TEST(DnsFinalize, LocalServiceOffWithExplicitListening) {
  Config c;
  ASSERT_TRUE(run(c, "local-service", std::nullopt));
  ASSERT_TRUE(finalize_dns(c));
  EXPECT_EQ(c.dns.local_service, DnsConfig::LocalService::Net);
  ASSERT_TRUE(run(c, "listen-address", "127.0.0.1"));
  ASSERT_TRUE(finalize_dns(c));
  EXPECT_EQ(c.dns.local_service, DnsConfig::LocalService::Off);
}

TEST(DnsFinalize, CnameLoopNamesTheNewestAliasThatLoops) {
  Config c;
  for (const char* v : {"c,a", "a,b", "b,c", "x,a"}) ASSERT_TRUE(run(c, "cname", v));
  auto r = finalize_dns(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "CNAME loop involving x");
  Config ok_chain;
  for (const char* v : {"a,b", "b,c"}) ASSERT_TRUE(run(ok_chain, "cname", v));
  EXPECT_TRUE(finalize_dns(ok_chain));
}

TEST(DnsFinalize, NoPollAllowsOneResolvFile) {
  Config c;
  ASSERT_TRUE(run(c, "resolv-file", "/a"));
  ASSERT_TRUE(run(c, "resolv-file", "/b"));
  ASSERT_TRUE(run(c, "no-poll", std::nullopt));
  auto r = finalize_dns(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "only one resolv.conf file allowed in no-poll mode.");
  ASSERT_TRUE(run(c, "no-resolv", std::nullopt));
  EXPECT_TRUE(finalize_dns(c));
}

TEST(DnsFinalize, DomainHashReadsSearchLine) {
  char path[] = "/tmp/masqd_dns_resolv_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "nameserver 127.0.0.1\n  search   home.test other.test\n";
  }
  Config c;
  ASSERT_TRUE(run(c, "resolv-file", path));
  ASSERT_TRUE(run(c, "domain", "#"));
  ASSERT_TRUE(finalize_dns(c));
  EXPECT_EQ(c.dns.domains.at(0).domain, "home.test");

  {
    std::ofstream out(path);
    out << "nameserver 127.0.0.1\n";
  }
  Config no_search;
  ASSERT_TRUE(run(no_search, "resolv-file", path));
  ASSERT_TRUE(run(no_search, "domain", "#"));
  auto r = finalize_dns(no_search);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, std::string("no search directive found in ") + path);
  EXPECT_EQ(r.error().code, 5);
  std::remove(path);

  Config two;
  ASSERT_TRUE(run(two, "resolv-file", "/a"));
  ASSERT_TRUE(run(two, "resolv-file", "/b"));
  ASSERT_TRUE(run(two, "domain", "#"));
  EXPECT_EQ(finalize_dns(two).error().message, "must have exactly one resolv.conf to read domain from.");
}

}  // namespace
}  // namespace masqd::config
