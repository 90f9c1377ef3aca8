#include "proto/dns_wire.h"

#include <gtest/gtest.h>

#include <vector>

namespace masqd::proto::dns {
namespace {

std::vector<uint8_t> header(uint16_t qd, uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0) {
  return {0x12, 0x34, 0x01, 0x00, 0, static_cast<uint8_t>(qd), 0, static_cast<uint8_t>(an),
          0,    static_cast<uint8_t>(ns), 0, static_cast<uint8_t>(ar)};
}

void append(std::vector<uint8_t>& v, std::initializer_list<uint8_t> b) { v.insert(v.end(), b); }

void append_name(std::vector<uint8_t>& v, std::string_view dotted) {
  auto n = Name::from_text(dotted);
  ASSERT_TRUE(n);
  v.insert(v.end(), n->wire().begin(), n->wire().end());
}

TEST(DnsWire, ParsesHeaderAndQuestion) {
  auto m = header(1);
  append_name(m, "www.Example.com");
  append(m, {0, 1, 0, 1});
  auto v = MessageView::parse(m, true);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->header().id, 0x1234);
  EXPECT_TRUE(v->header().rd());
  ASSERT_TRUE(v->question());
  EXPECT_EQ(v->question()->name.to_text(), "www.Example.com");  // case preserved
  EXPECT_EQ(v->question()->qtype, rr::A);
  EXPECT_EQ(v->question()->qclass, cls::IN);
  EXPECT_EQ(v->answer_offset(), m.size());
}

TEST(DnsWire, ShortPacketsRejected) {
  std::vector<uint8_t> m = {1, 2, 3};
  EXPECT_FALSE(MessageView::parse(m));
  auto q = header(1);
  append(q, {3, 'w', 'w'});  // label runs past the end
  EXPECT_FALSE(MessageView::parse(q));
}

TEST(DnsWire, BackwardPointerFollowed) {
  auto m = header(1, 1);
  append_name(m, "example.com");
  append(m, {0, 1, 0, 1});
  // answer owner: "www" + pointer to offset 12
  append(m, {3, 'w', 'w', 'w', 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1});
  auto v = MessageView::parse(m, true);
  ASSERT_TRUE(v) << v.error().message;
  RecordView rec;
  ASSERT_TRUE(read_record(m, v->answer_offset(), rec));
  EXPECT_EQ(rec.owner.to_text(), "www.example.com");
  EXPECT_EQ(rec.ttl, 60u);
  EXPECT_EQ(rec.rdlength, 4);
}

TEST(DnsWire, SelfPointerAndLoopAndForwardPointerRejected) {
  Name n;
  auto self = header(1);
  append(self, {0xc0, 12, 0, 1, 0, 1});  // points at itself
  EXPECT_FALSE(read_name(self, 12, n));
  auto fwd = header(1);
  append(fwd, {0xc0, 14, 0, 0, 1, 0, 1});  // points forward
  EXPECT_FALSE(read_name(fwd, 12, n));
  auto past = header(1);
  append(past, {0xff, 0xff});  // far past the end (and forward)
  EXPECT_FALSE(read_name(past, 12, n));
  auto into_header = header(1);
  append(into_header, {0xc0, 1});  // backwards, but into the ID: not a name
  EXPECT_FALSE(read_name(into_header, 12, n));
  auto truncated_ptr = header(1);
  append(truncated_ptr, {0xc0});
  EXPECT_FALSE(read_name(truncated_ptr, 12, n));
}

TEST(DnsWire, NameLimits) {
  // 4 labels of 63 = 4*64 + 1 = 257 bytes > 255
  std::string label(63, 'a');
  EXPECT_FALSE(Name::from_text(label + "." + label + "." + label + "." + label));
  EXPECT_FALSE(Name::from_text(std::string(64, 'b')));
  // exactly 255 on the wire: 3*64 + 62 + 1 = 255 -> labels 63,63,63,61
  auto ok = Name::from_text(label + "." + label + "." + label + "." + std::string(61, 'c'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->wire_size(), 255u);

  // Over 255 only through compression: a 250-byte name, then "abcdefgh" + pointer to it.
  std::vector<uint8_t> m = header(0);
  auto base = Name::from_text(std::string(63, 'x') + "." + std::string(63, 'y') + "." +
                              std::string(63, 'z') + "." + std::string(56, 'w'));
  ASSERT_TRUE(base);
  m.insert(m.end(), base->wire().begin(), base->wire().end());
  size_t second = m.size();
  append(m, {8, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0xc0, 12});
  Name n;
  EXPECT_TRUE(read_name(m, 12, n));
  EXPECT_FALSE(read_name(m, second, n));
}

TEST(DnsWire, TextEscaping) {
  std::vector<uint8_t> m = header(0);
  append(m, {4, 'a', '.', '\\', 0x80, 0});
  Name n;
  ASSERT_TRUE(read_name(m, 12, n));
  EXPECT_EQ(n.to_text(), "a\\.\\\\\\128");
  auto back = Name::from_text(n.to_text());
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->equals_nocase(n));
}

TEST(DnsWire, EdnsFoundOnlyInAdditionalAndOnce) {
  auto m = header(1, 0, 0, 1);
  append_name(m, "a.test");
  append(m, {0, 1, 0, 1});
  // OPT: root owner, type 41, udp 1232, ext rcode 0, version 0, DO set, rdlen 4 (one empty option 10)
  append(m, {0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 4, 0, 10, 0, 0});
  auto v = MessageView::parse(m, true);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->edns());
  EXPECT_EQ(v->edns()->udp_size, 1232);
  EXPECT_TRUE(v->edns()->do_bit);
  int seen = 0;
  EXPECT_TRUE(for_each_edns_option(m, *v->edns(), [&](uint16_t code, Bytes data) {
    EXPECT_EQ(code, 10);
    EXPECT_TRUE(data.empty());
    ++seen;
  }));
  EXPECT_EQ(seen, 1);

