#include <algorithm>

#include "config/dns_config.h"

namespace masqd::config {

AddressRuleList::AddressRuleList(std::initializer_list<AddressRule> rules) {
  for (const auto& r : rules) push_back(r);
}

AddressRuleList::AddressRuleList(const std::vector<AddressRule>& rules) {
  for (const auto& r : rules) push_back(r);
}

uint32_t AddressRuleList::intern(const Answer& a) {
  // Few distinct answers (NXDOMAIN, zeros, a handful of addresses): a linear search from
  // the most recent one is fast enough and keeps this allocation-free per entry.
  for (size_t i = answers_.size(); i-- > 0;)
    if (answers_[i].kind == a.kind && answers_[i].addr == a.addr) return static_cast<uint32_t>(i);
  answers_.push_back(a);
  return static_cast<uint32_t>(answers_.size() - 1);
}

void AddressRuleList::push_back(const AddressRule& rule) {
  Answer a;
  a.kind = rule.kind;
  if (rule.kind == AddressRule::Kind::Literal) a.addr = rule.addr;
  const uint32_t answer = intern(a);
  const auto index = static_cast<uint32_t>(rules_);
  if (rule.domains.empty()) {
    Item it;
    it.rule = index;
    it.answer = answer;
    it.no_domain = 1;
    items_.push_back(it);
  }
  for (const auto& d : rule.domains) {
    Item it;
    it.rule = index;
    it.answer = answer;
    it.kind = static_cast<uint8_t>(d.kind);
    it.wildcard = d.wildcard ? 1 : 0;
    it.name_off = static_cast<uint32_t>(names_.size());
    it.name_len = static_cast<uint8_t>(std::min<size_t>(d.name.size(), 255));
    names_.append(d.name, 0, it.name_len);
    items_.push_back(it);
  }
  ++rules_;
}

AddressRule AddressRuleList::operator[](size_t i) const {
  AddressRule r;
  auto first = std::lower_bound(items_.begin(), items_.end(), i,
                                [](const Item& it, size_t v) { return it.rule < v; });
  for (auto it = first; it != items_.end() && it->rule == i; ++it) {
    const Answer& a = answers_[it->answer];
    r.kind = a.kind;
    r.addr = a.addr;
    if (!it->no_domain) r.domains.push_back(view(*it).to_pattern());
  }
  return r;
}

void AddressRuleList::shrink_to_fit() {
  names_.shrink_to_fit();
  items_.shrink_to_fit();
}

void AddressRuleList::reserve_more(size_t domains, size_t name_bytes) {
  items_.reserve(items_.size() + domains);
  names_.reserve(names_.size() + name_bytes);
}

void AddressRuleList::clear() {
  std::string().swap(names_);
  std::vector<Item>().swap(items_);
  std::vector<Answer>().swap(answers_);
  rules_ = 0;
}

}  // namespace masqd::config
