#include "proto/dhcp4_wire.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace masqd::proto::dhcp4 {
namespace {

using V = std::vector<uint8_t>;

// A BOOTREQUEST from 02:00:00:00:00:01 with the cookie and no options yet.
V request_base() {
  V p(kFixedSize, 0);
  p[0] = 1;
  p[1] = 1;
  p[2] = 6;
  p[4] = 0xde, p[5] = 0xad, p[6] = 0xbe, p[7] = 0xef;
  p[10] = 0x80;  // broadcast
  const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
  std::copy(mac, mac + 6, p.begin() + 28);
  p.insert(p.end(), kMagicCookie.begin(), kMagicCookie.end());
  return p;
}

void add(V& v, std::initializer_list<uint8_t> b) {
  v.insert(v.end(), b);
}

Header reply_header() {
  Header h;
  h.op = 2;
  h.htype = 1;
  h.hlen = 6;
  h.xid = 0x01020304;
  h.flags = 0x8000;
  h.yiaddr = IpAddr::v4({192, 0, 2, 10});
  h.siaddr = IpAddr::v4({192, 0, 2, 1});
  h.chaddr[0] = 2;
  h.chaddr[5] = 7;
  return h;
}

Option option(uint8_t code, size_t size, uint8_t fill = 0xab) {
  return {code, V(size, fill)};
}

Dhcp4Packet parse_ok(const V& v) {
  auto p = Dhcp4Packet::parse(v);
  EXPECT_TRUE(p) << (p ? "" : p.error().message);
  return p ? std::move(p).value() : Dhcp4Packet{};
}

// Captured on a veth pair: udhcpc 1.35's DISCOVER and dnsmasq 2.90's ACK to it
// (--dhcp-range=192.0.2.100,192.0.2.150,1h --dhcp-option=option:domain-name,example).
// Also seeds in fuzz/corpus/dhcp4_packet/real_*.
constexpr const char* kUdhcpcDiscover =
    "010106001ac624030000000000000000000000000000000000000000020000000001000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "3501013902024037070103060c0f1c2a0c05616c7068613c0c756468637020312e33352e303d0701"
    "020000000001ff00000000000000000000000000";
constexpr const char* kDnsmasqAck =
    "020106001ac624030003000000000000c0000291c000020100000000020000000001000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000063825363"
    "3501053604c0000201330400000e103a04000007083b0400000c4e0104ffffff001c04c00002ff03"
    "04c00002010c05616c7068610f076578616d706c65ff";

V from_hex(std::string_view h) {
  V out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(Dhcp4Wire, ReadsRealClientAndServerPackets) {
  auto discover = parse_ok(from_hex(kUdhcpcDiscover));
  EXPECT_EQ(discover.message_type(), MessageType::Discover);
  EXPECT_EQ(discover.header().xid, 0x1ac62403u);
  EXPECT_EQ(discover.max_message_size(), 576);
  EXPECT_EQ(discover.parameter_request_list(), (V{1, 3, 6, 12, 15, 28, 42}));
  EXPECT_EQ(discover.hostname(), "alpha");
  EXPECT_EQ(discover.client_id(), (V{1, 2, 0, 0, 0, 0, 1}));

  auto ack = parse_ok(from_hex(kDnsmasqAck));
  EXPECT_EQ(ack.message_type(), MessageType::Ack);
  EXPECT_EQ(ack.header().op, 2);
  EXPECT_EQ(ack.header().yiaddr, IpAddr::parse("192.0.2.145"));
  EXPECT_EQ(ack.header().siaddr, IpAddr::parse("192.0.2.1"));
  EXPECT_EQ(ack.server_id(), IpAddr::parse("192.0.2.1"));
  std::vector<uint8_t> order;
  for (const Option& o : ack.options()) order.push_back(o.code);
  EXPECT_EQ(order, (V{53, 54, 51, 58, 59, 1, 28, 3, 12, 15}));
}

TEST(Dhcp4Build, RebuildsRealPacketsByteForByte) {
  // Same header and options in the same order give dnsmasq's bytes: END right after the
  // options, zero padding to 300 (the DISCOVER), none beyond it (the 302-byte ACK).
  for (const char* hex : {kUdhcpcDiscover, kDnsmasqAck}) {
    const V wire = from_hex(hex);
    auto pk = parse_ok(wire);
    auto out = build(pk.header(), pk.options(), {});
    EXPECT_TRUE(out.dropped.empty());
    EXPECT_EQ(out.bytes, wire);
  }
}

TEST(Dhcp4Wire, ParsesHeaderAndCommonOptions) {
  V p = request_base();
  add(p, {53, 1, 3});                    // REQUEST
  add(p, {50, 4, 192, 0, 2, 10});        // requested address
  add(p, {54, 4, 192, 0, 2, 1});         // server id
  add(p, {61, 7, 1, 2, 0, 0, 0, 0, 1});  // client id
  add(p, {12, 5, 'a', 'l', 'p', 'h', 'a'});
  add(p, {55, 4, 1, 3, 6, 15});
  add(p, {57, 2, 0x02, 0x40});
  add(p, {60, 3, 'u', 'd', 'h'});
  add(p, {77, 4, 3, 'a', 'b', 'c'});
  add(p, {0, 0, 255});  // PAD PAD END
  auto pk = parse_ok(p);
  const Header& h = pk.header();
  EXPECT_EQ(h.op, 1);
  EXPECT_EQ(h.xid, 0xdeadbeefu);
  EXPECT_TRUE(h.broadcast());
  EXPECT_EQ(h.hwaddr().size(), 6u);
  EXPECT_EQ(h.chaddr[5], 1);
  EXPECT_TRUE(pk.has_cookie());
  EXPECT_EQ(pk.message_type(), MessageType::Request);
  EXPECT_EQ(pk.requested_address(), IpAddr::parse("192.0.2.10"));
  EXPECT_EQ(pk.server_id(), IpAddr::parse("192.0.2.1"));
  EXPECT_EQ(pk.client_id(), (V{1, 2, 0, 0, 0, 0, 1}));
  EXPECT_EQ(pk.hostname(), "alpha");
  EXPECT_EQ(pk.parameter_request_list(), (V{1, 3, 6, 15}));
  EXPECT_EQ(pk.max_message_size(), 576);
  EXPECT_EQ(pk.vendor_class(), (V{'u', 'd', 'h'}));
  EXPECT_EQ(pk.user_class(), (V{3, 'a', 'b', 'c'}));
  EXPECT_EQ(pk.options().size(), 9u);
  EXPECT_FALSE(pk.client_fqdn());
  EXPECT_FALSE(pk.relay_agent_info());
}

TEST(Dhcp4Wire, WrongLengthsGiveNoValue) {
  V p = request_base();
  add(p, {53, 2, 1, 1, 50, 3, 1, 2, 3, 54, 5, 1, 2, 3, 4, 5, 57, 1, 2, 61, 0, 12, 0});
  auto pk = parse_ok(p);  // structurally fine
  EXPECT_FALSE(pk.message_type());
  EXPECT_FALSE(pk.requested_address());
  EXPECT_FALSE(pk.server_id());
  EXPECT_FALSE(pk.max_message_size());
  EXPECT_FALSE(pk.client_id());
  EXPECT_FALSE(pk.hostname());
}

TEST(Dhcp4Wire, ZeroLengthOptionsKept) {
  V p = request_base();
  add(p, {80, 0, 55, 0, 255});  // rapid commit, empty request list
  auto pk = parse_ok(p);
  ASSERT_NE(pk.find(80), nullptr);
  EXPECT_TRUE(pk.find(80)->data.empty());
  EXPECT_EQ(pk.parameter_request_list(), V{});
}

TEST(Dhcp4Wire, RepeatedOptionsJoined) {
  V p = request_base();
  add(p, {12, 2, 'a', 'b', 53, 1, 1, 12, 3, 'c', 'd', 'e'});
  auto pk = parse_ok(p);
  EXPECT_EQ(pk.hostname(), "abcde");
  ASSERT_EQ(pk.options().size(), 2u);
  EXPECT_EQ(pk.options()[0].code, 12);  // first appearance decides the order
}

TEST(Dhcp4Wire, OverloadReadsFileThenSname) {
  V p = request_base();
  add(p, {52, 1, 3, 12, 1, 'a', 255});
  p[kFileOffset] = 12, p[kFileOffset + 1] = 1, p[kFileOffset + 2] = 'b';
  p[kFileOffset + 3] = 255;
  p[kSnameOffset] = 12, p[kSnameOffset + 1] = 1, p[kSnameOffset + 2] = 'c';
  p[kSnameOffset + 3] = 53, p[kSnameOffset + 4] = 1, p[kSnameOffset + 5] = 1;  // no END
  auto pk = parse_ok(p);
  EXPECT_EQ(pk.overload(), kOverloadFile | kOverloadSname);
  EXPECT_EQ(pk.hostname(), "abc");  // RFC 3396 7: options, file, sname
  EXPECT_EQ(pk.message_type(), MessageType::Discover);
  EXPECT_EQ(pk.find(opt::Overload), nullptr);
}

TEST(Dhcp4Wire, FileNotReadWithoutOverload) {
  V p = request_base();
  add(p, {255});
  p[kFileOffset] = 12, p[kFileOffset + 1] = 1, p[kFileOffset + 2] = 'b';
  auto pk = parse_ok(p);
  EXPECT_FALSE(pk.hostname());
  EXPECT_EQ(pk.header().file[2], 'b');
}

TEST(Dhcp4Wire, MalformedInputRejected) {
  V p = request_base();
  EXPECT_FALSE(Dhcp4Packet::parse(Bytes(p.data(), kFixedSize - 1)));  // truncated header
  EXPECT_FALSE(Dhcp4Packet::parse(Bytes{}));

  V hlen = request_base();
  hlen[2] = 17;
  EXPECT_FALSE(Dhcp4Packet::parse(hlen));
  hlen[2] = 16;
  EXPECT_TRUE(Dhcp4Packet::parse(hlen));

  V past = request_base();
  add(past, {12, 5, 'a', 'b'});  // length past the end
  EXPECT_FALSE(Dhcp4Packet::parse(past));
  V no_len = request_base();
  add(no_len, {53});  // code with no length byte
  EXPECT_FALSE(Dhcp4Packet::parse(no_len));

  V in_file = request_base();  // an overloaded field must not overload again
  add(in_file, {52, 1, 1, 255});
  in_file[kFileOffset] = 52, in_file[kFileOffset + 1] = 1, in_file[kFileOffset + 2] = 2;
  EXPECT_FALSE(Dhcp4Packet::parse(in_file));
  V bad_value = request_base();
  add(bad_value, {52, 1, 4, 255});
  EXPECT_FALSE(Dhcp4Packet::parse(bad_value));
  V twice = request_base();  // joined instances give two bytes: not an overload value
  add(twice, {52, 1, 1, 52, 1, 1, 255});
  EXPECT_FALSE(Dhcp4Packet::parse(twice));
  V file_past = request_base();
  add(file_past, {52, 1, 1, 255});
  file_past[kFileOffset + kFileSize - 2] = 12;
  file_past[kFileOffset + kFileSize - 1] = 2;  // runs into sname: past the field's end
  EXPECT_FALSE(Dhcp4Packet::parse(file_past));
}

TEST(Dhcp4Wire, MissingCookieIsPlainBootp) {
  V p = request_base();
  p[kFixedSize] = 0;
  add(p, {53, 1, 1, 255});
  auto pk = parse_ok(p);
  EXPECT_FALSE(pk.has_cookie());
  EXPECT_TRUE(pk.options().empty());
  V short_vendor = request_base();
  short_vendor.resize(kFixedSize + 2);
  auto pk2 = parse_ok(short_vendor);
  EXPECT_FALSE(pk2.has_cookie());
}

TEST(Dhcp4Wire, EndWithoutOptionsAndTrailingJunk) {
  V p = request_base();
  add(p, {53, 1, 1, 255, 12, 200});  // bytes after END are padding, not options
  auto pk = parse_ok(p);
  EXPECT_EQ(pk.options().size(), 1u);
}

TEST(Dhcp4Wire, RelayAgentInformation) {
  V p = request_base();
  add(p, {82, 17, 1, 3, 'e', 't', '0', 2, 2, 0xaa, 0xbb, 6, 1, 's', 9, 0, 1, 1, 'x'});
  auto pk = parse_ok(p);
  auto info = pk.relay_agent_info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->circuit_id, (V{'e', 't', '0'}));
  EXPECT_EQ(info->remote_id, (V{0xaa, 0xbb}));
  EXPECT_EQ(info->subscriber_id, V{'s'});
  ASSERT_EQ(info->sub_options.size(), 5u);
  EXPECT_EQ(info->sub_options[3].code, 9);
  EXPECT_EQ(info->sub_options[4].data, V{'x'});  // second circuit id kept in the list only

  V bad = request_base();
  add(bad, {82, 3, 1, 5, 'a'});
  EXPECT_FALSE(parse_ok(bad).relay_agent_info());
}

TEST(Dhcp4Wire, ClientFqdnBothEncodings) {
  V wire = request_base();
  add(wire, {81, 12, 0x05, 0, 0, 3, 'p', 'c', '1', 3, 'l', 'a', 'n', 0, 0xff});
  auto f = parse_ok(wire).client_fqdn();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->flags, 0x05);
  EXPECT_EQ(f->name, "pc1.lan");

