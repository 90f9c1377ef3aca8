// Process, config-file and logging options, and masqd's own extension options.
// One row per option; parsers beside their rows.
#include "config/config.h"
#include "config/option_table.h"

namespace masqd::config {

namespace {
const OptionSpec kProcessOptions[] = {
    {"test", 0, ArgShape::None, Repeat::Many, Support::Built, "",
     "Check the configuration's syntax and exit.",
     [](ParseContext& ctx, const OptArg*) -> Result<void> {
       ctx.config.process.test_only = true;
       return ok();
     }},
};
}  // namespace

OptionArea process_area() { return {"process", kProcessOptions, nullptr}; }

}  // namespace masqd::config
