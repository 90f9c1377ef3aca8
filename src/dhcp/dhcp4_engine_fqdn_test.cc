// The client FQDN option (81, RFC 4702) and --dhcp-client-update: decoding (the codec's
// fqdn_name_text and the engine's parse_fqdn_name), the reply's flags and name, and how
// option 81 meets option 12, --domain, --dhcp-ignore-names and --dhcp-generate-names. Each
// expectation was seen with dnsmasq 2.90 first (tests/compat/test_dhcp_fqdn_compat.py
// compares them live).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/test_config.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace masqd::dhcp {
namespace {

namespace d4 = proto::dhcp4;
using V = std::vector<uint8_t>;
const std::chrono::sys_seconds kNow{std::chrono::seconds{1'800'000'000}};
using testing::ip;

V bytes(std::string_view s) { return V(s.begin(), s.end()); }

struct Req {
  d4::MessageType type = d4::MessageType::Request;
  uint8_t last = 1;
  IpAddr requested = ip("192.0.2.120");
  std::optional<V> fqdn;      // option 81 value as sent
  std::string hostname;       // option 12
  V prl = {1, 3, 12, 42};
  IpAddr ciaddr = ip("0.0.0.0");

  d4::Dhcp4Packet parse() const {
    d4::Header h = testing::client_header(0x81, last);
    h.ciaddr = ciaddr;
    auto a = [](uint8_t code, const IpAddr& x) {
      return d4::Option{code, {x.bytes()[0], x.bytes()[1], x.bytes()[2], x.bytes()[3]}};
    };
    std::vector<d4::Option> o{{d4::opt::MessageType, {static_cast<uint8_t>(type)}},
                              {d4::opt::ParameterRequestList, prl}};
    if (type != d4::MessageType::Inform) o.push_back(a(d4::opt::RequestedAddress, requested));
    if (type == d4::MessageType::Request) o.push_back(a(d4::opt::ServerId, ip("192.0.2.1")));
    if (!hostname.empty()) o.push_back({d4::opt::Hostname, bytes(hostname)});
    if (fqdn) o.push_back({d4::opt::ClientFqdn, *fqdn});
    auto p = d4::Dhcp4Packet::parse(d4::build(h, o, {}).bytes);
    EXPECT_TRUE(p.ok());
    return *p;
  }
};

struct Engine {
  explicit Engine(std::vector<std::string> args)
      : config([&] {
          args.insert(args.begin(), "--dhcp-range=192.0.2.100,192.0.2.150,1h");
          args.push_back("--no-ping");
          return testing::load_config(std::move(args));
        }()),
        engine(config, store) {}
  config::Config config;
  MemoryLeaseStore store;
  Dhcp4Engine engine;
  Dhcp4Result run(const Req& r) {
    return engine.handle(r.parse(), {"veth0", 7, {{ip("192.0.2.1"), ip("255.255.255.0")}}}, kNow);
  }
  std::string lease_name(const char* addr) {
    auto l = store.find(ip(addr));
    return l ? l->hostname : "<no lease>";
  }
};

std::optional<V> opt(const Dhcp4Result& r, uint8_t code) {
  if (!r.reply) return std::nullopt;
  for (const auto& o : r.reply->options)
    if (o.code == code) return o.data;
  return std::nullopt;
}

// (Built by indexing: GCC 12's -Warray-bounds misreads an insert after a braced 3-byte init.)
V prefixed(uint8_t flags, uint8_t rcode, const V& name) {
  V v(3 + name.size());
  v[0] = flags;
  v[1] = v[2] = rcode;
  std::copy(name.begin(), name.end(), v.begin() + 3);
  return v;
}
V fqdn(uint8_t flags, const V& name) { return prefixed(flags, 0, name); }
V wire(std::initializer_list<std::string_view> labels, bool root = true) {
  V v;
  for (auto l : labels) {
    v.push_back(static_cast<uint8_t>(l.size()));
    v.insert(v.end(), l.begin(), l.end());
  }
  if (root) v.push_back(0);
  return v;
}
V reply(uint8_t flags, const V& name) { return prefixed(flags, 255, name); }

// ---- the codec ----

std::string text_of(V name, bool e) { return d4::fqdn_name_text(name, e); }

TEST(Dhcp4Fqdn, WireNamesDecodeLabelByLabelAndStopAtWhatDoesNotFit) {
  EXPECT_EQ(text_of(wire({"pc1", "lan"}), true), "pc1.lan");
  EXPECT_EQ(text_of(wire({"abc", "lan"}, false), true), "abc.lan");  // no root label: kept
  EXPECT_EQ(text_of({3, 'a', 'b', 'c', 5, 'a', 'l'}, true), "abc");  // truncated label dropped
  EXPECT_EQ(text_of({5, 'a', 'l', 'p'}, true), "");
  EXPECT_EQ(text_of({0xc0, 0x00}, true), "");                        // no pointer following
  EXPECT_EQ(text_of({3, 'a', 'b', 'c', 0xc0, 0x00}, true), "abc");
  EXPECT_EQ(text_of({0, 3, 'a', 'b', 'c', 0}, true), "");
  EXPECT_EQ(text_of({1, 'a', 0, 1, 'c', 0}, true), "a");
  EXPECT_EQ(text_of({4, 'a', '.', 'b', 'c', 0}, true), "a.bc");      // a dot inside a label
  EXPECT_EQ(text_of({}, true), "");
  EXPECT_EQ(text_of(bytes(std::string("al\0pha", 6)), false), std::string("al\0pha", 6));
  // A 64-byte label that fits is decoded; the engine rejects the name.
  V long_label{64};
  long_label.insert(long_label.end(), 64, 'y');
  long_label.push_back(0);
  EXPECT_EQ(text_of(long_label, true).size(), 64u);
}

TEST(Dhcp4Fqdn, PacketAccessorKeepsFlagsRcodesAndRawName) {
  Req r{.fqdn = fqdn(0x05, wire({"pc1", "lan"}))};
  auto f = r.parse().client_fqdn();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->flags, 0x05);
  EXPECT_EQ(f->name, "pc1.lan");
  EXPECT_EQ(f->raw_name, wire({"pc1", "lan"}));
  Req shorter{.fqdn = V{0x04, 0}};
  EXPECT_FALSE(shorter.parse().client_fqdn());  // under 3 bytes: not an option 81 at all
}

TEST(Dhcp4Fqdn, ReplyEncodingAsDnsmasq) {
  EXPECT_EQ(d4::encode_client_fqdn(0x07, "beta", "lan", true, false), reply(0x07, wire({"beta", "lan"})));
  EXPECT_EQ(d4::encode_client_fqdn(0x05, "beta", "", true, false), reply(0x05, wire({"beta"}, false)));
  EXPECT_EQ(d4::encode_client_fqdn(0x03, "alpha", "lan", false, false), reply(0x03, bytes("alpha.lan")));
  EXPECT_EQ(d4::encode_client_fqdn(0x03, "x", "lan", false, true), reply(0x03, bytes(std::string("x.lan\0", 6))));
  EXPECT_EQ(d4::encode_client_fqdn(0x03, "alpha", "", false, false), reply(0x03, bytes("alpha")));
  std::string huge(300, 'a');
  EXPECT_EQ(d4::encode_client_fqdn(0x03, huge, "", false, false).size(), 255u);
  EXPECT_EQ(d4::encode_client_fqdn(0x07, huge, "lan", true, false)[3], 63);  // label cut
}

// ---- the engine's rules ----

TEST(Dhcp4Fqdn, FlagRules) {
  // Without --dhcp-client-update: S set, O when the client had S clear, N cleared, E echoed.
  EXPECT_EQ(fqdn_reply_flags(0x00, false), 0x03);
  EXPECT_EQ(fqdn_reply_flags(0x04, false), 0x07);
  EXPECT_EQ(fqdn_reply_flags(0x05, false), 0x05);
  EXPECT_EQ(fqdn_reply_flags(0x0d, false), 0x05);
  EXPECT_EQ(fqdn_reply_flags(0x08, false), 0x03);
  EXPECT_EQ(fqdn_reply_flags(0x01, false), 0x01);
  // With it: N set, S clear, O when the client had S set.
  EXPECT_EQ(fqdn_reply_flags(0x00, true), 0x08);
  EXPECT_EQ(fqdn_reply_flags(0x05, true), 0x0e);
  EXPECT_EQ(fqdn_reply_flags(0x08, true), 0x08);
  EXPECT_EQ(fqdn_reply_flags(0x01, true), 0x0a);
  EXPECT_EQ(fqdn_reply_flags(0xf4, false), 0x07);  // reserved bits are not echoed
}

TEST(Dhcp4Fqdn, NameRules) {
  EXPECT_EQ(parse_fqdn_name("alpha", false).name, "alpha");
  auto n = parse_fqdn_name("delta.example.org", true);
  EXPECT_EQ(n.name, "delta");
  EXPECT_EQ(n.ignored_domain, "example.org");
  EXPECT_EQ(parse_fqdn_name("ok.b d", true).name, "ok");            // only the first label is judged
  EXPECT_EQ(parse_fqdn_name("a b", false).name, "");
  EXPECT_EQ(parse_fqdn_name(".abc", false).name, "");
  EXPECT_EQ(parse_fqdn_name("zeta.", false).name, "zeta");
  EXPECT_EQ(parse_fqdn_name("abc." + std::string(64, 'y'), true).name, "");  // a 64-byte label anywhere
  EXPECT_EQ(parse_fqdn_name(std::string(63, 'z') + ".x", true).name, std::string(63, 'z'));
  auto nul = parse_fqdn_name(std::string("x\0", 2), false);
  EXPECT_EQ(nul.name, "x");
  EXPECT_TRUE(nul.null_terminated);
  EXPECT_FALSE(parse_fqdn_name(std::string("x\0", 2), true).null_terminated);
  // The NUL mark stays when the name itself is rejected (configured text options get one).
  auto bad = parse_fqdn_name(std::string("\x0cwire\0", 6), false);
  EXPECT_EQ(bad.name, "");
  EXPECT_TRUE(bad.null_terminated);
}

TEST(Dhcp4Fqdn, AckCarriesTheAssignedFqdnInTheClientsEncoding) {
  Engine e({"--domain=lan"});
  auto ascii = e.run({.fqdn = fqdn(0x00, bytes("alpha"))});
  EXPECT_EQ(opt(ascii, 81), reply(0x03, bytes("alpha.lan")));
  EXPECT_EQ(opt(ascii, 12), bytes("alpha"));
  EXPECT_EQ(e.lease_name("192.0.2.120"), "alpha");
  auto w = e.run({.last = 2, .requested = ip("192.0.2.121"), .fqdn = fqdn(0x0d, wire({"delta", "example", "org"}))});
  EXPECT_EQ(opt(w, 81), reply(0x05, wire({"delta", "lan"})));
  ASSERT_GE(w.log.size(), 2u);
  EXPECT_EQ(w.log[1], "Ignoring domain example.org for DHCP host name delta");
  // Our own domain is not logged as ignored.
  auto ours = e.run({.last = 3, .requested = ip("192.0.2.122"), .fqdn = fqdn(0x05, wire({"gamma", "LAN"}))});
  for (const auto& l : ours.log) EXPECT_EQ(l.find("Ignoring domain"), std::string::npos) << l;
  // Sent whatever the request list says; option 12 only when asked for.
  auto unasked = e.run({.last = 4, .requested = ip("192.0.2.123"), .fqdn = fqdn(0x04, wire({"eps"})), .prl = {1, 3}});
  EXPECT_EQ(opt(unasked, 81), reply(0x07, wire({"eps", "lan"})));
  EXPECT_FALSE(opt(unasked, 12));
  // Right after option 12.
  const auto& o = ascii.reply->options;
  auto at = [&](uint8_t c) { return std::find_if(o.begin(), o.end(), [&](auto& x) { return x.code == c; }) - o.begin(); };
  EXPECT_EQ(at(81), at(12) + 1);
}

TEST(Dhcp4Fqdn, WithoutADomainTheNameIsBareAndWireFormHasNoRoot) {
  Engine e({});
  auto r = e.run({.fqdn = fqdn(0x05, wire({"beta"}))});
  EXPECT_EQ(opt(r, 81), reply(0x05, wire({"beta"}, false)));
  auto a = e.run({.last = 2, .requested = ip("192.0.2.121"), .fqdn = fqdn(0x00, bytes("alpha.lan"))});
  EXPECT_EQ(opt(a, 81), reply(0x03, bytes("alpha")));
  EXPECT_EQ(a.log[1], "Ignoring domain lan for DHCP host name alpha");
}

TEST(Dhcp4Fqdn, ClientUpdateFlags) {
  Engine e({"--domain=lan", "--dhcp-client-update"});
  EXPECT_EQ(opt(e.run({.fqdn = fqdn(0x00, bytes("alpha"))}), 81), reply(0x08, bytes("alpha.lan")));
  EXPECT_EQ(opt(e.run({.last = 2, .requested = ip("192.0.2.121"), .fqdn = fqdn(0x05, wire({"beta"}))}), 81),
            reply(0x0e, wire({"beta", "lan"})));
}

TEST(Dhcp4Fqdn, OptionEightyOneBeatsTwelveEvenWhenEmpty) {
  Engine e({"--domain=lan"});
  auto both = e.run({.fqdn = fqdn(0x04, wire({"eta"})), .hostname = "other"});
  EXPECT_EQ(opt(both, 12), bytes("eta"));
  EXPECT_EQ(e.lease_name("192.0.2.120"), "eta");
  auto empty = e.run({.last = 2, .requested = ip("192.0.2.121"), .fqdn = fqdn(0x04, V{0}), .hostname = "twelve"});
  EXPECT_FALSE(opt(empty, 12));
  EXPECT_FALSE(opt(empty, 81));  // no name, no option 81
  EXPECT_EQ(e.lease_name("192.0.2.121"), "");
  auto too_short = e.run({.last = 3, .requested = ip("192.0.2.122"), .fqdn = V{0x04}, .hostname = "twelve4"});
  EXPECT_EQ(opt(too_short, 12), bytes("twelve4"));
  EXPECT_FALSE(opt(too_short, 81));
  // An ASCII name ending in NUL: options 12 and 81 end in one too.
  auto nul = e.run({.last = 4, .requested = ip("192.0.2.123"), .fqdn = fqdn(0x00, bytes(std::string("x\0", 2)))});
  EXPECT_EQ(opt(nul, 12), bytes(std::string("x\0", 2)));
  EXPECT_EQ(opt(nul, 81), reply(0x03, bytes(std::string("x.lan\0", 6))));
}

TEST(Dhcp4Fqdn, NulTerminatedNameAlsoEndsConfiguredTextOptions) {
  Engine e({"--domain=lan", "--dhcp-option=option:domain-name,example.org", "--dhcp-option=42,192.0.2.5"});
  auto r = e.run({.fqdn = fqdn(0x00, bytes(std::string("y\0", 2))), .prl = {1, 12, 15, 42}});
  EXPECT_EQ(opt(r, 15), bytes(std::string("example.org\0", 12)));
  EXPECT_EQ(opt(r, 42), (V{192, 0, 2, 5}));  // addresses untouched
  auto wire_name = e.run({.last = 2, .requested = ip("192.0.2.121"), .fqdn = fqdn(0x04, wire({"w"})),
                          .prl = {1, 12, 15}});
  EXPECT_EQ(opt(wire_name, 15), bytes("example.org"));  // E=1: no NUL mark
}

TEST(Dhcp4Fqdn, OfferCarriesTheSentNameEvenWithIgnoreNames) {
  Engine e({"--domain=lan", "--dhcp-ignore-names"});
  auto offer = e.run({.type = d4::MessageType::Discover, .fqdn = fqdn(0x01, bytes("x"))});
  EXPECT_EQ(opt(offer, 12), bytes("x"));
  EXPECT_EQ(opt(offer, 81), reply(0x01, bytes("x.lan")));
  auto ack = e.run({.fqdn = fqdn(0x01, bytes("x"))});
  EXPECT_FALSE(opt(ack, 12));
  EXPECT_FALSE(opt(ack, 81));
  EXPECT_EQ(e.lease_name("192.0.2.120"), "");
}

TEST(Dhcp4Fqdn, GeneratedAndConfiguredNamesGoInTheAckNotAnEmptyOffer) {
  Engine e({"--domain=lan", "--dhcp-generate-names", "--dhcp-host=02:00:00:00:00:11,192.0.2.50,fixed"});
  auto offer = e.run({.type = d4::MessageType::Discover, .fqdn = fqdn(0x04, V{0})});
  EXPECT_FALSE(opt(offer, 81));
  auto ack = e.run({.fqdn = fqdn(0x04, V{0})});
  EXPECT_EQ(opt(ack, 81), reply(0x07, wire({"02-00-00-00-00-01", "lan"})));
  auto host = e.run({.last = 0x11, .requested = ip("192.0.2.50"), .fqdn = fqdn(0x01, bytes("other"))});
  EXPECT_EQ(opt(host, 81), reply(0x01, bytes("fixed.lan")));
  auto host_offer = e.run({.type = d4::MessageType::Discover, .last = 0x11, .fqdn = fqdn(0x01, bytes("other"))});
  EXPECT_EQ(opt(host_offer, 81), reply(0x01, bytes("fixed.lan")));
}

TEST(Dhcp4Fqdn, InformAckCarriesTheSentNameEvenWithIgnoreNames) {
  Engine e({"--domain=lan", "--dhcp-ignore-names"});
  auto r = e.run({.type = d4::MessageType::Inform, .fqdn = fqdn(0x00, bytes("alpha")), .ciaddr = ip("192.0.2.120")});
  EXPECT_EQ(opt(r, 12), bytes("alpha"));
  EXPECT_EQ(opt(r, 81), reply(0x03, bytes("alpha.lan")));
  ASSERT_FALSE(r.log.empty());
  EXPECT_EQ(r.log.back(), "DHCPACK(veth0) 192.0.2.120 02:00:00:00:00:01 alpha");
  auto twelve = e.run({.type = d4::MessageType::Inform, .hostname = "twelve", .ciaddr = ip("192.0.2.120")});
  EXPECT_EQ(opt(twelve, 12), bytes("twelve"));
  EXPECT_FALSE(opt(twelve, 81));
}

TEST(Dhcp4Fqdn, DomainOfTheAddress) {
  Engine e({"--domain=lan,192.0.2.0/25", "--domain=hi,192.0.2.128/25"});
  EXPECT_EQ(opt(e.run({.fqdn = fqdn(0x00, bytes("alpha"))}), 81), reply(0x03, bytes("alpha.lan")));
  EXPECT_EQ(opt(e.run({.last = 2, .requested = ip("192.0.2.130"), .fqdn = fqdn(0x04, wire({"beta"}))}), 81),
            reply(0x07, wire({"beta", "hi"})));
}

}  // namespace
}  // namespace masqd::dhcp