  V ascii = request_base();
  add(ascii, {81, 8, 0x01, 0, 0, 'p', 'c', '.', 'x', '\0'});
  f = parse_ok(ascii).client_fqdn();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, std::string("pc.x\0", 5));  // NUL passed on; the engine judges names

  // As dnsmasq 2.90: a label that runs past the end ends the name (what came before stays),
  // and a compression pointer is only a length byte that does not fit.
  V broken = request_base();
  add(broken, {81, 8, 0x04, 0, 0, 1, 'x', 9, 'a', 0});
  f = parse_ok(broken).client_fqdn();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "x");
  V compressed = request_base();
  add(compressed, {81, 5, 0x04, 0, 0, 0xc0, 0});
  f = parse_ok(compressed).client_fqdn();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "");
  EXPECT_EQ(f->raw_name, (V{0xc0, 0}));
  V short_one = request_base();
  add(short_one, {81, 2, 0x04, 0});
  EXPECT_FALSE(parse_ok(short_one).client_fqdn());
}

TEST(Dhcp4Build, RoundTripsHeaderAndOptions) {
  Header h = reply_header();
  std::vector<Option> opts = {{53, {5}},
                              {54, {192, 0, 2, 1}},
                              {51, {0, 0, 14, 16}},
                              {1, {255, 255, 255, 0}},
                              {12, {'p', 'c'}},
                              {80, {}}};
  auto out = build(h, opts, {});
  EXPECT_TRUE(out.dropped.empty());
  EXPECT_EQ(out.overload, 0);
  EXPECT_EQ(out.bytes.size(), kMinBootpSize);  // padded like dnsmasq
  auto pk = parse_ok(out.bytes);
  EXPECT_EQ(pk.header(), h);
  EXPECT_EQ(pk.options(), opts);
  // Order on the wire is the caller's, and the options field ends with END then zeros.
  EXPECT_EQ(out.bytes[kOptionsOffset], 53);
  const size_t end = kOptionsOffset + 3 + 6 + 6 + 6 + 4 + 2;
  EXPECT_EQ(out.bytes[end], opt::End);
  EXPECT_EQ(out.bytes[end + 1], 0);
}

