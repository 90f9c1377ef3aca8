#include "base/text.h"
#include "config/option_spec.h"

namespace masqd::config {

size_t OptArg::find_unquoted(char c, size_t from) const {
  for (size_t i = from; i < text_.size(); ++i)
    if (text_[i] == c && !quoted(i)) return i;
  return std::string::npos;
}

OptArg OptArg::substr(size_t pos, size_t len) const {
  if (pos > text_.size()) pos = text_.size();
  size_t n = std::min(len, text_.size() - pos);
  std::vector<bool> marks(quoted_.begin() + static_cast<long>(pos),
                          quoted_.begin() + static_cast<long>(pos + n));
  return OptArg(text_.substr(pos, n), std::move(marks));
}

std::vector<OptArg> OptArg::split(char sep) const {
  std::vector<OptArg> out;
  size_t start = 0;
  while (true) {
    size_t pos = find_unquoted(sep, start);
    if (pos == std::string::npos) {
      out.push_back(substr(start));
      return out;
    }
    out.push_back(substr(start, pos - start));
    start = pos + 1;
  }
}

OptArg OptArg::trimmed() const {
  size_t b = 0, e = text_.size();
  while (b < e && text::is_space(text_[b]) && !quoted(b)) ++b;
  while (e > b && text::is_space(text_[e - 1]) && !quoted(e - 1)) --e;
  return substr(b, e - b);
}

}  // namespace masqd::config
