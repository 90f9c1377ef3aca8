#include <stdio.h>
#include "config/conf_lexer.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace masqd::config {

namespace {

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The escapes dnsmasq honours inside quotes, and what they stand for.
std::optional<char> quoted_escape(char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case 't': return '\t';
    case 'n': return '\n';
    case 'b': return '\b';
    case 'r': return '\r';
    case 'e': return '\033';
    default: return std::nullopt;
  }
}

// Text being built, with one quoted mark per byte.
struct MarkedText {
  std::string text;
  std::vector<bool> quoted;
  void push(char c, bool q) {
    text.push_back(c);
    quoted.push_back(q);
  }
  bool plain_space(size_t i) const { return text[i] == ' ' && !quoted[i]; }
};

}  // namespace

bool is_hidden_in_quotes(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) return true;
  switch (c) {
    case ' ': case '\b': case '\t': case '\n': case '\r': case '\033': case ':': case ',':
    case '.':
      return true;
    default:
      return false;
  }
}

Result<std::optional<ConfLine>> lex_conf_line(std::string_view chunk) {
  if (auto nul = chunk.find('\0'); nul != std::string_view::npos) chunk = chunk.substr(0, nul);

  // Pass 1: quotes, escapes, whitespace folding and comments.
  MarkedText m;
  bool white = true;  // at line start or just after whitespace: '#' starts a comment
  size_t i = 0;
  const size_t n = chunk.size();
  while (i < n) {
    char c = chunk[i];
    if (c == '"') {
      ++i;
      while (i < n && chunk[i] != '"') {
        if (chunk[i] == '\\' && i + 1 < n) {
          if (auto e = quoted_escape(chunk[i + 1])) {
            m.push(*e, true);
            i += 2;
            continue;
          }
        }
        m.push(chunk[i], true);
        ++i;
      }
      if (i >= n) return make_error("missing \"");
      ++i;  // closing quote
      if (i >= n) break;
      // dnsmasq looks at the byte after a closing quote only for whitespace and comments:
      // a second '"' right there is kept as a literal character.
      c = chunk[i];
      if (is_c_space(c)) {
        m.push(' ', false);
        white = true;
      } else if (white && c == '#') {
        break;
      } else {
        m.push(c, false);
        white = false;
      }
      ++i;
      continue;
    }
    if (is_c_space(c)) {
      m.push(' ', false);
      white = true;
    } else if (white && c == '#') {
      break;
    } else {
      m.push(c, false);
      white = false;
    }
    ++i;
  }

  // Pass 2: strip plain spaces at both ends.
  size_t b = 0, e = m.text.size();
  while (b < e && m.plain_space(b)) ++b;
  while (e > b && m.plain_space(e - 1)) --e;
  if (b == e) return std::optional<ConfLine>();

  // Pass 3: "name = value". The first '=' splits, quoted or not, as in dnsmasq.
  ConfLine line;
  size_t eq = m.text.find('=', b);
  size_t name_end = e;
  if (eq != std::string::npos && eq < e) {
    size_t a = eq + 1;
    while (a < e && m.plain_space(a)) ++a;
    std::vector<bool> marks(m.quoted.begin() + static_cast<long>(a),
                            m.quoted.begin() + static_cast<long>(e));
    line.arg.emplace(m.text.substr(a, e - a), std::move(marks));
    name_end = eq;
    while (name_end > b && (m.plain_space(name_end - 1) || m.text[name_end - 1] == '=')) --name_end;
  }
  line.name = m.text.substr(b, name_end - b);
  for (size_t k = b; k < name_end; ++k)
    if (m.quoted[k] && is_hidden_in_quotes(m.text[k])) line.name_has_hidden = true;
  return std::optional<ConfLine>(std::move(line));
}

bool next_chunk(std::string_view text, size_t& pos, std::string_view& chunk) {
  if (pos >= text.size()) return false;
  size_t limit = std::min(text.size() - pos, kMaxConfChunk);
  std::string_view window = text.substr(pos, limit);
  size_t nl = window.find('\n');
  size_t len = nl == std::string_view::npos ? limit : nl + 1;
  chunk = text.substr(pos, len);
  pos += len;
  return true;
}

bool ChunkReader::next(std::string_view& chunk) {
  if (end_ - begin_ < kMaxConfChunk && !eof_) {
    if (buf_.empty()) buf_.resize(kBlock);
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    while (end_ < buf_.size() && !eof_) {
      const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_);
      end_ += got;
      if (got == 0) eof_ = true;
    }
  }
  if (begin_ == end_) return false;
  const size_t limit = std::min(end_ - begin_, kMaxConfChunk);
  const char* start = buf_.data() + begin_;
  const void* nl = std::memchr(start, '\n', limit);
  const size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) + 1 : limit;
  chunk = std::string_view(start, len);
  begin_ += len;
  return true;
}

}  // namespace masqd::config