TEST(Dhcp4Build, LongOptionSplitInto255BytePieces) {
  std::vector<Option> opts = {option(121, 600)};
  auto out = build(reply_header(), opts, {.max_size = 1500});
  ASSERT_TRUE(out.dropped.empty());
  EXPECT_EQ(out.bytes[kOptionsOffset + 1], 255);
  EXPECT_EQ(out.bytes[kOptionsOffset + 2 + 255], 121);
  EXPECT_EQ(out.bytes[kOptionsOffset + 2 + 255 + 1], 255);
  EXPECT_EQ(out.bytes[kOptionsOffset + 2 * (2 + 255) + 1], 90);
  EXPECT_EQ(out.bytes.size(), kOptionsOffset + 600 + 6 + 1);
  EXPECT_EQ(parse_ok(out.bytes).options(), opts);
}

TEST(Dhcp4Build, OptionsThatDoNotFitAreDroppedWhole) {
  // 548 bytes leave 307 for options and END.
  std::vector<Option> opts = {{53, {2}}, option(43, 250), option(120, 100), {3, {192, 0, 2, 1}}};
  auto out = build(reply_header(), opts, {});
  EXPECT_EQ(out.dropped, V{120});
  EXPECT_LE(out.bytes.size(), 548u);
  auto pk = parse_ok(out.bytes);
  EXPECT_EQ(pk.options().size(), 3u);
  EXPECT_EQ(pk.find(3)->data, (V{192, 0, 2, 1}));  // a later small option still fits
}

