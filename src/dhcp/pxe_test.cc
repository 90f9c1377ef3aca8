// PXE: option 43 encoding and the engine's PXE decisions. Expected bytes are dnsmasq
// 2.90's replies to the same packets (captured with tests/compat/test_pxe_compat.py).
#include "dhcp/pxe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/loader.h"
#include "dhcp/test_config.h"
#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"

namespace masqd::dhcp {
namespace {

namespace d4 = proto::dhcp4;
using std::chrono::seconds;
using std::chrono::sys_seconds;

using testing::ip;
using testing::kNow;

using testing::load_config;

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
std::vector<uint8_t> hex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

const std::vector<uint8_t> kUuid = hex("0102030405060708090a0b0c0d0e0f10");
const std::vector<uint8_t> kPrl{1, 3, 6, 43, 60, 66, 67};

struct PxePkt {
  d4::MessageType type = d4::MessageType::Discover;
  std::optional<uint16_t> arch = 0;
  std::string vendor = "PXEClient:Arch:00000:UNDI:002001";
  bool uuid = true;
  std::optional<std::vector<uint8_t>> prl = kPrl;
  IpAddr ciaddr = ip("0.0.0.0");
  IpAddr giaddr = ip("0.0.0.0");
  std::optional<std::array<uint8_t, 4>> item;

