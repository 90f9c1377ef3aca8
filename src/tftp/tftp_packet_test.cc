// Unit tests of the TFTP request parser, client packet reader, option negotiation and
// builders. Expected values were observed with dnsmasq 2.90 where it decides.
#include "tftp/tftp_packet.h"

#include <gtest/gtest.h>

#include <string>

namespace masqd::tftp {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::optional<Request> parse(std::string_view s) {
  auto b = bytes(s);
  return parse_request(Bytes(b.data(), b.size()));
}

using namespace std::string_literals;

TEST(TftpRequest, PlainOctetRead) {
  auto r = parse("\0\1pxelinux.0\0octet\0"s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->filename, "pxelinux.0");
  EXPECT_FALSE(r->netascii);
  EXPECT_TRUE(r->options.empty());
}

TEST(TftpRequest, ModeIsCaseInsensitiveAndNetasciiIsKnown) {
  ASSERT_TRUE(parse("\0\1a\0OCTET\0"s));
  auto r = parse("\0\1a\0NetAscii\0"s);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->netascii);
  EXPECT_FALSE(parse("\0\1a\0mail\0"s));
}

TEST(TftpRequest, OptionsAreLowerCasedAndKeptInOrder) {
  auto r = parse("\0\1a\0octet\0BLKSIZE\0001468\0tsize\0000\0foo\0bar\0"s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->options.size(), 3u);
  EXPECT_EQ(r->options[0].name, "blksize");
  EXPECT_EQ(r->options[0].value, "1468");
  EXPECT_EQ(r->options[1].name, "tsize");
  EXPECT_EQ(r->options[2].name, "foo");
}

TEST(TftpRequest, UnsupportedRequestsAsDnsmasq) {
  EXPECT_FALSE(parse("\0\2a.txt\0octet\0"s)) << "WRQ";
  EXPECT_FALSE(parse("\0\5\0\1err\0"s)) << "ERROR to port 69";
  EXPECT_FALSE(parse("\0\1\0octet\0"s)) << "empty filename";
  EXPECT_FALSE(parse("\0\1a.txt\0octet"s)) << "mode without NUL";
  EXPECT_FALSE(parse("\0\1"s + std::string(600, 'A'))) << "SEC-15: 600-byte name without NUL";
  EXPECT_FALSE(parse("\0\1a.txt\0octet\0a\1b"s)) << "trailing bytes without NUL";
  EXPECT_FALSE(parse("\0\1"s)) << "just an opcode";
  EXPECT_FALSE(parse(""s));
  EXPECT_FALSE(parse("\0\1"s + std::string(kMaxRequest, 'a') + "\0octet\0"s)) << "too long";
}

TEST(TftpRequest, NameWithoutValueIsIgnored) {
  auto r = parse("\0\1a.txt\0octet\0blksize\0"s);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->options.empty());
}

TEST(TftpRequest, OnlyPrintableAsciiOfTheNameIsKept) {
  auto r = parse("\0\1a\x7f" "b\xc3\xa9\x1f\tc\0octet\0"s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->filename, "abc");
  EXPECT_FALSE(parse("\0\1\x01\x02\0octet\0"s)) << "nothing printable left";
}

TEST(TftpClientPacket, AckErrorAndOther) {
  auto ack = bytes("\0\4\x12\x34"s);
  auto c = parse_client_packet(Bytes(ack.data(), ack.size()));
  EXPECT_EQ(c.kind, ClientPacket::Kind::Ack);
  EXPECT_EQ(c.block, 0x1234);
  auto err = bytes("\0\5\0\3disk\x01" "full\0junk"s);
  c = parse_client_packet(Bytes(err.data(), err.size()));
  EXPECT_EQ(c.kind, ClientPacket::Kind::Error);
  EXPECT_EQ(c.error_code, 3);
  EXPECT_EQ(c.message, "disk?full");
  // An ERROR without its NUL: no message at all, as dnsmasq (SEC-15).
  err = bytes("\0\5\0\3disk full"s);
  c = parse_client_packet(Bytes(err.data(), err.size()));
  EXPECT_EQ(c.kind, ClientPacket::Kind::Error);
  EXPECT_EQ(c.message, "");
  auto shorty = bytes("\0\4\0"s);
  EXPECT_EQ(parse_client_packet(Bytes(shorty.data(), shorty.size())).kind, ClientPacket::Kind::Other);
  auto data = bytes("\0\3\0\1x"s);
  EXPECT_EQ(parse_client_packet(Bytes(data.data(), data.size())).kind, ClientPacket::Kind::Other);
}

NegotiationLimits lims(uint32_t mtu = 1500, bool ipv6 = false, bool no_blocksize = false) {
  NegotiationLimits l;
  l.no_blocksize = no_blocksize;
  l.buffer_max = 2263;
  l.mtu = mtu;
  l.ipv6 = ipv6;
  return l;
}

