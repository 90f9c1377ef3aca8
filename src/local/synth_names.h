// --synth-domain: names made up for a range of addresses, both ways, with dnsmasq 2.90's
// spelling (each rule observed with the Debian binary; see src/local/README.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "config/dns_config.h"

namespace masqd::local {

class SynthNames {
 public:
  SynthNames() = default;
  // The domains in config order; the last one given is tried first (dnsmasq prepends them).
  explicit SynthNames(const std::vector<config::SynthDomain>& domains);

  bool empty() const { return domains_.empty(); }
  // The address a lower-case name (no trailing dot) stands for in the asked family, or
  // nothing when no domain makes it.
  std::optional<IpAddr> address_of(std::string_view lower_name, IpAddr::Family family) const;
  // The name of an address (the first domain whose range holds it), or nothing.
  std::optional<std::string> name_of(const IpAddr& addr) const;

 private:
  struct Domain {
    std::string domain;       // lower case
    std::string name_prefix;  // as written (matched without regard to case)
    bool sequential = false;
    IpAddr start, end;  // the range, both ends included
  };
  std::vector<Domain> domains_;  // last given first
};

}  // namespace masqd::local
