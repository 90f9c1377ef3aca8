#include "local/hosts_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace masqd::local {

namespace {

// C-locale isspace without '\n' (lines are cut at '\n' first).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxNameText = 253;  // 255 wire bytes: labels + length bytes + root

// Appends the checked, lower-cased name to `out`; on a bad name leaves `out` unchanged
// and returns false.
bool append_checked_name(std::string_view token, std::string& out) {
  if (!token.empty() && token.back() == '.') token.remove_suffix(1);
  // dnsmasq takes "." as the root name and "a..b" as a name it then writes as a broken
  // packet; masqd refuses empty names and empty labels instead.
  if (token.empty() || token.size() > kMaxNameText) return false;
  const size_t start = out.size();
  size_t label = 0;
  for (char ch : token) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (label == 0) break;  // empty label
      label = 0;
    } else if (++label > kMaxLabel || c < 0x20 || c == 0x7f || c >= 0x80) {
      // Non-ASCII: Debian's dnsmasq converts UTF-8 names to punycode (IDN2); masqd has no
      // IDNA yet and refuses them.
      label = 0;
      break;
    }
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c));
  }
  if (label == 0) {
    out.resize(start);
    return false;
  }
  return true;
}

std::optional<IpAddr> parse_address(std::string_view token) {
  // IpAddr::parse stops at an embedded NUL (inet_pton on a C string); a token with any
  // control byte is junk, not an address.
  for (char c : token)
    if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
  return IpAddr::parse(token);
}

// Next blank-separated token of `line` starting at `pos`; empty at the end.
std::string_view next_token(std::string_view line, size_t& pos) {
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  const size_t begin = pos;
  while (pos < line.size() && !is_blank(line[pos])) ++pos;
  return line.substr(begin, pos - begin);
}

}  // namespace

std::string HostsDiagnostic::message(std::string_view file) const {
  return fmt::format("bad {} at {} line {}", kind == Kind::BadAddress ? "address" : "name", file,
                     line);
}

std::optional<std::string> check_hosts_name(std::string_view token) {
  std::string out;
  if (!append_checked_name(token, out)) return std::nullopt;
  return out;
}

HostsFile HostsFile::parse(std::span<const uint8_t> bytes) {
  return parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

HostsFile HostsFile::parse(std::string_view text) {
  HostsFile f;
  if (text.size() > kMaxHostsFileBytes) text = text.substr(0, kMaxHostsFileBytes);
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);

    size_t p = 0;
    std::string_view first = next_token(line, p);
    if (first.empty()) continue;
    auto addr = parse_address(first);
    if (!addr) {
      f.diagnostics_.push_back({HostsDiagnostic::Kind::BadAddress, line_no});
      continue;
    }
    ++f.address_count_;
    for (auto tok = next_token(line, p); !tok.empty(); tok = next_token(line, p)) {
      const size_t offset = f.names_.size();
      if (!append_checked_name(tok, f.names_)) {
        f.diagnostics_.push_back({HostsDiagnostic::Kind::BadName, line_no});
        continue;
      }
      HostsRecord r;
      r.addr = *addr;
      r.line = line_no;
      r.name_offset = static_cast<uint32_t>(offset);
      r.name_size = static_cast<uint8_t>(f.names_.size() - offset);
      r.had_dot = tok.find('.') != std::string_view::npos;
      f.records_.push_back(r);
    }
  }
  return f;
}

Result<HostsFile> read_hosts_file(const std::string& path) {
  auto fail = [&path](int err) {
    return make_error(fmt::format("failed to load names from {}: {}", path, std::strerror(err)), 3);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  std::string bytes;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fail(err);
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > kMaxHostsFileBytes) {
      ::close(fd);
      return fail(EFBIG);
    }
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return HostsFile::parse(std::string_view(bytes));
}

}  // namespace masqd::local
