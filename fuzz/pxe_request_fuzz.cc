// Fuzz target: PXE handling (src/dhcp/pxe, the engine's PXE paths). The first input byte
// picks the config (bit 0: a normal range with a menu and prompt, or a proxy range) and
// the port (bit 1: 67 or the 4011 boot server); the rest is one client packet. Whatever
// comes in: no crash, PXE detection reads option 43 safely, every reply builds and parses
// back, every option 43 holds whole sub-options ending in END, nothing on port 4011 or in
// proxy mode touches the lease store, a proxy reply offers no address, and a boot-item
// reply gives the client its own address back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "config/loader.h"
#include "fixed_config.h"
#include "dhcp/dhcp4_engine.h"
#include "dhcp/memory_lease_store.h"
#include "dhcp/pxe.h"

using namespace masqd;
namespace d4 = masqd::proto::dhcp4;

namespace {

config::Config load(std::vector<std::string> args) {
  args.insert(args.begin(), {"masqd", "-p", "0"});
  return fuzz::load_fixed_config(std::move(args));
}

const config::Config& normal_config() {
  static const config::Config c = load(
      {"--dhcp-range=192.0.2.100,192.0.2.110,1h", "--pxe-prompt=Press F8,5",
       "--pxe-prompt=tag:lab,Lab", "--pxe-service=x86PC,Boot from network,pxelinux",
       "--pxe-service=x86PC,Local,0", "--pxe-service=x86-64_EFI,EFI,bootx64.efi,192.0.2.9",
       "--pxe-service=BC_EFI,Net,5", "--dhcp-boot=boot.0,bsrv,192.0.2.8", "--dhcp-match=set:lab,93,7"});
  return c;
}

const config::Config& proxy_config() {
  static const config::Config c = load(
      {"--dhcp-range=192.0.2.0,proxy", "--dhcp-pxe-vendor=PXEClient,HW-Client",
       "--pxe-service=x86PC,Boot,pxelinux", "--pxe-service=x86-64_EFI,EFI,efi",
       "--pxe-service=BC_EFI,A,a", "--pxe-service=BC_EFI,B,b,192.0.2.7", "--dhcp-host=02:00:00:00:00:66,ignore"});
  return c;
}

bool whole_suboptions(const std::vector<uint8_t>& v) {
  size_t i = 0;
  while (i < v.size()) {
    if (v[i] == 255) return i + 1 == v.size();
    if (i + 1 >= v.size() || i + 2 + v[i + 1] > v.size()) return false;
    i += 2 + v[i + 1];
  }
  return true;  // a split option 43 without END yet
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool proxy = data[0] & 1, boot_port = data[0] & 2;
  const config::Config& cfg = proxy ? proxy_config() : normal_config();
  auto pkt = d4::Dhcp4Packet::parse(d4::Bytes(data + 1, size - 1));
  if (!pkt) return 0;
  auto px = dhcp::pxe::detect(*pkt, cfg.dhcp);
  if (px && px->boot_item && px->item_type() != (((*px->boot_item)[0] << 8) | (*px->boot_item)[1])) std::abort();
  dhcp::MemoryLeaseStore store;
  dhcp::Dhcp4Engine engine(cfg, store);
  engine.seed_random(1);
  dhcp::InterfaceInfo iface{"veth0", 3, {{*IpAddr::parse_v4("192.0.2.1"), *IpAddr::parse_v4("255.255.255.0")}}};
  auto out = engine.handle(*pkt, iface, std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}}, boot_port);
  if ((boot_port || proxy) && (out.store_changed || store.size() != 0)) std::abort();
  if (!out.reply) return 0;
  const auto& r = *out.reply;
  for (const auto& o : r.options)
    if (o.code == 43 && (o.data.empty() || o.data.size() > 255 || !whole_suboptions(o.data))) std::abort();
  auto built = d4::build(r.header, r.options, r.limits);
  auto back = d4::Dhcp4Packet::parse(built.bytes);
  if (!back || !back->message_type()) std::abort();
  if (proxy && !boot_port && !r.header.yiaddr.is_unspecified()) std::abort();
  if (boot_port && px && px->boot_item && r.header.yiaddr != pkt->header().ciaddr) std::abort();
  if (out.log.empty()) std::abort();  // every answer is logged
  return 0;
}