  d4::Dhcp4Packet parse() const {
    d4::Header h = testing::client_header(0x77);
    h.ciaddr = ciaddr;
    h.giaddr = giaddr;
    h.hops = giaddr.is_unspecified() ? 0 : 1;
    std::vector<d4::Option> o{{d4::opt::MessageType, {static_cast<uint8_t>(type)}}};
    if (prl) o.push_back({d4::opt::ParameterRequestList, *prl});
    if (arch) o.push_back({93, {static_cast<uint8_t>(*arch >> 8), static_cast<uint8_t>(*arch)}});
    o.push_back({94, {1, 2, 1}});
    if (uuid) {
      d4::Option u{97, {0}};
      u.data.insert(u.data.end(), kUuid.begin(), kUuid.end());
      o.push_back(u);
    }
    if (!vendor.empty()) o.push_back({d4::opt::VendorClass, bytes(vendor)});
    if (item) o.push_back({43, {71, 4, (*item)[0], (*item)[1], (*item)[2], (*item)[3], 255}});
    auto raw = d4::build(h, o, {}).bytes;
    auto p = d4::Dhcp4Packet::parse(raw);
    EXPECT_TRUE(p.ok());
    return *p;
  }
};

InterfaceInfo veth0() { return {"veth0", 7, {{ip("192.0.2.1"), ip("255.255.255.0")}}}; }

struct Fixture {
  explicit Fixture(std::vector<std::string> args) : config(load_config(std::move(args))), engine(config, store) {}
  config::Config config;
  MemoryLeaseStore store;
  Dhcp4Engine engine;
  Dhcp4Result run(const PxePkt& p, bool port4011 = false) { return engine.handle(p.parse(), veth0(), kNow, port4011); }
};

const d4::Option* find_opt(const Dhcp4Reply& r, uint8_t code) {
  for (const auto& o : r.options)
    if (o.code == code) return &o;
  return nullptr;
}
std::vector<uint8_t> codes(const Dhcp4Reply& r) {
  std::vector<uint8_t> c;
  for (const auto& o : r.options) c.push_back(o.code);
  return c;
}
std::string field(const auto& f) { return std::string(reinterpret_cast<const char*>(f.data()), strnlen(reinterpret_cast<const char*>(f.data()), f.size())); }

const std::vector<std::string> kNormal = {
    "--dhcp-range=192.0.2.100,192.0.2.150,1h", "--pxe-prompt=Press F8,5",
    "--pxe-service=x86PC,Boot from network,pxelinux", "--pxe-service=x86PC,Local disk,0",
    "--pxe-service=x86-64_EFI,EFI boot,bootx64.efi"};
const std::vector<std::string> kProxy = {
    "--dhcp-range=192.0.2.0,proxy", "--pxe-service=x86PC,Boot from network,pxelinux",
    "--pxe-service=x86-64_EFI,EFI boot,bootx64.efi", "--pxe-service=BC_EFI,A,a",
    "--pxe-service=BC_EFI,B,b"};

auto any_tags = [](const config::TagList& t) { return t.empty(); };

// ---- pure encoding ----

TEST(Pxe, MenuWithConfiguredPromptAsDnsmasq) {
  auto c = load_config(kNormal);
  auto prompts = pxe::configured_prompts(c.dhcp, bytes("PXEClient:Arch:00000"), any_tags);
  EXPECT_EQ(prompts, hex("0a09055072657373204638"));
  auto subs = pxe::menu_suboptions(c.dhcp, 0, any_tags, ip("192.0.2.1"), prompts);
  auto opts = pxe::vendor_options(subs);
  ASSERT_EQ(opts.size(), 1u);
  EXPECT_EQ(opts[0].code, 43);
  // 6=3, servers (0x8000 at us), menu (two entries, local boot last), the prompt, END.
  EXPECT_EQ(opts[0].data, hex("0601030807800001c00002010921800011426f6f742066726f6d206e6574776f726b00000a4c6f63616c20"
                              "6469736b0a09055072657373204638ff"));
}

TEST(Pxe, DefaultPromptWaitsOnlyWithAChoice) {
  auto c = load_config(kProxy);
  auto one = pxe::menu_suboptions(c.dhcp, 0, any_tags, ip("192.0.2.1"), {});
  EXPECT_EQ(one, hex("0601030a04005058450807800001c00002010914800011426f6f742066726f6d206e6574776f726b"));
  auto two = pxe::menu_suboptions(c.dhcp, 9, any_tags, ip("192.0.2.1"), {});
  EXPECT_EQ(two, hex("0601030a04ff505845080e800201c0000201800301c000020109088002014180030142"));
  // No entry for the architecture: discovery control 8 (boot the file in the reply).
  auto none = pxe::menu_suboptions(c.dhcp, 2, any_tags, ip("192.0.2.1"), {});
  EXPECT_EQ(none, hex("0601080a0400505845"));
}

TEST(Pxe, ServiceAddressAndTags) {
  auto c = load_config({"--dhcp-range=192.0.2.0,proxy", "--pxe-service=x86PC,Boot,pxelinux,192.0.2.77",
                        "--pxe-service=tag:lab,x86PC,Lab,lab", "--pxe-service=x86PC,Disk,0"});
  auto subs = pxe::menu_suboptions(c.dhcp, 0, any_tags, ip("192.0.2.1"), {});
  // A service with a boot file is listed at our address (its own server is for the 4011
  // reply), as dnsmasq 2.90 does.
  EXPECT_EQ(subs, hex("0601030a04ff5058450807800001c0000201090e800004426f6f740000044469736b"));
  auto lab = [](const config::TagList& t) { return t.empty() || t == config::TagList{"lab"}; };
  auto with = pxe::menu_suboptions(c.dhcp, 0, lab, ip("192.0.2.1"), {});
  EXPECT_EQ(with, hex("0601030a04ff505845080e800001c0000201800101c0000201"
                      "0914800004426f6f748001034c61620000044469736b"));
  // A discovery type without a server: not listed, broadcast discovery allowed (6 = 2).
  auto n = load_config({"--dhcp-range=192.0.2.0,proxy", "--pxe-service=x86PC,Net,5",
                        "--pxe-service=x86PC,Boot,pxelinux", "--pxe-service=x86PC,Far,6,192.0.2.78"});
  EXPECT_EQ(pxe::menu_suboptions(n.dhcp, 0, any_tags, ip("192.0.2.1"), {}),
            hex("0601020a04ff505845080e800001c0000201000601c000024e"
                "0913" "0005034e6574" "800004426f6f74" "000603466172"));
}

TEST(Pxe, BootFileNames) {
  config::PxeService s;
  s.basename = "pxelinux";
  EXPECT_EQ(pxe::boot_file(s, 0), "pxelinux.0");
  EXPECT_EQ(pxe::boot_file(s, 3), "pxelinux.3");
  s.basename = "bootx64.efi";
  EXPECT_EQ(pxe::boot_file(s, 3), "bootx64.efi");
}

TEST(Pxe, UefiShortcutOnlyForOneEfiService) {
  auto c = load_config(kProxy);
  EXPECT_EQ(pxe::single_uefi_service(c.dhcp, 0, any_tags), nullptr);  // not EFI
  auto* one = pxe::single_uefi_service(c.dhcp, 7, any_tags);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->basename, "bootx64.efi");
  EXPECT_EQ(pxe::single_uefi_service(c.dhcp, 9, any_tags), nullptr);  // two: a menu
}

TEST(Pxe, DetectNeedsPxeOnAndAVendorPrefix) {
  auto off = load_config({"--dhcp-range=192.0.2.100,192.0.2.150"});
  EXPECT_FALSE(pxe::detect(PxePkt{}.parse(), off.dhcp));
  auto c = load_config(kNormal);
  auto px = pxe::detect(PxePkt{}.parse(), c.dhcp);
  ASSERT_TRUE(px);
  EXPECT_EQ(px->vendor, "PXEClient");
  EXPECT_EQ(px->arch, 0);
  ASSERT_TRUE(px->uuid);
  EXPECT_TRUE(std::equal(kUuid.begin(), kUuid.end(), px->uuid->begin()));
  PxePkt x;
  x.vendor = "xPXEClient";
  EXPECT_FALSE(pxe::detect(x.parse(), c.dhcp));
  // --dhcp-pxe-vendor replaces PXEClient (dnsmasq 2.90 on the wire).
  auto v = load_config({"--dhcp-range=192.0.2.0,proxy", "--dhcp-pxe-vendor=HW-Client,Foo"});
  EXPECT_FALSE(pxe::detect(PxePkt{}.parse(), v.dhcp));
  PxePkt hw;
  hw.vendor = "HW-Client:Arch:00000";
  auto hx = pxe::detect(hw.parse(), v.dhcp);
  ASSERT_TRUE(hx);
  EXPECT_EQ(hx->vendor, "HW-Client");
}

TEST(Pxe, BootItemFromOption43) {
  auto c = load_config(kNormal);
  PxePkt p;
  p.item = std::array<uint8_t, 4>{0x80, 0x01, 0x00, 0x03};
  auto px = pxe::detect(p.parse(), c.dhcp);
  ASSERT_TRUE(px && px->boot_item);
  EXPECT_EQ(px->item_type(), 0x8001);
  EXPECT_EQ(px->item_layer(), 3);
}

TEST(Pxe, LongSubOptionsSplitIntoSeveralOption43) {
  std::vector<uint8_t> subs;
  for (int i = 0; i < 3; ++i) {
    subs.push_back(10);
    subs.push_back(120);
    subs.insert(subs.end(), 120, 'x');
  }
  auto opts = pxe::vendor_options(subs);
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts[0].data.size(), 244u);
  EXPECT_EQ(opts[1].data.size(), 123u);  // the last one ends with END
  EXPECT_EQ(opts[1].data.back(), 255);
}

