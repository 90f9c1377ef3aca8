// DHCPv4, DHCPv6, router advertisement, TFTP and PXE options. One row per option;
// parsers beside their rows.
#include "config/config.h"
#include "config/option_table.h"

namespace masqd::config {

namespace {
const OptionSpec kDhcpOptions[] = {
    {"dhcp-leasefile", 'l', ArgShape::Required, Repeat::Once, Support::NotYet, "<path>",
     "File that holds the DHCP lease database.",
     [](ParseContext& ctx, const OptArg* arg) -> Result<void> {
       ctx.config.dhcp.lease_file = arg->text();
       return ok();
     }},
};
}  // namespace

OptionArea dhcp_area() { return {"dhcp", kDhcpOptions, nullptr}; }

}  // namespace masqd::config
