// Fuzz target: the hosts-file reader (src/local/hosts_file) and what is built from it
// (HostTable with --expand-hosts, DomainSet). Any bytes must parse without a crash; every
// name kept must be a valid, lower-case, checked name that the table then finds, and every
// address read must have a PTR name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "base/domain_set.h"
#include "local/host_table.h"
#include "local/hosts_file.h"

using namespace masqd;
using namespace masqd::local;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const HostsFile file = HostsFile::parse(std::span<const uint8_t>(data, size));

  for (const auto& d : file.diagnostics())
    if (d.line == 0 || d.message("f").empty()) std::abort();

  config::DomainRule lan;
  lan.domain = "lan";
  config::DomainRule v6;
  v6.domain = "six";
  v6.scope = config::DomainRule::Scope::Prefix;
  v6.prefix = *IpPrefix::parse("fd00::/8");
  HostTable::Builder builder;
  builder.set_expand(ExpandDomains::from_rules({lan, v6}));
  const size_t counted = builder.add_hosts_file(file, 1);
  if (counted < file.records().size()) std::abort();
  const HostTable table = builder.build();

  DomainSet::Builder set_builder(7);
  for (const auto& r : file.records()) {
    const std::string_view name = file.name(r);
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') std::abort();
    if (name.find("..") != std::string_view::npos) std::abort();
    for (char c : name) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || (c >= 'A' && c <= 'Z')) std::abort();
    }
    auto again = check_hosts_name(name);
    if (!again || *again != name) std::abort();
    if (table.addresses(name).empty() || !table.exists(name)) std::abort();
    if (!table.ptr(r.addr)) std::abort();
    if (!set_builder.add(name, r.line)) std::abort();
  }
  const DomainSet set = set_builder.build();
  for (const auto& r : file.records()) {
    const std::string_view name = file.name(r);
    if (!set.find_exact(name) || !set.longest_match(name)) std::abort();
    // Names with '\\' are kept literally here but would be escapes in Name::from_text.
    if (name.find('\\') != std::string_view::npos) continue;
    auto wire = proto::dns::Name::from_text(name);
    if (wire && !set.find_exact(wire->wire())) std::abort();
  }
  return 0;
}
