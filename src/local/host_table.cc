#include "local/host_table.h"

#include <algorithm>
#include <cstring>

namespace masqd::local {

namespace {

// First and last address of a prefix.
std::pair<IpAddr, IpAddr> prefix_bounds(const IpPrefix& p) {
  auto lo = p.addr.bytes();
  auto hi = lo;
  const size_t bits = p.addr.size() * 8;
  for (size_t bit = p.length; bit < bits; ++bit) {
    const auto mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    lo[bit / 8] = static_cast<uint8_t>(lo[bit / 8] & ~mask);
    hi[bit / 8] = static_cast<uint8_t>(hi[bit / 8] | mask);
  }
  auto make = [&p](const std::array<uint8_t, 16>& b) {
    if (p.addr.is_v4()) return IpAddr::v4({b[0], b[1], b[2], b[3]});
    return IpAddr::v6(b);
  };
  return {make(lo), make(hi)};
}

}  // namespace

// ---- ExpandDomains ----

ExpandDomains ExpandDomains::from_rules(
    const std::vector<config::DomainRule>& rules,
    const std::function<std::vector<IpPrefix>(std::string_view)>& interface_prefixes) {
  using Scope = config::DomainRule::Scope;
  ExpandDomains d;
  for (const auto& r : rules) {
    if (r.domain.empty() || r.domain == "#") continue;
    switch (r.scope) {
      case Scope::Everywhere:
        d.fallback_ = r.domain;
        break;
      case Scope::Prefix: {
        auto [lo, hi] = prefix_bounds(r.prefix);
        d.conditional_.insert(d.conditional_.begin(), Conditional{lo, hi, r.domain});
        break;
      }
      case Scope::Range:
        if (r.start.family() == r.end.family())
          d.conditional_.insert(d.conditional_.begin(), Conditional{r.start, r.end, r.domain});
        break;
      case Scope::Interface:
        // Every subnet the interface has now, as dnsmasq matches them.
        if (interface_prefixes)
          for (const auto& p : interface_prefixes(r.interface)) {
            auto [lo, hi] = prefix_bounds(p);
            d.conditional_.insert(d.conditional_.begin(), Conditional{lo, hi, r.domain});
          }
        break;
    }
  }
  return d;
}

std::optional<std::string_view> ExpandDomains::domain_for(const IpAddr& addr) const {
  for (const auto& c : conditional_)
    if (addr.family() == c.start.family() && c.start <= addr && addr <= c.end) return c.domain;
  if (fallback_) return *fallback_;
  return std::nullopt;
}

// ---- Builder ----

size_t HostTable::Builder::IpHash::operator()(const IpAddr& a) const {
  uint64_t h = a.is_v4() ? 4 : 6;
  const auto& b = a.bytes();
  for (size_t i = 0; i < a.size(); ++i) h = (h ^ b[i]) * 0x100000001b3ULL;
  return static_cast<size_t>(h ^ (h >> 29));
}

uint32_t HostTable::Builder::intern(const std::string& name) {
  auto [it, inserted] = ids_.try_emplace(name, static_cast<uint32_t>(by_id_.size()));
  if (inserted) by_id_.push_back(&it->first);
  return it->second;
}

void HostTable::Builder::add(uint32_t name_id, const IpAddr& addr, uint32_t source) {
  pending_.push_back(Pending{name_id, static_cast<uint32_t>(pending_.size()), HostAddress{addr, source}});
  // The first name given for an address answers its PTR. A repeated name+address never
  // changes this: its first occurrence already claimed or found the address.
  ptr_.try_emplace(addr, PtrPick{name_id, source});
}

bool HostTable::Builder::add_name(std::string_view name, const IpAddr& addr, uint32_t source) {
  auto checked = check_hosts_name(name);
  if (!checked) return false;
  add(intern(*checked), addr, source);
  return true;
}

size_t HostTable::Builder::add_hosts_file(const HostsFile& file, uint32_t source) {
  size_t names = 0;
  std::string expanded;
  for (const auto& r : file.records()) {
    const std::string_view name = file.name(r);
    if (expand_ && !r.had_dot) {
      if (auto domain = expand_->domain_for(r.addr)) {
        expanded.assign(name);
        expanded.push_back('.');
        expanded.append(*domain);
        // A name too long to be asked for is left out (dnsmasq stores it anyway).
        if (auto checked = check_hosts_name(expanded)) {
          add(intern(*checked), r.addr, source);
          ++names;
        }
      }
    }
    add(intern(std::string(name)), r.addr, source);
    ++names;
  }
  return names;
}

HostTable HostTable::Builder::build() {
  HostTable t;
  const size_t with_addresses = by_id_.size();

  // Parents of every name exist as empty non-terminals.
  for (size_t id = 0; id < with_addresses; ++id) {
    std::string_view n = *by_id_[id];
    for (size_t dot = n.find('.'); dot != std::string_view::npos; dot = n.find('.')) {
      n.remove_prefix(dot + 1);
      intern(std::string(n));
    }
  }

  // Drop repeated name+address pairs (keeping the first), then restore the reading order.
  std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
    if (a.name_id != b.name_id) return a.name_id < b.name_id;
    if (a.addr.addr != b.addr.addr) return a.addr.addr < b.addr.addr;
    return a.seq < b.seq;
  });
  pending_.erase(std::unique(pending_.begin(), pending_.end(),
                             [](const Pending& a, const Pending& b) {
                               return a.name_id == b.name_id && a.addr.addr == b.addr.addr;
                             }),
                 pending_.end());
  std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
    return a.name_id != b.name_id ? a.name_id < b.name_id : a.seq < b.seq;
  });

  size_t text_bytes = 0;
  for (const auto* s : by_id_) text_bytes += s->size();
  t.text_.reserve(text_bytes);
  t.names_.resize(by_id_.size());
  DomainSet::Builder index;
  index.reserve(by_id_.size());
  for (size_t id = 0; id < by_id_.size(); ++id) {
    NameEntry& e = t.names_[id];
    e.text_offset = static_cast<uint32_t>(t.text_.size());
    e.text_size = static_cast<uint8_t>(by_id_[id]->size());
    t.text_.append(*by_id_[id]);
    (void)index.add(*by_id_[id], static_cast<DomainSet::Value>(id));  // checked names: cannot fail
  }
  t.addrs_.reserve(pending_.size());
  for (const auto& p : pending_) {
    NameEntry& e = t.names_[p.name_id];
    if (e.count == 0) e.first = static_cast<uint32_t>(t.addrs_.size());
    ++e.count;
    t.addrs_.push_back(p.addr);
  }
  t.name_count_ = with_addresses;
  t.index_ = index.build();

  t.ptrs_.reserve(ptr_.size());
  for (const auto& [addr, pick] : ptr_) t.ptrs_.push_back(PtrEntry{addr, pick.name_id, pick.source});
  std::sort(t.ptrs_.begin(), t.ptrs_.end(),
            [](const PtrEntry& a, const PtrEntry& b) { return a.addr < b.addr; });

  *this = Builder();
  return t;
}

