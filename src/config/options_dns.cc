// DNS-side options: listening, forwarding, cache, local data, filters, DNSSEC,
// authoritative zones, integrations. One row per option; parsers beside their rows.
#include "config/config.h"
#include "base/text.h"
#include "config/option_table.h"

namespace masqd::config {

namespace {
const OptionSpec kDnsOptions[] = {
    {"port", 'p', ArgShape::Required, Repeat::Once, Support::Built, "<integer>",
     "UDP and TCP port to serve DNS on (0 turns DNS off; default 53).",
     [](ParseContext& ctx, const OptArg* arg) -> Result<void> {
       auto v = text::parse_uint<uint16_t>(arg->view());
       if (!v) return make_error("");
       ctx.config.dns.port = *v;
       return ok();
     }},
};
}  // namespace

OptionArea dns_area() { return {"dns", kDnsOptions, nullptr}; }

}  // namespace masqd::config
