// PXE network boot, pure: recognising a PXE client in a DHCPv4 request and building what
// dnsmasq 2.90 sends it (option 43 PXE sub-options: menu, prompt, boot servers, discovery
// control; option 60 "PXEClient"; option 97 UUID echo; boot file names). No I/O, no clock,
// no logging: the engine (dhcp4_engine.cc) decides when these apply.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/ip.h"
#include "config/dhcp_config.h"
#include "proto/dhcp4_wire.h"

namespace masqd::dhcp::pxe {

// PXE sub-options of option 43 (PXE spec 2.1, table 2-1).
namespace subopt {
inline constexpr uint8_t kDiscoveryControl = 6;
inline constexpr uint8_t kBootServers = 8;
inline constexpr uint8_t kBootMenu = 9;
inline constexpr uint8_t kMenuPrompt = 10;
inline constexpr uint8_t kBootItem = 71;
}  // namespace subopt

inline constexpr uint16_t kBootServerPort = 4011;

// What a request says about its PXE firmware.
struct PxeClient {
  std::string vendor;                          // the PXE vendor string that matched option 60
  std::optional<uint16_t> arch;                // option 93 (client system architecture)
  std::optional<std::array<uint8_t, 16>> uuid; // option 97 (type byte dropped), 17+ bytes only
  std::optional<std::array<uint8_t, 4>> boot_item;  // option 43 sub-option 71: type, layer
  uint16_t item_type() const { return boot_item ? static_cast<uint16_t>((*boot_item)[0] << 8 | (*boot_item)[1]) : 0; }
  uint16_t item_layer() const { return boot_item ? static_cast<uint16_t>((*boot_item)[2] << 8 | (*boot_item)[3]) : 0; }
};

// Whether PXE is on at all (dnsmasq's enable_pxe): a --pxe-service, a --pxe-prompt or a
// proxy range. Without it PXE clients are ordinary DHCP clients and port 4011 is closed.
bool enabled(const config::DhcpConfig& dc);

// The vendor classes that mark a PXE client: the --dhcp-pxe-vendor list, else "PXEClient"
// (dnsmasq 2.90 uses the list instead of PXEClient once one is given; seen on the wire).
std::vector<std::string> vendors(const config::DhcpConfig& dc);

// A PXE client: option 60 starts with one of vendors(). nullopt for any other request
// (and when PXE is off). Reads options 93, 97 and the sub-options of 43 (untrusted: a
// malformed 43 simply has no boot item).
std::optional<PxeClient> detect(const proto::dhcp4::Dhcp4Packet& pkt, const config::DhcpConfig& dc);

// Tag conditions of the request (the engine's rule: "tag:a,tag:!b").
using TagMatch = std::function<bool(const config::TagList&)>;

// The --pxe-prompt sub-options (10) that apply: tags match and the client's vendor class
// contains a PXE vendor (dnsmasq treats them as vendor-class options). Newest first, each
// encoded as code, length, timeout, text.
std::vector<uint8_t> configured_prompts(const config::DhcpConfig& dc,
                                        std::span<const uint8_t> vendor_class,
                                        const TagMatch& match);

// dnsmasq's PXE sub-options for a client of architecture `arch`: discovery control (6: 3;
// 2 when a discovery type has no server; 8 when no menu entry applies), the default prompt
// (10: wait only when there is a choice, text "PXE") unless `prompts` is non-empty, boot
// servers (8: `local` for entries with a boot file, the given server for discovery types),
// the menu (9: type, text; entries that would make it pass 253 bytes left out), then
// `prompts`. Encoded sub-options, without END.
std::vector<uint8_t> menu_suboptions(const config::DhcpConfig& dc, uint16_t arch,
                                     const TagMatch& match, const IpAddr& local,
                                     std::span<const uint8_t> prompts);

// Option 43 holding `subs` and an END sub-option (255); more than one option 43 when the
// sub-options pass 255 bytes (cut at sub-option boundaries). Empty `subs`: nothing.
std::vector<proto::dhcp4::Option> vendor_options(std::span<const uint8_t> subs);

// Option 60 with the matched vendor string and, when the client sent a UUID, option 97
// (type 0 + the 16 bytes): dnsmasq's echo of the client's identity.
void add_identity(const PxeClient& client, std::vector<proto::dhcp4::Option>& out);

// dnsmasq's UEFI work-around: for an EFI architecture (>= 6), the one service with a boot
// file that matches the client; nullptr when none or several match.
const config::PxeService* single_uefi_service(const config::DhcpConfig& dc, uint16_t arch,
                                              const TagMatch& match);

// The boot file of a service: its basename, with ".<layer>" added unless it has a dot.
std::string boot_file(const config::PxeService& service, uint16_t layer);

// The first service of this type (config order); nullptr when none.
const config::PxeService* service_of_type(const config::DhcpConfig& dc, uint16_t type);

// --dhcp-boot: the newest entry whose tags match, else the newest untagged one.
const config::DhcpBoot* find_boot(const config::DhcpConfig& dc, const TagMatch& match);

// The address of a service's boot server: its address when given (and not 0.0.0.0), else
// `local`.
IpAddr service_server(const config::PxeService& service, const IpAddr& local);

}  // namespace masqd::dhcp::pxe
