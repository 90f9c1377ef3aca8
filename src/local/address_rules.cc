#include "local/address_rules.h"

#include <algorithm>
#include <array>

namespace masqd::local {

namespace {

namespace rr = proto::dns::rr;

// A byte string that identifies an answer, for sharing one side-table row between the
// (typically millions of) domains that have the same answer.
std::string answer_key(const AddressAnswer& a) {
  std::string k;
  k.push_back(static_cast<char>((a.zeros ? 1 : 0) | (a.no_address ? 2 : 0)));
  for (const auto* list : {&a.v4, &a.v6}) {
    k.push_back(static_cast<char>(list->size() & 0xff));
    k.push_back(static_cast<char>((list->size() >> 8) & 0xff));
    for (const auto& ip : *list) k.append(reinterpret_cast<const char*>(ip.bytes().data()), ip.size());
  }
  return k;
}

void add_unique(std::vector<IpAddr>& list, const IpAddr& ip) {
  if (std::find(list.begin(), list.end(), ip) == list.end()) list.push_back(ip);
}

// Every --address entry for one domain adds up: literals in config order without repeats,
// "#" and no-address flags.
AddressAnswer combine(AddressAnswer m, const AddressAnswer& in) {
  for (const auto& ip : in.v4) add_unique(m.v4, ip);
  for (const auto& ip : in.v6) add_unique(m.v6, ip);
  m.zeros = m.zeros || in.zeros;
  m.no_address = m.no_address || in.no_address;
  return m;
}

class AnswerTable {
 public:
  // A row at the next index, whatever rows exist (rows must line up with the config's).
  void append(AddressAnswer a) {
    index_.try_emplace(answer_key(a), static_cast<DomainSet::Value>(rows_.size()));
    rows_.push_back(std::move(a));
  }
  DomainSet::Value intern(AddressAnswer a) {
    auto [it, inserted] = index_.try_emplace(answer_key(a), static_cast<DomainSet::Value>(rows_.size()));
    if (inserted) rows_.push_back(std::move(a));
    return it->second;
  }
  DomainSet::Value merge(DomainSet::Value existing, DomainSet::Value incoming) {
    if (existing == incoming) return existing;
    return intern(combine(rows_[existing], rows_[incoming]));
  }
  std::vector<AddressAnswer> take() { return std::move(rows_); }

 private:
  std::vector<AddressAnswer> rows_;
  std::unordered_map<std::string, DomainSet::Value> index_;
};

}  // namespace

AddressAnswer AddressAnswer::of(config::AddressRule::Kind kind, const IpAddr& addr) {
  AddressAnswer a;
  switch (kind) {
    case config::AddressRule::Kind::Literal:
      (addr.is_v4() ? a.v4 : a.v6).push_back(addr);
      break;
    case config::AddressRule::Kind::AllZeros:
      a.zeros = true;
      break;
    case config::AddressRule::Kind::NoAnswer:
      a.no_address = true;
      break;
  }
  return a;
}

bool AddressAnswer::answers(uint16_t qtype) const {
  switch (qtype) {
    case rr::A:
      return !v4.empty() || zeros || no_address;
    case rr::AAAA:
      return !v6.empty() || zeros || no_address;
    case rr::ANY:
      return !v4.empty() || !v6.empty() || zeros || no_address;
    default:
      return no_address;
  }
}

AddressRules AddressRules::build(const config::AddressRuleList& rules, uint64_t seed) {
  using Kind = config::DomainPattern::Kind;
  AddressRules out;
  AnswerTable table;
  // The config's plain entries are already a DomainSet whose values are rows of answers;
  // rows of this table line up with them, so that set is shared as it is.
  for (const auto& row : rules.plain_rows()) {
    AddressAnswer a;
    for (uint32_t i : row) a = combine(std::move(a), AddressAnswer::of(rules.answer(i).kind, rules.answer(i).addr));
    table.append(std::move(a));
  }
  if (rules.domain_count() == 0) {
    out.set_ = rules.plain_set();
    out.answers_ = table.take();
    return out;
  }
  // Entries of other forms come after the plain ones in config order: added on top of a copy
  // of the plain set, merging as they go.
  DomainSet::Builder builder = rules.plain_set()->empty() ? DomainSet::Builder(seed) : DomainSet::Builder(*rules.plain_set());
  builder.set_merge([&table](DomainSet::Value a, DomainSet::Value b) { return table.merge(a, b); });
  builder.reserve(rules.plain_set()->size() + rules.domain_count());
  const config::AddressRuleList::Answer* last_answer = nullptr;
  DomainSet::Value last_value = 0;
  rules.for_each_domain([&](size_t rule, const config::AddressRuleList::DomainView& d,
                            const config::AddressRuleList::Answer& ans) {
    if (&ans != last_answer) {
      last_value = table.intern(AddressAnswer::of(ans.kind, ans.addr));
      last_answer = &ans;
    }
    // An entry without a /dom/ part, and "#": every name (the root entry).
    if (d.kind == Kind::Any) {
      (void)builder.add("", last_value);
    } else if (d.kind == Kind::Suffix && !d.wildcard) {
      if (!builder.add(d.name, last_value)) out.leftovers_.push_back(Leftover{rule, d.to_pattern()});
    } else {
      out.leftovers_.push_back(Leftover{rule, d.to_pattern()});
    }
  });
  out.set_ = std::make_shared<const DomainSet>(builder.build());
  out.answers_ = table.take();
  return out;
}

AddressRules::Hit AddressRules::lookup(const proto::dns::Name& name, uint16_t qtype) const {
  std::array<DomainSet::Match, 128> found;
  const size_t n = set_->matches(name.wire(), found);
  for (size_t i = 0; i < n; ++i) {
    const AddressAnswer& a = answers_[found[i].value];
    if (a.answers(qtype)) return Hit{&a, found[i].labels};
  }
  return {};
}

}  // namespace masqd::local