Negotiated neg(std::string_view req, NegotiationLimits lim = lims(), uint64_t size = 6) {
  auto r = parse(req);
  EXPECT_TRUE(r);
  return negotiate(*r, lim, size);
}

using Oack = std::vector<std::pair<std::string, std::string>>;

TEST(TftpNegotiate, BlksizeClampedAsDnsmasq) {
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\0000\0"s).oack, (Oack{{"blksize", "1"}}));
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\0abc\0"s).oack, (Oack{{"blksize", "1"}}));
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\00065536\0"s).oack, (Oack{{"blksize", "1468"}}));
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\0008\0"s).block_size, 8u);
  // Loopback (MTU 65536): the packet buffer is the limit.
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\00065000\0"s, lims(65536)).block_size, 2263u);
  // --tftp-mtu and IPv6 overhead.
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\0002000\0"s, lims(600)).block_size, 568u);
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\0002000\0"s, lims(1500, true)).block_size, 1448u);
  // The last of repeated options wins, acknowledged once.
  EXPECT_EQ(neg("\0\1a\0octet\0blksize\000100\0blksize\000200\0"s).oack, (Oack{{"blksize", "200"}}));
}

TEST(TftpNegotiate, NoBlocksizeIgnoresIt) {
  auto n = neg("\0\1a\0octet\0blksize\0001468\0tsize\0000\0"s, lims(1500, false, true), 100000);
  EXPECT_EQ(n.block_size, 512u);
  EXPECT_EQ(n.oack, (Oack{{"tsize", "100000"}}));
}

TEST(TftpNegotiate, TsizeOctetOnly) {
  EXPECT_EQ(neg("\0\1a\0octet\0tsize\0zz\0"s).oack, (Oack{{"tsize", "6"}}));
  EXPECT_TRUE(neg("\0\1a\0netascii\0tsize\0000\0"s).oack.empty());
}

TEST(TftpNegotiate, TimeoutAndWindowsize) {
  auto n = neg("\0\1a\0octet\0blksize\0001468\0tsize\0000\0timeout\0003\0windowsize\0004\0"s);
  EXPECT_EQ(n.oack, (Oack{{"blksize", "1468"}, {"tsize", "6"}, {"timeout", "3"}, {"windowsize", "4"}}));
  EXPECT_EQ(n.window, 4);
  EXPECT_EQ(n.timeout_s, 3);
  EXPECT_TRUE(neg("\0\1a\0octet\0timeout\0000\0"s).oack.empty());
  EXPECT_TRUE(neg("\0\1a\0octet\0timeout\000256\0"s).oack.empty());
  EXPECT_EQ(neg("\0\1a\0octet\0windowsize\0000\0"s).window, 1);
  EXPECT_EQ(neg("\0\1a\0octet\0windowsize\00033\0"s).window, 32);
  EXPECT_EQ(neg("\0\1a\0octet\0windowsize\0-5\0"s).window, 1);
  EXPECT_EQ(neg("\0\1a\0octet\0windowsize\0007\0"s).window, 7);
  EXPECT_EQ(neg("\0\1a\0netascii\0windowsize\0008\0"s).window, 1);
  EXPECT_TRUE(neg("\0\1a\0netascii\0windowsize\0008\0"s).oack.empty());
}

TEST(TftpBuild, ErrorPacketIsExactlyHeaderMessageNul) {
  std::vector<uint8_t> out;
  build_error(out, kErrNotFound, "file /x not found for 192.0.2.2");
  std::string msg = "file /x not found for 192.0.2.2";
  ASSERT_EQ(out.size(), 4 + msg.size() + 1);
  EXPECT_EQ(out[1], kError);
  EXPECT_EQ(out[3], kErrNotFound);
  EXPECT_EQ(std::string(out.begin() + 4, out.end() - 1), msg);
  EXPECT_EQ(out.back(), 0);
  build_error(out, 0, std::string(2000, 'x'));
  EXPECT_EQ(out.size(), 4 + 511 + 1u);
}

TEST(TftpBuild, Oack) {
  std::vector<uint8_t> out;
  build_oack(out, {{"blksize", "1468"}, {"tsize", "6"}});
  EXPECT_EQ(std::string(out.begin(), out.end()), "\0\6blksize\0001468\0tsize\0006\0"s);
}

TEST(TftpAtoi, AsC) {
  EXPECT_EQ(lenient_atoi("  42x"), 42);
  EXPECT_EQ(lenient_atoi("-3"), -3);
  EXPECT_EQ(lenient_atoi("x"), 0);
  EXPECT_GT(lenient_atoi("99999999999999999999999"), 65536);
}

}  // namespace
}  // namespace masqd::tftp
