#include "local/lease_names.h"

#include <algorithm>

namespace masqd::local {

LeaseNameTable LeaseNameTable::build(std::vector<LeaseNameEntry> entries, bool fqdn_only) {
  LeaseNameTable t;
  t.entries_ = std::move(entries);
  HostTable::Builder b;
  for (uint32_t i = 0; i < t.entries_.size(); ++i) {
    const LeaseNameEntry& e = t.entries_[i];
    if (e.name.empty()) continue;
    std::vector<std::string> added;
    if (!e.domain.empty()) {
      std::string fqdn = e.name + "." + e.domain;
      if (b.add_name(fqdn, e.addr, i)) added.push_back(std::move(fqdn));
    }
    if (!fqdn_only && b.add_name(e.name, e.addr, i)) added.push_back(e.name);
    if (!added.empty()) t.reverse_.push_back(Reverse{e.addr, i, std::move(added)});
  }
  // The first lease given for an address answers its PTR.
  std::stable_sort(t.reverse_.begin(), t.reverse_.end(), [](const Reverse& x, const Reverse& y) { return x.addr < y.addr; });
  t.reverse_.erase(std::unique(t.reverse_.begin(), t.reverse_.end(),
                               [](const Reverse& x, const Reverse& y) { return x.addr == y.addr; }),
                   t.reverse_.end());
  t.names_ = b.build();
  return t;
}

std::vector<LeaseNameTable::Hit> LeaseNameTable::find(const proto::dns::Name& name) const {
  std::vector<Hit> out;
  for (const auto& ha : names_.addresses(name)) out.push_back(Hit{ha.addr, &entries_[ha.source]});
  return out;
}

namespace {
template <class V>
auto find_reverse(const V& v, const IpAddr& addr) {
  auto it = std::lower_bound(v.begin(), v.end(), addr, [](const auto& r, const IpAddr& a) { return r.addr < a; });
  return it != v.end() && it->addr == addr ? &*it : nullptr;
}
}  // namespace

std::span<const std::string> LeaseNameTable::names_of(const IpAddr& addr) const {
  if (const auto* r = find_reverse(reverse_, addr)) return r->names;
  return {};
}

const LeaseNameEntry* LeaseNameTable::entry_of(const IpAddr& addr) const {
  if (const auto* r = find_reverse(reverse_, addr)) return &entries_[r->entry];
  return nullptr;
}

}  // namespace masqd::local
