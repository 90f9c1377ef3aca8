#include "tftp/tftp_path.h"

namespace masqd::tftp {

std::string root_prefix(std::string_view root) {
  std::string p;
  if (root.empty() || root.front() != '/') p.push_back('/');
  p.append(root);
  if (p.back() != '/') p.push_back('/');
  return p;
}

namespace {

bool has_dotdot_component(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

ResolvedPath resolve_path(std::string_view filename, std::string_view root,
                          std::string_view unique_dir, bool lowercase) {
  std::string name(filename);
  for (char& c : name) {
    if (c == '\\') c = '/';  // Windows clients
    else if (lowercase && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  ResolvedPath r;
  if (root.empty()) {
    r.display = name.starts_with('/') ? name : "/" + name;
    r.relative = r.display;
    return r;
  }
  r.has_root = true;
  std::string prefix = root_prefix(root);
  if (!unique_dir.empty()) {
    prefix.append(unique_dir);
    prefix.push_back('/');
  }
  std::string rel;
  if (name.starts_with('/')) {
    if (name.starts_with(prefix)) {
      // An absolute name inside the root is used as it is.
      r.display = name;
      rel = name.substr(prefix.size());
    } else {
      rel = name.substr(1);
      r.display = prefix + rel;
    }
  } else {
    rel = name;
    r.display = prefix + rel;
  }
  size_t first = rel.find_first_not_of('/');
  rel = first == std::string::npos ? std::string() : rel.substr(first);
  r.traversal = has_dotdot_component(rel);
  if (!unique_dir.empty()) rel = std::string(unique_dir) + (rel.empty() ? "" : "/") + rel;
  r.relative = rel.empty() ? "." : rel;
  return r;
}

}  // namespace masqd::tftp