// ---- engine decisions ----

TEST(PxeEngine, NormalRangeOfferCarriesPxeOptionsLast) {
  Fixture f(kNormal);
  auto out = f.run(PxePkt{});
  ASSERT_TRUE(out.reply);
  auto c = codes(*out.reply);
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(std::vector<uint8_t>(c.end() - 3, c.end()), (std::vector<uint8_t>{60, 97, 43}));
  EXPECT_EQ(find_opt(*out.reply, 60)->data, bytes("PXEClient"));
  EXPECT_EQ(find_opt(*out.reply, 97)->data.size(), 17u);
  EXPECT_FALSE(out.reply->header.yiaddr.is_unspecified());
}

TEST(PxeEngine, NormalRangeWithoutOption43RequestedSendsIdentityOnly) {
  Fixture f(kNormal);
  PxePkt p;
  p.prl = std::vector<uint8_t>{1, 3, 6};
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  EXPECT_TRUE(find_opt(*out.reply, 60));
  EXPECT_FALSE(find_opt(*out.reply, 43));
}

TEST(PxeEngine, NormalRangeSingleEfiServiceLeavesMenuOut) {
  Fixture f(kNormal);
  PxePkt p;
  p.arch = 7;
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  EXPECT_EQ(find_opt(*out.reply, 43)->data, hex("0a09055072657373204638ff"));
}