// ---- lookups ----

std::span<const HostAddress> HostTable::range(std::optional<DomainSet::Value> id) const {
  if (!id || *id >= names_.size()) return {};
  const NameEntry& e = names_[*id];
  return std::span<const HostAddress>(addrs_).subspan(e.first, e.count);
}

std::span<const HostAddress> HostTable::addresses(const proto::dns::Name& name) const {
  return range(index_.find_exact(name.wire()));
}

std::span<const HostAddress> HostTable::addresses(std::string_view text) const {
  return range(index_.find_exact(text));
}

bool HostTable::exists(const proto::dns::Name& name) const {
  return !name.is_root() && index_.find_exact(name.wire()).has_value();
}

bool HostTable::exists(std::string_view text) const {
  if (text.empty() || text == ".") return false;
  return index_.find_exact(text).has_value();
}

std::optional<HostPtr> HostTable::ptr(const IpAddr& addr) const {
  auto it = std::lower_bound(ptrs_.begin(), ptrs_.end(), addr,
                             [](const PtrEntry& e, const IpAddr& a) { return e.addr < a; });
  if (it == ptrs_.end() || it->addr != addr) return std::nullopt;
  const NameEntry& e = names_[it->name];
  return HostPtr{std::string_view(text_).substr(e.text_offset, e.text_size), it->source};
}

size_t HostTable::bytes_used() const {
  return index_.bytes_used() + text_.capacity() + names_.capacity() * sizeof(NameEntry) +
         addrs_.capacity() * sizeof(HostAddress) + ptrs_.capacity() * sizeof(PtrEntry);
}

}  // namespace masqd::local
