// The encap:, vi-encap: and vendor: forms of --dhcp-option: what encap::build sends. The
// expected bytes are dnsmasq 2.90's replies to the same configs (captured with
// tests/compat/test_dhcp_encap_compat.py).
#include "dhcp/encap_options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/test_config.h"

namespace masqd::dhcp {
namespace {

namespace d4 = proto::dhcp4;
using std::chrono::sys_seconds;
using testing::load_config;

std::vector<uint8_t> hex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::vector<config::DhcpOption> options(std::vector<std::string> args) {
  return load_config(std::move(args)).dhcp.options4;
}

struct Client {
  std::vector<std::string> tags;
  std::optional<std::vector<int>> prl;  // nullopt: no request list
  std::optional<std::string> vendor;
};

std::vector<d4::Option> build(const std::vector<config::DhcpOption>& opts, const Client& c,
                              std::vector<std::string>* notes = nullptr, bool with_vendor = true) {
  encap::Query q;
  q.tags_ok = [&](const config::TagList& t) {
    return std::all_of(t.begin(), t.end(), [&](const std::string& tag) {
      bool neg = !tag.empty() && tag[0] == '!';
      bool has = std::find(c.tags.begin(), c.tags.end(), neg ? tag.substr(1) : tag) != c.tags.end();
      return neg ? !has : has;
    });
  };
  q.requested = [&](int code) {
    return !c.prl || std::find(c.prl->begin(), c.prl->end(), code) != c.prl->end();
  };
  if (c.vendor)
    q.vendor_class = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(c.vendor->data()), c.vendor->size());
  q.with_vendor = with_vendor;
  return encap::build(opts, q, notes);
}

d4::Option opt(uint8_t code, std::string_view h) { return {code, hex(h)}; }

const std::vector<std::string> kVendor = {
    "--dhcp-option=vendor:PXEClient,1,0.0.0.0", "--dhcp-option=vendor:PXE,6,2b",
    "--dhcp-option=vendor:MSFT,2,1i"};

TEST(EncapOptions, VendorSubOptionsOfEveryMatchingClassInOne43) {
  auto o = options(kVendor);
  // Substring match; newest first; 0.0.0.0 is sent as written; END at the end.
  EXPECT_EQ(build(o, {{}, std::vector<int>{1, 43}, "PXEClient:Arch:00000"}),
            (std::vector<d4::Option>{opt(43, "060102010400000000ff")}));
  EXPECT_EQ(build(o, {{}, std::vector<int>{1, 43}, "xxPXEClientyy"}),
            (std::vector<d4::Option>{opt(43, "060102010400000000ff")}));
  EXPECT_EQ(build(o, {{}, std::nullopt, "MSFT 5.0"}), (std::vector<d4::Option>{opt(43, "020400000001ff")}));  // 1i: 4 bytes
  // Case matters; no option 60, or 43 not asked for: nothing.
  EXPECT_TRUE(build(o, {{}, std::vector<int>{43}, "pxeclient"}).empty());
  EXPECT_TRUE(build(o, {{}, std::vector<int>{43}, std::nullopt}).empty());
  EXPECT_TRUE(build(o, {{}, std::vector<int>{1, 3}, "PXEClient"}).empty());
  // With PXE on, the engine puts them in the PXE option 43 instead.
  EXPECT_TRUE(build(o, {{}, std::vector<int>{43}, "PXEClient"}, nullptr, false).empty());
  EXPECT_EQ(encap::vendor_suboptions(o, {[](const config::TagList&) { return true; },
                                          [](int) { return true; },
                                          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("PXEClient"), 9)}),
            hex("060102010400000000"));
}