TEST(Dhcp4Build, OverloadUsesFileThenSname) {
  std::vector<Option> opts = {{53, {2}}, option(43, 250), option(120, 100), option(66, 50)};
  auto out =
      build(reply_header(), opts, {.max_size = 548, .overload_file = true, .overload_sname = true});
  EXPECT_TRUE(out.dropped.empty());
  EXPECT_EQ(out.overload, kOverloadFile | kOverloadSname);
  EXPECT_LE(out.bytes.size(), 548u);
  auto pk = parse_ok(out.bytes);
  EXPECT_EQ(pk.overload(), kOverloadFile | kOverloadSname);
  EXPECT_EQ(pk.options(), opts);
  EXPECT_EQ(out.bytes[kFileOffset], 120);
  EXPECT_EQ(out.bytes[kSnameOffset], 66);
}

TEST(Dhcp4Build, OverloadOnlyWhenNeededAndFieldIsFree) {
  std::vector<Option> small = {{53, {2}}};
  EXPECT_EQ(build(reply_header(), small, {.overload_file = true}).overload, 0);

  std::vector<Option> big = {option(43, 250), option(120, 100)};
  Header h = reply_header();
  h.file[0] = 'p';  // a boot file name: the field is not free
  auto out = build(h, big, {.overload_file = true});
  EXPECT_EQ(out.overload, 0);
  EXPECT_EQ(out.dropped, V{120});
  EXPECT_EQ(parse_ok(out.bytes).header().file[0], 'p');
}

TEST(Dhcp4Build, BuilderOwnsPadEndAndOverload) {
  std::vector<Option> opts = {{0, {}}, {255, {}}, {52, {3}}, {53, {5}}};
  auto out = build(reply_header(), opts, {});
  EXPECT_TRUE(out.dropped.empty());
  auto pk = parse_ok(out.bytes);
  EXPECT_EQ(pk.overload(), 0);
  ASSERT_EQ(pk.options().size(), 1u);
}

TEST(Dhcp4Build, MaxSizeBelowBootpMinimumCountsAs300) {
  std::vector<Option> opts = {option(43, 50)};
  auto out = build(reply_header(), opts, {.max_size = 10});
  EXPECT_TRUE(out.dropped.empty());
  EXPECT_EQ(out.bytes.size(), kMinBootpSize);
}

}  // namespace
}  // namespace masqd::proto::dhcp4
