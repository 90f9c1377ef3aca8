#include "config/option_table.h"

namespace masqd::config {

const std::vector<OptionArea>& option_areas() {
  static const std::vector<OptionArea> areas = {process_area(), dns_area(), dhcp_area()};
  return areas;
}

const std::vector<const OptionSpec*>& all_options() {
  static const std::vector<const OptionSpec*> all = [] {
    std::vector<const OptionSpec*> v;
    for (const auto& area : option_areas())
      for (const auto& spec : area.options) v.push_back(&spec);
    return v;
  }();
  return all;
}

const OptionSpec* find_option(std::string_view long_name) {
  for (const auto* spec : all_options())
    if (spec->name == long_name) return spec;
  return nullptr;
}

const OptionSpec* find_short_option(char c) {
  if (c == 0) return nullptr;
  for (const auto* spec : all_options())
    if (spec->short_name == c) return spec;
  return nullptr;
}

const OptionSpec& canonical_option(const OptionSpec& spec) {
  if (spec.alias_of.empty()) return spec;
  const OptionSpec* target = find_option(spec.alias_of);
  return target ? *target : spec;
}

ArgShape short_arg_shape(const OptionSpec& spec) {
  if (spec.arg == ArgShape::None) return ArgShape::None;
  if (spec.arg == ArgShape::Optional && (spec.short_name == 'q' || spec.short_name == '1'))
    return ArgShape::None;
  return ArgShape::Required;
}

}  // namespace masqd::config
