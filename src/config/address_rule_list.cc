#include <algorithm>
#include <limits>

#include "config/dns_config.h"

namespace masqd::config {

namespace {

constexpr uint32_t kNoRow = std::numeric_limits<uint32_t>::max();

void set_merge(DomainSet::Builder& b, auto* plain) {
  b.set_merge([plain](DomainSet::Value row, DomainSet::Value incoming) { return plain->merge(row, incoming); });
}

}  // namespace

uint32_t AddressRuleList::Plain::row_for(uint32_t answer) {
  if (answer >= single_row.size()) single_row.resize(answer + 1, kNoRow);
  if (single_row[answer] == kNoRow) {
    single_row[answer] = static_cast<uint32_t>(rows.size());
    rows.push_back({answer});
  }
  return single_row[answer];
}

// The same domain given again: its row grows by the new entry's answers (config order), and
// rows with the same answers are shared. Blocklists repeat names with the same answer, which
// leaves the row as it is.
uint32_t AddressRuleList::Plain::merge(uint32_t row, uint32_t incoming_row) {
  if (row == incoming_row) return row;
  std::vector<uint32_t> joined = rows[row];
  for (uint32_t a : rows[incoming_row])
    if (std::find(joined.begin(), joined.end(), a) == joined.end()) joined.push_back(a);
  if (joined.size() == rows[row].size()) return row;
  auto [it, inserted] = combined.try_emplace(joined, static_cast<uint32_t>(rows.size()));
  if (inserted) rows.push_back(std::move(joined));
  return it->second;
}

AddressRuleList::AddressRuleList()
    : plain_(std::make_unique<Plain>()), plain_set_(std::make_shared<const DomainSet>()) {
  set_merge(plain_->builder, plain_.get());
}

AddressRuleList::AddressRuleList(std::initializer_list<AddressRule> rules) : AddressRuleList() {
  for (const auto& r : rules) push_back(r);
  finish();
}

AddressRuleList::AddressRuleList(const std::vector<AddressRule>& rules) : AddressRuleList() {
  for (const auto& r : rules) push_back(r);
  finish();
}

AddressRuleList::AddressRuleList(const AddressRuleList& other)
    : plain_(std::make_unique<Plain>(*other.plain_)),
      plain_set_(other.plain_set_),
      in_order_(other.in_order_),
      finished_(other.finished_),
      names_(other.names_),
      items_(other.items_),
      answers_(other.answers_),
      rules_(other.rules_) {
  set_merge(plain_->builder, plain_.get());  // the copied function pointed at other's rows
}

AddressRuleList& AddressRuleList::operator=(const AddressRuleList& other) {
  if (this != &other) *this = AddressRuleList(other);
  return *this;
}

uint32_t AddressRuleList::intern(const Answer& a) {
  // Few distinct answers (NXDOMAIN, zeros, a handful of addresses): a linear search from
  // the most recent one is fast enough and keeps this allocation-free per entry.
  for (size_t i = answers_.size(); i-- > 0;)
    if (answers_[i] == a) return static_cast<uint32_t>(i);
  answers_.push_back(a);
  return static_cast<uint32_t>(answers_.size() - 1);
}

void AddressRuleList::push_item(uint32_t rule, uint32_t answer, const DomainPattern* d) {
  Item it;
  it.rule = rule;
  it.answer = answer;
  if (!d) {
    it.no_domain = 1;
  } else {
    it.kind = static_cast<uint8_t>(d->kind);
    it.wildcard = d->wildcard ? 1 : 0;
    it.name_off = static_cast<uint32_t>(names_.size());
    it.name_len = static_cast<uint8_t>(std::min<size_t>(d->name.size(), 255));
    names_.append(d->name, 0, it.name_len);
  }
  items_.push_back(it);
}

void AddressRuleList::push_back(const AddressRule& rule) {
  if (rule.domains.size() == 1 && rule.domains[0].kind == DomainPattern::Kind::Suffix &&
      !rule.domains[0].wildcard) {
    push_domain(rule.domains[0].name, rule.kind, rule.addr);
    return;
  }
  in_order_ = true;
  Answer a;
  a.kind = rule.kind;
  if (rule.kind == AddressRule::Kind::Literal) a.addr = rule.addr;
  const uint32_t answer = intern(a);
  const auto index = static_cast<uint32_t>(rules_++);
  if (rule.domains.empty()) push_item(index, answer, nullptr);
  for (const auto& d : rule.domains) push_item(index, answer, &d);
}

void AddressRuleList::push_domain(std::string_view name, AddressRule::Kind kind, const IpAddr& addr) {
  Answer a;
  a.kind = kind;
  if (kind == AddressRule::Kind::Literal) a.addr = addr;
  const uint32_t answer = intern(a);
  const auto index = static_cast<uint32_t>(rules_++);
  // A name the set cannot hold (an empty label, over 253 bytes) never matches a query; it is
  // kept in order like any other entry so that it still reads back.
  if (!in_order_ && plain_->builder.add_batched(name, plain_->row_for(answer))) {
    ++plain_->added;
    return;
  }
  const DomainPattern d{DomainPattern::Kind::Suffix, std::string(name), false};
  push_item(index, answer, &d);
}

void AddressRuleList::finish() {
  if (finished_) return;
  finished_ = true;
  in_order_ = true;  // entries added later are kept in order, after the set's
  plain_set_ = std::make_shared<const DomainSet>(plain_->builder.build());
}

std::vector<AddressRuleList::Answer> AddressRuleList::plain_answers(std::string_view domain) const {
  std::vector<Answer> out;
  if (auto row = plain_set_->find_exact(domain))
    for (uint32_t a : plain_->rows[*row]) out.push_back(answers_[a]);
  return out;
}

void AddressRuleList::reserve_plain(size_t names) {
  if (!in_order_) plain_->builder.reserve(plain_->added + names);
}

AddressRule AddressRuleList::operator[](size_t i) const {
  AddressRule r;
  if (i >= items_.size()) return r;
  // Entries kept in order, counted from the first.
  size_t seen = 0;
  uint32_t rule = items_[0].rule;
  auto it = items_.begin();
  for (; it != items_.end() && seen < i; ++it)
    if (it->rule != rule) {
      rule = it->rule;
      if (++seen == i) break;
    }
  for (auto first = it; it != items_.end() && it->rule == first->rule; ++it) {
    const Answer& a = answers_[it->answer];
    r.kind = a.kind;
    r.addr = a.addr;
    if (!it->no_domain) r.domains.push_back(view(*it).to_pattern());
  }
  return r;
}

void AddressRuleList::clear() {
  std::string().swap(names_);
  std::vector<Item>().swap(items_);
  std::vector<Answer>().swap(answers_);
  plain_ = std::make_unique<Plain>();
  set_merge(plain_->builder, plain_.get());
  plain_set_ = std::make_shared<const DomainSet>();
  in_order_ = finished_ = false;
  rules_ = 0;
}

}  // namespace masqd::config