TEST(EncapOptions, EncapGroupsNewestFirstWithEnd) {
  auto o = options({"--dhcp-option=encap:176,1,0.0.0.0", "--dhcp-option=encap:175,1,5",
                    "--dhcp-option=encap:175,190,abc", "--dhcp-option=encap:175,8,192.0.2.9"});
  EXPECT_EQ(build(o, {{}, std::vector<int>{1, 175}, std::nullopt}),
            (std::vector<d4::Option>{opt(175, "0804c0000209be03616263010105ff")}));
  // Each group in the place of its newest entry.
  EXPECT_EQ(build(o, {{}, std::nullopt, std::nullopt}),
            (std::vector<d4::Option>{opt(175, "0804c0000209be03616263010105ff"), opt(176, "010400000000ff")}));
  EXPECT_TRUE(build(o, {{}, std::vector<int>{1, 3, 43, 125}, "PXEClient"}).empty());
  // A sub-option code over 255 goes out as its low byte; an empty vendor: class matches any.
  auto w = options({"--dhcp-option=encap:175,300,1", "--dhcp-option=vendor:,1,1"});
  EXPECT_EQ(build(w, {{}, std::vector<int>{43, 175}, "abc"}),
            (std::vector<d4::Option>{opt(175, "2c0101ff"), opt(43, "010101ff")}));
}

TEST(EncapOptions, ViEncapOne125PerEnterprise) {
  auto o = options({"--dhcp-option=vi-encap:3561,1,hello", "--dhcp-option=vi-encap:3561,2,192.0.2.9",
                    "--dhcp-option=vi-encap:9,4,01:02:03"});
  // Enterprise number, data-len, sub-options; no END.
  EXPECT_EQ(build(o, {{}, std::vector<int>{125}, std::nullopt}),
            (std::vector<d4::Option>{opt(125, "00000009050403010203"),
                                     opt(125, "00000de90d0204c0000209010568656c6c6f")}));
  EXPECT_TRUE(build(o, {{}, std::vector<int>{1, 3}, std::nullopt}).empty());
}

TEST(EncapOptions, TagsCopiesAndForce) {
  auto o = options({"--dhcp-option=encap:175,1,1", "--dhcp-option=tag:known,encap:175,1,2",
                    "--dhcp-option=tag:nomatch,encap:175,3,3", "--dhcp-option=encap:175,4,4",
                    "--dhcp-option=tag:nomatch,encap:178,1,1"});
  // A tagged entry does not hide an untagged one with the same code (dnsmasq sends both).
  EXPECT_EQ(build(o, {{"known"}, std::vector<int>{175, 178}, std::nullopt}),
            (std::vector<d4::Option>{opt(175, "040104010102010101ff")}));
  EXPECT_EQ(build(o, {{}, std::vector<int>{175, 178}, std::nullopt}),
            (std::vector<d4::Option>{opt(175, "040104010101ff")}));
  auto f = options({"--dhcp-option-force=encap:175,1,1", "--dhcp-option=encap:175,2,2",
                    "--dhcp-option-force=vi-encap:3561,1,x", "--dhcp-option-force=vendor:PXEClient,9,y",
                    "--dhcp-option=encap:176,1,1"});
  // Not asked for: only the forced sub-options.
  EXPECT_EQ(build(f, {{}, std::vector<int>{1, 3}, "PXEClient"}),
            (std::vector<d4::Option>{opt(125, "00000de903010178"), opt(175, "010101ff"), opt(43, "090179ff")}));
  // A forced vendor: entry takes the other matching ones along.
  auto v = options({"--dhcp-option=vendor:PXEClient,1,192.0.2.9", "--dhcp-option-force=vendor:PXE,2,1",
                    "--dhcp-option=vendor:PXE,3,1", "--dhcp-option=vendor:MSFT,4,1"});
  EXPECT_EQ(build(v, {{}, std::vector<int>{1, 3}, "PXEClient:Arch:00000"}),
            (std::vector<d4::Option>{opt(43, "0301010201010104c0000209ff")}));
  EXPECT_EQ(build(v, {{}, std::vector<int>{1, 3}, "MSFT"}), std::vector<d4::Option>{});
  EXPECT_EQ(build(f, {{}, std::vector<int>{175}, std::nullopt}),
            (std::vector<d4::Option>{opt(125, "00000de903010178"), opt(175, "020102010101ff")}));
}