  auto twice = m;
  twice[11] = 2;
  append(twice, {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(MessageView::parse(twice));

  auto in_answer = header(1, 1);
  append_name(in_answer, "a.test");
  append(in_answer, {0, 1, 0, 1});
  append(in_answer, {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(MessageView::parse(in_answer));
}

TEST(DnsWire, EdnsOptionLengthPastRdataRejected) {
  auto m = header(1, 0, 0, 1);
  append_name(m, "a.test");
  append(m, {0, 1, 0, 1});
  append(m, {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 4, 0, 8, 0, 9});  // option says 9 bytes, has 0
  auto v = MessageView::parse(m, true);
  ASSERT_TRUE(v);
  EXPECT_FALSE(for_each_edns_option(m, *v->edns(), [](uint16_t, Bytes) {}));
}

TEST(DnsWire, RecordCountsLargerThanRecordsRejected) {
  auto m = header(1, 3);
  append_name(m, "a.test");
  append(m, {0, 1, 0, 1});
  append(m, {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4});
  EXPECT_FALSE(MessageView::parse(m));
}

TEST(DnsWire, TrailingBytes) {
  auto m = header(1);
  append_name(m, "a.test");
  append(m, {0, 1, 0, 1, 0xde, 0xad});
  EXPECT_TRUE(MessageView::parse(m, false));
  EXPECT_FALSE(MessageView::parse(m, true));
}

TEST(DnsWire, HeaderRoundTrip) {
  Header h;
  h.id = 0xbeef;
  h.flags = 0x8180;
  h.qdcount = 1;
  h.ancount = 2;
  h.nscount = 3;
  h.arcount = 4;
  std::array<uint8_t, kHeaderSize> out{};
  write_header(h, out);
  auto back = parse_header(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 0xbeef);
  EXPECT_TRUE(back->qr());
  EXPECT_TRUE(back->ra());
  EXPECT_EQ(back->arcount, 4);
  EXPECT_EQ(type_name(28), "AAAA");
  EXPECT_EQ(type_name(999), "TYPE999");
}

}  // namespace
}  // namespace masqd::proto::dns