TEST(PxeEngine, VendorClassEchoedAfterPromptOnly) {
  Fixture f(kNormal);
  PxePkt p;
  p.arch.reset();
  p.vendor = "xxPXEClient";  // not a PXE client, but its class holds PXEClient: the prompt
  p.prl = std::vector<uint8_t>{1, 3, 43};
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  auto c = codes(*out.reply);
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ(std::vector<uint8_t>(c.end() - 2, c.end()), (std::vector<uint8_t>{43, 60}));
  EXPECT_EQ(find_opt(*out.reply, 43)->data, hex("0a09055072657373204638ff"));
  EXPECT_EQ(find_opt(*out.reply, 60)->data, bytes("xxPXEClient"));
  // Without a prompt nothing is sent for such a client, and nothing is echoed.
  Fixture g({"--dhcp-range=192.0.2.100,192.0.2.150,1h", "--pxe-service=x86PC,Boot,pxelinux"});
  auto none = g.run(p);
  ASSERT_TRUE(none.reply);
  EXPECT_EQ(find_opt(*none.reply, 43), nullptr);
  EXPECT_EQ(find_opt(*none.reply, 60), nullptr);
}

TEST(PxeEngine, NoArchitectureEchoesVendorClass) {
  Fixture f(kNormal);
  PxePkt p;
  p.arch.reset();
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  auto c = codes(*out.reply);
  EXPECT_EQ(c.back(), 60);
  EXPECT_EQ(find_opt(*out.reply, 60)->data, bytes(p.vendor));
  EXPECT_EQ(find_opt(*out.reply, 97), nullptr);
}

TEST(PxeEngine, ProxyOfferHasNoAddress) {
  Fixture f(kProxy);
  auto out = f.run(PxePkt{});
  ASSERT_TRUE(out.reply);
  const auto& r = *out.reply;
  EXPECT_TRUE(r.header.yiaddr.is_unspecified());
  EXPECT_TRUE(r.header.siaddr.is_unspecified());
  EXPECT_EQ(codes(r), (std::vector<uint8_t>{53, 54, 60, 97, 43}));
  EXPECT_EQ(find_opt(r, 43)->data,
            hex("0601030a04005058450807800001c00002010914800011426f6f742066726f6d206e6574776f726bff"));
  EXPECT_EQ(r.destination.kind, Dhcp4Destination::Kind::Broadcast);
  ASSERT_EQ(out.log.size(), 1u);
  EXPECT_EQ(out.log[0], "PXE(veth0) 02:00:00:00:00:0a proxy");
  EXPECT_EQ(f.store.size(), 0u);
}

// dnsmasq 2.90 answers a relayed PXE DISCOVER from a subnet with a proxy range: the same
// OFFER as on a local link, sent to the relay (giaddr:67), server-id our address.
TEST(PxeEngine, RelayedProxyOfferGoesToTheRelay) {
  Fixture f({"--dhcp-range=198.51.100.0,proxy,255.255.255.0", "--pxe-service=x86PC,Boot from network,pxelinux"});
  PxePkt p;
  p.giaddr = ip("198.51.100.1");
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  const auto& r = *out.reply;
  EXPECT_TRUE(r.header.yiaddr.is_unspecified());
  EXPECT_EQ(r.header.giaddr, ip("198.51.100.1"));
  EXPECT_EQ(codes(r), (std::vector<uint8_t>{53, 54, 60, 97, 43}));
  EXPECT_EQ(find_opt(r, 54)->data, hex("c0000201"));
  EXPECT_EQ(r.destination.kind, Dhcp4Destination::Kind::Relay);
  EXPECT_EQ(r.destination.addr, ip("198.51.100.1"));
  EXPECT_EQ(f.store.size(), 0u);
  // A relay on a subnet without a proxy range: nothing (and no lease).
  p.giaddr = ip("203.0.113.1");
  EXPECT_FALSE(f.run(p).reply);
  EXPECT_EQ(f.store.size(), 0u);
}

TEST(PxeEngine, ProxyRedirectsEfiTo4011) {
  Fixture f(kProxy);
  PxePkt p;
  p.arch = 7;
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  EXPECT_EQ(out.reply->header.siaddr, ip("192.0.2.1"));
  EXPECT_EQ(codes(*out.reply), (std::vector<uint8_t>{53, 54, 60, 97}));
  // On 4011 the single EFI service's file comes back with the server in sname.
  p.type = d4::MessageType::Request;
  p.ciaddr = ip("192.0.2.140");
  auto ack = f.run(p, true);
  ASSERT_TRUE(ack.reply);
  EXPECT_EQ(find_opt(*ack.reply, 53)->data, std::vector<uint8_t>{5});
  EXPECT_EQ(field(ack.reply->header.file), "bootx64.efi");
  EXPECT_EQ(field(ack.reply->header.sname), "192.0.2.1");
  EXPECT_EQ(ack.reply->header.ciaddr, ip("192.0.2.140"));
  EXPECT_EQ(find_opt(*ack.reply, 43), nullptr);
}

