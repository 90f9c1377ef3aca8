// Dhcp4Engine decisions of the P1 options --dhcp-ignore-names, --dhcp-generate-names,
// --dhcp-broadcast, and the data the service hands it from files (set_file_data: opts
// files, ethers/hosts-data changes to dhcp-host entries). Each expectation was seen with
// dnsmasq 2.90 first (tests/compat/test_dhcp_opts_compat.py compares them live). The
// helpers are kept apart from dhcp4_engine_test.cc's on purpose (that file is shared with
// other work in progress); they only build packets and load configs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/loader.h"
#include "dhcp/test_config.h"
#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/opts_file.h"

// Requests are written with designated initialisers naming only what differs.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace masqd::dhcp {
namespace {

namespace d4 = proto::dhcp4;
const std::chrono::sys_seconds kNow{std::chrono::seconds{1'800'000'000}};
using testing::ip;

config::Config load(std::vector<std::string> args) {
  args.insert(args.begin(), "--dhcp-range=192.0.2.100,192.0.2.150,1h");
  return testing::load_config(std::move(args));
}

struct Req {
  d4::MessageType type = d4::MessageType::Request;
  uint8_t last = 1;  // MAC 02:00:00:00:00:<last>
  bool broadcast = true;
  IpAddr requested = ip("192.0.2.120");
  std::string hostname;

  d4::Dhcp4Packet parse() const {
    d4::Header h = testing::client_header(0x77, last);
    if (!broadcast) h.flags = 0;
    auto a = [](uint8_t code, const IpAddr& x) {
      return d4::Option{code, {x.bytes()[0], x.bytes()[1], x.bytes()[2], x.bytes()[3]}};
    };
    std::vector<d4::Option> o{{d4::opt::MessageType, {static_cast<uint8_t>(type)}},
                              {d4::opt::ParameterRequestList, {1, 3, 12, 42}}};
    if (type == d4::MessageType::Request) {
      o.push_back(a(d4::opt::RequestedAddress, requested));
      o.push_back(a(d4::opt::ServerId, ip("192.0.2.1")));
    }
    if (!hostname.empty()) o.push_back({d4::opt::Hostname, {hostname.begin(), hostname.end()}});
    auto p = d4::Dhcp4Packet::parse(d4::build(h, o, {}).bytes);
    EXPECT_TRUE(p.ok());
    return *p;
  }
};

struct Engine {
  explicit Engine(std::vector<std::string> args) : config(load(std::move(args))), engine(config, store) {}
  config::Config config;
  MemoryLeaseStore store;
  Dhcp4Engine engine;
  Dhcp4Result run(const Req& r) {
    return engine.handle(r.parse(), {"veth0", 7, {{ip("192.0.2.1"), ip("255.255.255.0")}}}, kNow);
  }
};

std::string opt_text(const Dhcp4Result& r, uint8_t code) {
  if (!r.reply) return "<no reply>";
  for (const auto& o : r.reply->options)
    if (o.code == code) return std::string(o.data.begin(), o.data.end());
  return "<absent>";
}

TEST(Dhcp4EngineNames, IgnoreNamesDropsTheClientsNameButNotAConfiguredOne) {
  Engine e({"--dhcp-ignore-names=tag:known", "--dhcp-host=02:00:00:00:00:02,192.0.2.130",
            "--dhcp-host=02:00:00:00:00:03,192.0.2.131,cfgname"});
  Req unknown{.last = 1, .hostname = "alpha"};
  auto a = e.run(unknown);
  EXPECT_EQ(opt_text(a, 12), "alpha");  // not tagged "known": the name stays
  auto b = e.run(Req{.last = 2, .requested = ip("192.0.2.130"), .hostname = "beta"});
  EXPECT_EQ(opt_text(b, 12), "<absent>");
  EXPECT_EQ(b.log.back(), "DHCPACK(veth0) 192.0.2.130 02:00:00:00:00:02 ");
  EXPECT_EQ(e.store.find(ip("192.0.2.130"))->hostname, "");
  auto c = e.run(Req{.last = 3, .requested = ip("192.0.2.131"), .hostname = "gamma"});
  EXPECT_EQ(opt_text(c, 12), "cfgname");
  EXPECT_EQ(e.store.find(ip("192.0.2.131"))->hostname, "cfgname");
}

TEST(Dhcp4EngineNames, IgnoreNamesWithoutTagsAppliesToEveryone) {
  Engine e({"--dhcp-ignore-names"});
  auto a = e.run(Req{.hostname = "alpha.example.org"});
  EXPECT_EQ(opt_text(a, 12), "<absent>");
  EXPECT_EQ(e.store.find(ip("192.0.2.120"))->hostname, "");
  for (const auto& line : a.log) EXPECT_EQ(line.find("Ignoring domain"), std::string::npos) << line;
}

TEST(Dhcp4EngineNames, GenerateNamesFromTheMacOnlyForNamelessClients) {
  Engine e({"--dhcp-generate-names"});
  auto a = e.run(Req{.last = 0x0a});
  EXPECT_EQ(opt_text(a, 12), "02-00-00-00-00-0a");
  EXPECT_EQ(a.log.back(), "DHCPACK(veth0) 192.0.2.120 02:00:00:00:00:0a 02-00-00-00-00-0a");
  EXPECT_EQ(e.store.find(ip("192.0.2.120"))->hostname, "02-00-00-00-00-0a");
  auto b = e.run(Req{.last = 0x0b, .requested = ip("192.0.2.121"), .hostname = "named"});
  EXPECT_EQ(opt_text(b, 12), "named");
  // An OFFER carries no generated name (dnsmasq 2.90 names the client at the ACK).
  auto c = e.run(Req{.type = d4::MessageType::Discover, .last = 0x0c});
  EXPECT_EQ(opt_text(c, 12), "<absent>");
}

TEST(Dhcp4EngineNames, GenerateNamesByTagAfterIgnoreNames) {
  Engine e({"--dhcp-ignore-names", "--dhcp-generate-names=tag:veth0", "--dhcp-generate-names=tag:other"});
  auto a = e.run(Req{.last = 0x0d, .hostname = "sent"});
  EXPECT_EQ(opt_text(a, 12), "02-00-00-00-00-0d");
  Engine none({"--dhcp-generate-names=tag:other"});
  EXPECT_EQ(opt_text(none.run(Req{.last = 0x0d}), 12), "<absent>");
}

TEST(Dhcp4EngineNames, BroadcastForcesTheFlagAndTheDestination) {
  Engine all({"--dhcp-broadcast"});
  auto a = all.run(Req{.type = d4::MessageType::Discover, .broadcast = false});
  ASSERT_TRUE(a.reply);
  EXPECT_EQ(a.reply->destination.kind, Dhcp4Destination::Kind::Broadcast);
  EXPECT_EQ(a.reply->header.flags, 0x8000);
  auto b = all.run(Req{.broadcast = false});
  ASSERT_TRUE(b.reply);
  EXPECT_EQ(b.reply->destination.kind, Dhcp4Destination::Kind::Broadcast);
  EXPECT_EQ(b.reply->header.flags, 0x8000);

  Engine tagged({"--dhcp-broadcast=tag:nomatch"});
  auto c = tagged.run(Req{.type = d4::MessageType::Discover, .broadcast = false});
  ASSERT_TRUE(c.reply);
  EXPECT_EQ(c.reply->destination.kind, Dhcp4Destination::Kind::UnicastArp);
  EXPECT_EQ(c.reply->header.flags, 0);
}

TEST(Dhcp4EngineFiles, OptsFileOptionsAreNewerThanTheConfiguredOnesAndReplacedWhole) {
  Engine e({"--dhcp-option=42,192.0.2.7"});
  auto addr42 = [&] {
    auto r = e.run(Req{.type = d4::MessageType::Discover});
    std::string v = opt_text(r, 42);
    return v.size() == 4 ? IpAddr::v4({uint8_t(v[0]), uint8_t(v[1]), uint8_t(v[2]), uint8_t(v[3])}).to_string() : v;
  };
  EXPECT_EQ(addr42(), "192.0.2.7");
  config::Config parsed = load({"--dhcp-option=42,192.0.2.5", "--dhcp-option=option:ntp-server,192.0.2.6"});
  e.engine.set_file_data({e.config.dhcp.hosts, {}, parsed.dhcp.options4});
  EXPECT_EQ(addr42(), "192.0.2.6");  // the last line read is the newest
  auto r = e.run(Req{.type = d4::MessageType::Discover});
  EXPECT_EQ(std::count(r.log.begin(), r.log.end(), "Ignoring duplicate dhcp-option 42"), 2);
  e.engine.set_file_data({e.config.dhcp.hosts, {}, {}});
  EXPECT_EQ(addr42(), "192.0.2.7");
}

TEST(Dhcp4EngineFiles, ConfiguredHostsAsTheFilesLeftThem) {
  Engine e({"--dhcp-host=02:00:00:00:00:05,named"});
  auto before = e.run(Req{.type = d4::MessageType::Discover, .last = 5});
  ASSERT_TRUE(before.reply);
  EXPECT_NE(before.reply->header.yiaddr, ip("192.0.2.141"));
  auto hosts = e.config.dhcp.hosts;
  hosts[0].addr4 = ip("192.0.2.141");  // what the hosts data gives "named"
  e.engine.set_file_data({hosts, {}, {}});
  auto after = e.run(Req{.type = d4::MessageType::Discover, .last = 5});
  ASSERT_TRUE(after.reply);
  EXPECT_EQ(after.reply->header.yiaddr, ip("192.0.2.141"));
}

TEST(Dhcp4EngineFiles, HostWithAnAddressOffTheNetworkDoesNotApply) {
  // dnsmasq 2.90: the client is not "known" there, gets a dynamic address and no name.
  Engine e({"--dhcp-host=02:00:00:00:00:06,198.51.100.7,far", "--dhcp-option-force=tag:known,200,1"});
  auto r = e.run(Req{.type = d4::MessageType::Discover, .last = 6});
  ASSERT_TRUE(r.reply);
  EXPECT_NE(r.reply->header.yiaddr, ip("198.51.100.7"));
  EXPECT_EQ(opt_text(r, 12), "<absent>");
  EXPECT_EQ(opt_text(r, 200), "<absent>");
}

TEST(Dhcp4EngineFiles, BootOptionsStandInForDhcpBoot) {
  // The man page's way to put --dhcp-boot in an opts file: names not asked for go in the
  // BOOTP fields, server-ip-address sets siaddr (seen with dnsmasq 2.90).
  Engine e({"--dhcp-option=option:bootfile-name,pxelinux.0", "--dhcp-option=option:tftp-server,bootsrv",
            "--dhcp-option=option:server-ip-address,192.0.2.7"});
  auto r = e.run(Req{.type = d4::MessageType::Discover});
  ASSERT_TRUE(r.reply);
  const auto& h = r.reply->header;
  EXPECT_EQ(h.siaddr, ip("192.0.2.7"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(h.file.data())), "pxelinux.0");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(h.sname.data())), "bootsrv");
  EXPECT_EQ(opt_text(r, 67), "<absent>");
  EXPECT_EQ(opt_text(r, 255), "<absent>");
  // Asked for (or forced): sent as options, NUL-terminated.
  Engine forced({"--dhcp-option-force=option:bootfile-name,forced.0"});
  auto f = forced.run(Req{.type = d4::MessageType::Discover});
  EXPECT_EQ(opt_text(f, 67), std::string("forced.0\0", 9));
  EXPECT_EQ(f.reply->header.file[0], 0);
}

}  // namespace
}  // namespace masqd::dhcp
