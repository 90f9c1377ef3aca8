#include "config/dhcp_parse_util.h"

#include <cctype>
#include <cstdlib>
#include <limits>

namespace masqd::config::dhcp_text {

std::string hide_metas(const OptArg& arg) {
  std::string out = arg.text();
  for (size_t i = 0; i < out.size(); ++i) {
    if (!arg.quoted(i) || out[i] == '\0') continue;
    size_t index = kMetaChars.find(out[i]);
    if (index != std::string_view::npos) out[i] = static_cast<char>(index);
  }
  return out;
}

std::string unhide(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    auto index = static_cast<unsigned char>(c);
    if (index > 0 && index < kMetaChars.size()) c = kMetaChars[index];
  }
  return out;
}

std::optional<std::string_view> split_off(std::string_view& s, char sep) {
  size_t pos = s.find(sep);
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(pos + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::string_view head = s.substr(0, pos);
  while (!head.empty() && head.back() == ' ') head.remove_suffix(1);
  s = head;
  return rest;
}

int32_t c_atoi(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  // strtol on a 64-bit long: saturate on overflow.
  uint64_t v = 0;
  bool over = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) over = true;
    if (!over) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  int64_t r;
  if (neg) {
    r = (over || v > uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                         : static_cast<int64_t>(0 - v);
  } else {
    r = (over || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            ? std::numeric_limits<int64_t>::max()
            : static_cast<int64_t>(v);
  }
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(r)));
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool atoi_check(std::string_view s, int32_t* out) {
  std::string plain = unhide(s);  // quoted digits count as digits here
  if (!all_digits(plain)) return false;
  *out = c_atoi(plain);
  return true;
}

bool atoi_check16(std::string_view s, uint16_t* out) {
  int32_t v;
  if (!atoi_check(s, &v) || v < 0 || v > 0xffff) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool has_prefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_tag_prefix(std::string_view s) { return has_prefix(s, "tag:") || has_prefix(s, "net:"); }

std::string_view strip_set_prefix(std::string_view s) {
  return has_prefix(s, "set:") ? s.substr(4) : s;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_hex(std::string_view in, int max_len, std::vector<uint8_t>* out,
               std::vector<bool>* wildcard, int* hw_type) {
  out->clear();
  if (wildcard) wildcard->clear();
  if (hw_type) *hw_type = 0;
  bool want_type = hw_type != nullptr;
  size_t pos = 0;
  bool done = false;
  auto room = [&] { return max_len < 0 || static_cast<int>(out->size()) < max_len; };
  while (!done && room()) {
    size_t end = pos;
    while (end < in.size() && in[end] != ':' && in[end] != '-' && in[end] != ' ') {
      if (in[end] != '*' && hex_digit(in[end]) < 0) return false;
      ++end;
    }
    if (end >= in.size()) done = true;
    std::string_view group = in.substr(pos, end - pos);
    if (!group.empty()) {
      if (!done && in[end] == '-' && out->empty() && want_type) {
        // A leading "HH-" is the hardware type (hex, '*' reads as 0).
        *hw_type = static_cast<int>(std::strtol(std::string(group).c_str(), nullptr, 16));
        want_type = false;
      } else if (group == "*") {
        out->push_back(0);
        if (wildcard) wildcard->push_back(true);
      } else {
        for (size_t j = 0; j < group.size(); j += 2) {
          std::string_view pair = group.substr(j, 2);
          // The last byte's check looks at the rest of the group, as dnsmasq's does.
          std::string_view checked = (j + 2 >= group.size()) ? group.substr(j) : pair;
          if (checked.find('*') != std::string_view::npos) return false;
          int v = 0;
          for (char c : pair) v = v * 16 + hex_digit(c);
          out->push_back(static_cast<uint8_t>(v));
          if (wildcard) wildcard->push_back(false);
          if (!room()) break;
        }
      }
    }
    pos = end + 1;
  }
  return true;
}

std::optional<std::string> canonical_name(std::string_view s) {
  constexpr size_t kMaxName = 1025, kMaxLabel = 63;
  if (s.empty() || s.size() > kMaxName) return std::nullopt;
  std::string name = unhide(s);
  bool non_blank = false;
  if (name.back() == '.') {
    name.pop_back();
    non_blank = true;
  }
  size_t label = 0;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      label = 0;
    } else if (++label > kMaxLabel) {
      return std::nullopt;
    } else if (c < 0x80 && std::iscntrl(c)) {
      return std::nullopt;
    } else if (c != ' ') {
      non_blank = true;
    }
  }
  if (!non_blank) return std::nullopt;
  return name;
}

bool legal_hostname(std::string_view name) {
  if (!canonical_name(name)) return false;
  bool first = true;
  for (char c : name) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (first || (c != '-' && c != '_'))) return c == '.';
    first = false;
  }
  return true;
}

std::optional<LeaseSeconds> parse_range_lease(std::string_view s) {
  uint32_t factor = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'w': case 'W': factor *= 7; [[fallthrough]];
      case 'd': case 'D': factor *= 24; [[fallthrough]];
      case 'h': case 'H': factor *= 60; [[fallthrough]];
      case 'm': case 'M': factor *= 60; [[fallthrough]];
      case 's': case 'S': s.remove_suffix(1); break;
      default: break;
    }
  }
  if (!all_digits(s)) return std::nullopt;
  uint32_t secs = static_cast<uint32_t>(c_atoi(s)) * factor;
  if (secs < kMinLease.count()) secs = kMinLease.count();
  return LeaseSeconds(secs);
}

std::vector<std::string> unhidden_items(std::string_view text) {
  std::vector<std::string> out;
  std::optional<std::string_view> rest = text;
  while (rest) {
    std::string_view item = *rest;
    rest = split_off(item);
    out.push_back(unhide(item));
  }
  return out;
}

}  // namespace masqd::config::dhcp_text
