// AddressRules: --address=/dom/.../[ip|#] entries as one DomainSet plus the side table of
// answers its values index (NXDOMAIN, 0.0.0.0 + ::, literal addresses). Pure; built once
// per config (or blocklist reload) and then immutable.
// Not handled here: "*dom" wildcards and "//" (unqualified) patterns, which are returned
// as leftovers for the caller, and the interplay with --server routes (the DNS stage
// compares match lengths).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/ip.h"
#include "config/dns_config.h"
#include "base/domain_set.h"
#include "proto/dns_wire.h"

namespace masqd::local {

// Everything the --address entries say about one domain (several entries for the same
// domain add up: "address=/d/1.2.3.4" twice with different addresses gives both).
struct AddressAnswer {
  std::vector<IpAddr> v4, v6;  // literals, in the order given, no repeats
  bool zeros = false;          // "#": 0.0.0.0 for A and :: for AAAA
  bool no_address = false;     // nothing after the last '/': NXDOMAIN (NODATA when the
                               // name exists locally or the domain also has literals)

  // Whether this domain's entries answer a query of `qtype`, per dnsmasq's priority: an A
  // (AAAA) query is answered by an A (AAAA) literal, else by "#", else by a no-address
  // entry; ANY by any literal or a no-address entry; other types only by a no-address
  // entry. When false the search goes on with shorter domains (FEATURES section 4 item 2).
  bool answers(uint16_t qtype) const;
  // What one --address entry's answer part says.
  static AddressAnswer of(config::AddressRule::Kind kind, const IpAddr& addr);
  auto operator<=>(const AddressAnswer&) const = default;
};

class AddressRules {
 public:
  struct Leftover {
    size_t rule = 0;  // index into the rules given to build()
    config::DomainPattern pattern;
  };

  // `seed` as for DomainSet::Builder (0: random).
  static AddressRules build(const config::AddressRuleList& rules, uint64_t seed = 0);

  // The longest domain whose entries answer `qtype` (see AddressAnswer::answers), with its
  // label count; nullptr when none does.
  struct Hit {
    const AddressAnswer* answer = nullptr;
    uint8_t labels = 0;
  };
  Hit lookup(const proto::dns::Name& name, uint16_t qtype) const;

  const DomainSet& set() const { return *set_; }
  std::shared_ptr<const DomainSet> shared_set() const { return set_; }
  const AddressAnswer& answer(DomainSet::Value v) const { return answers_[v]; }
  size_t answer_count() const { return answers_.size(); }
  // Patterns this class does not match ("*dom", "//"), for the caller to handle.
  const std::vector<Leftover>& leftovers() const { return leftovers_; }

 private:
  std::shared_ptr<const DomainSet> set_ = std::make_shared<DomainSet>();
  std::vector<AddressAnswer> answers_;  // distinct answers; a DomainSet value indexes this
  std::vector<Leftover> leftovers_;
};

}  // namespace masqd::local
