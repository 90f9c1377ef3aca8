// Config-file lexing with dnsmasq's exact rules: input is cut into "lines" of at most
// 1024 bytes, and each line becomes an option name plus an optional OptArg. No I/O, no
// option lookup (see loader.h for that).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/option_spec.h"

namespace masqd::config {

// dnsmasq reads config text with a 1025-byte fgets buffer: a line longer than this is
// cut, and the rest is lexed (and counted) as a new line.
inline constexpr size_t kMaxConfChunk = 1024;

// One lexed line: `name` as written (quotes removed) and the text after '=' if any.
struct ConfLine {
  std::string name;
  // True when a quoted character in `name` is one dnsmasq hides inside quotes (digits,
  // a-f, A-F, space, ',', ':', '.' and a few controls): dnsmasq then never matches the
  // name to an option ("bad option"), so neither do we.
  bool name_has_hidden = false;
  std::optional<OptArg> arg;
};

// Lexes one chunk (as returned by next_chunk/ChunkReader; a trailing '\n' is allowed).
// Bytes after the first NUL are ignored. Returns nullopt for blank and comment lines, and
// the error "missing \"" for an unterminated quote. Never fails otherwise.
Result<std::optional<ConfLine>> lex_conf_line(std::string_view chunk);

// Whether dnsmasq stores `c` in a hidden form when it appears inside double quotes.
bool is_hidden_in_quotes(char c);

// Splits in-memory text the way the loader splits a file: returns the next chunk starting
// at `pos` (up to and including '\n', at most kMaxConfChunk bytes) and advances `pos`.
// Returns false at the end of `text`.
bool next_chunk(std::string_view text, size_t& pos, std::string_view& chunk);

// The same for a stream, read in blocks of 64 KiB (a blocklist of millions of lines is read
// without touching each byte more than once before it is parsed). Read errors (e.g. reading
// a directory) count as end of input.
class ChunkReader {
 public:
  explicit ChunkReader(std::FILE* f) : f_(f) {}
  // The next chunk, valid until the next call; false at the end of the stream.
  bool next(std::string_view& chunk);

 private:
  static constexpr size_t kBlock = 64 * 1024;
  std::FILE* f_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

}  // namespace masqd::config