TEST(EncapOptions, SizeLimits) {
  std::string a(200, 'a'), b(60, 'b');
  auto o = options({"--dhcp-option=encap:175,1," + a, "--dhcp-option=encap:175,2," + b,
                    "--dhcp-option=encap:175,3,c", "--dhcp-option=vi-encap:3561,1," + std::string(240, 'd'),
                    "--dhcp-option=vi-encap:3561,2,eeee", "--dhcp-option=vi-encap:3561,3,ffffffffff",
                    "--dhcp-option=vi-encap:7,1," + std::string(244, 'g')});
  std::vector<std::string> notes;
  auto r = build(o, {{}, std::vector<int>{175, 125}, std::nullopt}, &notes);
  // 175 over 255 bytes: a second copy where the next sub-option does not fit, END in it.
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].code, 125);
  EXPECT_EQ(r[0].data.size(), 5u + 246u);
  EXPECT_EQ(r[0].data[4], 246);
  EXPECT_EQ(r[1], opt(175, "030163023c" + [] {
              std::string h;
              for (int i = 0; i < 60; ++i) h += "62";
              return h;
            }()));
  EXPECT_EQ(r[2].code, 175);
  EXPECT_EQ(r[2].data.size(), 203u);
  EXPECT_EQ(r[2].data.back(), 255);
  // vi-encap 3561: 12 + 6 + 242 > 250 bytes of sub-options: not sent, logged.
  EXPECT_EQ(notes, (std::vector<std::string>{
                       "cannot send RFC3925 option: too many options for enterprise number 3561"}));
  // Exactly 255 bytes: one copy.
  auto e = options({"--dhcp-option=encap:175,1," + a, "--dhcp-option=encap:175,2," + std::string(50, 'b')});
  auto r2 = build(e, {{}, std::nullopt, std::nullopt});
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].data.size(), 255u);
  EXPECT_EQ(r2[0].data.back(), 255);
}

// In the engine: after the plain options, 60 echoed after a vendor: 43, and a sub-option
// code never pulls the plain option with that code forward (vendor:PXE,3 is not option 3).
d4::Dhcp4Packet discover(std::vector<uint8_t> prl, std::string vendor) {
  d4::Header h = testing::client_header(0x78);
  std::vector<d4::Option> o{{d4::opt::MessageType, {static_cast<uint8_t>(d4::MessageType::Discover)}},
                            {d4::opt::ParameterRequestList, prl}};
  if (!vendor.empty()) o.push_back({d4::opt::VendorClass, {vendor.begin(), vendor.end()}});
  auto raw = d4::build(h, o, {}).bytes;
  auto p = d4::Dhcp4Packet::parse(raw);
  EXPECT_TRUE(p.ok());
  return *p;
}

TEST(EncapOptions, EngineOrderAndVendorClassEcho) {
  auto config = load_config({"-p", "0", "--no-ping", "--dhcp-range=192.0.2.100,192.0.2.150,1h",
                             "--dhcp-option=3,192.0.2.254", "--dhcp-option=80,1",
                             "--dhcp-option=vendor:PXE,3,1", "--dhcp-option=encap:175,1,5"});
  MemoryLeaseStore store;
  Dhcp4Engine engine(config, store);
  InterfaceInfo ifi{"veth0", 7, {{*IpAddr::parse_v4("192.0.2.1"), *IpAddr::parse_v4("255.255.255.0")}}};
  const sys_seconds now{std::chrono::seconds{1'800'000'000}};
  auto r = engine.handle(discover({1, 3, 43, 80, 175}, "PXEClient:Arch:00000"), ifi, now);
  ASSERT_TRUE(r.reply);
  std::vector<uint8_t> codes;
  for (const auto& o : r.reply->options) codes.push_back(o.code);
  EXPECT_EQ(codes, (std::vector<uint8_t>{53, 54, 51, 58, 59, 1, 28, 80, 3, 175, 43, 60}));
  EXPECT_EQ(r.reply->options[10].data, hex("030101ff"));
  EXPECT_EQ(r.reply->options[11].data, (std::vector<uint8_t>{'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':',
                                                             'A', 'r', 'c', 'h', ':', '0', '0', '0', '0', '0'}));
  // No vendor class: no 43, no 60.
  auto r2 = engine.handle(discover({1, 3, 43, 175}, ""), ifi, now);
  ASSERT_TRUE(r2.reply);
  for (const auto& o : r2.reply->options) EXPECT_TRUE(o.code != 43 && o.code != 60) << int(o.code);
}

}  // namespace
}  // namespace masqd::dhcp