TEST(PxeEngine, ProxyIgnoresOtherClientsSilently) {
  Fixture f(kProxy);
  PxePkt p;
  p.vendor = "MSFT 5.0";
  auto out = f.run(p);
  EXPECT_FALSE(out.reply);
  EXPECT_TRUE(out.log.empty());
  PxePkt noarch;
  noarch.arch.reset();
  EXPECT_FALSE(f.run(noarch).reply);
}

TEST(PxeEngine, BootItemOn4011GivesFileForLayer) {
  Fixture f(kNormal);
  PxePkt p;
  p.type = d4::MessageType::Request;
  p.ciaddr = ip("192.0.2.140");
  p.item = std::array<uint8_t, 4>{0x80, 0x00, 0x00, 0x01};
  auto out = f.run(p, true);
  ASSERT_TRUE(out.reply);
  const auto& r = *out.reply;
  EXPECT_EQ(r.header.yiaddr, ip("192.0.2.140"));
  EXPECT_TRUE(r.header.ciaddr.is_unspecified());
  EXPECT_EQ(r.header.siaddr, ip("192.0.2.1"));
  EXPECT_EQ(field(r.header.file), "pxelinux.1");
  EXPECT_EQ(codes(r), (std::vector<uint8_t>{53, 54, 60, 97, 43}));
  EXPECT_EQ(find_opt(r, 43)->data, hex("4704800000010a09055072657373204638ff"));
  EXPECT_EQ(out.log.back(), "PXE(veth0) 192.0.2.140 02:00:00:00:00:0a pxelinux.1");
  // The same packet to port 67 is an ordinary (unknown) renewal: no PXE answer.
  EXPECT_FALSE(f.run(p, false).reply);
}

TEST(PxeEngine, BootItemRefusals) {
  Fixture f(kNormal);
  PxePkt p;
  p.type = d4::MessageType::Request;
  p.ciaddr = ip("192.0.2.140");
  p.item = std::array<uint8_t, 4>{0, 0, 0, 0};  // local boot has no file
  EXPECT_FALSE(f.run(p, true).reply);
  p.item = std::array<uint8_t, 4>{0x80, 0x00, 0x80, 0x00};  // BIS
  auto bis = f.run(p, true);
  EXPECT_FALSE(bis.reply);
  EXPECT_EQ(bis.log, std::vector<std::string>{"PXE BIS not supported"});
  p.item = std::array<uint8_t, 4>{0x80, 0x00, 0x00, 0x00};
  p.ciaddr = ip("0.0.0.0");  // no subnet to answer on
  EXPECT_FALSE(f.run(p, true).reply);
  // A DISCOVER without a boot item on 4011 and no proxy range: nothing.
  PxePkt d;
  EXPECT_FALSE(f.run(d, true).reply);
}

TEST(PxeEngine, ProxyDhcpBootFileAndServer) {
  Fixture f({"--dhcp-range=192.0.2.0,proxy,255.255.255.0", "--dhcp-pxe-vendor=HW-Client,Foo",
             "--pxe-service=x86PC,Boot,pxelinux,192.0.2.77", "--pxe-service=x86PC,Disk,0",
             "--pxe-prompt=tag:nomatch,Never,3", "--dhcp-boot=boot.0,bsrv,192.0.2.9"});
  PxePkt p;
  p.vendor = "HW-Client:Arch:00000";
  auto out = f.run(p);
  ASSERT_TRUE(out.reply);
  EXPECT_EQ(out.reply->header.siaddr, ip("192.0.2.9"));
  EXPECT_EQ(field(out.reply->header.file), "boot.0");
  EXPECT_EQ(field(out.reply->header.sname), "");
  EXPECT_EQ(find_opt(*out.reply, 60)->data, bytes("HW-Client"));
  EXPECT_EQ(find_opt(*out.reply, 43)->data,
            hex("0601030a04ff5058450807800001c0000201090e800004426f6f740000044469736bff"));
}

TEST(PxeEngine, StartupLineForProxyRange) {
  Fixture f(kProxy);
  EXPECT_EQ(f.engine.startup_lines(), std::vector<std::string>{"DHCP, proxy on subnet 192.0.2.0"});
}

}  // namespace
}  // namespace masqd::dhcp
