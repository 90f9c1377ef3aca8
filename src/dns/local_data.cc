#include "dns/local_data.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "base/text.h"
#include "dns/server_table.h"
#include "local/hosts_file.h"
#include "net/interfaces.h"

namespace masqd::dns {

namespace {

namespace pd = proto::dns;

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

// A name from the config in wire form (escapes as in zone files); false if it is not valid.
bool put_name(std::vector<uint8_t>& out, std::string_view text) {
  auto n = pd::Name::from_text(text.empty() ? std::string_view(".") : text);
  if (!n) return false;
  auto w = n->wire();
  out.insert(out.end(), w.begin(), w.end());
  return true;
}

// One <character-string>; longer text is split into 255-byte pieces, as dnsmasq does.
void put_strings(std::vector<uint8_t>& out, std::string_view s) {
  do {
    const size_t n = std::min<size_t>(s.size(), 255);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    s.remove_prefix(n);
  } while (!s.empty());
}

void put_string(std::vector<uint8_t>& out, std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 255);
  out.push_back(static_cast<uint8_t>(n));
  out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
}

std::string this_host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// The hosts files to read, in dnsmasq's order: /etc/hosts, then --addn-hosts entries last
// given first (dnsmasq keeps them in a list it prepends to); a directory gives its files in
// name order (dot files and editor leftovers skipped).
// dnsmasq skips these names in hosts directories: dot files and editor leftovers.
bool skipped_dir_entry(const std::string& n) {
  return n.empty() || n[0] == '.' || n.back() == '~' || (n.size() > 1 && n.front() == '#' && n.back() == '#');
}

// The files of a directory in name order (not recursive).
void dir_files(const std::string& dir, std::vector<std::string>& files, std::vector<std::string>& log) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (skipped_dir_entry(e.path().filename().string())) continue;
    std::error_code ec2;
    if (e.is_directory(ec2)) continue;
    names.push_back(e.path().string());
  }
  if (ec) log.push_back(fmt::format("cannot access directory {}: {}", dir, ec.message()));
  std::sort(names.begin(), names.end());
  files.insert(files.end(), names.begin(), names.end());
}

// The hosts files to read, in dnsmasq's order: /etc/hosts, then --addn-hosts entries last
// given first (dnsmasq keeps them in a list it prepends to), a directory giving its files
// in name order; then the --hostsdir directories' files.
std::vector<std::string> hosts_files(const config::DnsConfig& dns, const std::string& hosts_path,
                                     std::vector<std::string>& log) {
  std::vector<std::string> files;
  if (!dns.no_hosts) files.push_back(hosts_path);
  for (auto it = dns.addn_hosts.rbegin(); it != dns.addn_hosts.rend(); ++it) {
    std::error_code ec;
    if (std::filesystem::is_directory(*it, ec)) dir_files(*it, files, log);
    else files.push_back(*it);
  }
  for (const auto& dir : dns.hostsdirs) dir_files(dir, files, log);
  return files;
}

}  // namespace

std::shared_ptr<const AddressData> AddressData::build(const config::AddressRuleList& rules) {
  auto a = std::make_shared<AddressData>();
  a->rules = local::AddressRules::build(rules);
  for (const auto& left : a->rules.leftovers()) {
    const auto r = rules[left.rule];
    a->leftovers.emplace_back(left.pattern, local::AddressAnswer::of(r.kind, r.addr));
  }
  return a;
}

LocalData::Loaded LocalData::load(const config::DnsConfig& dns, std::shared_ptr<const AddressData> addresses,
                                  const std::string& hosts_path) {
  Loaded out;
  auto d = std::make_shared<LocalData>();
  const uint32_t local_ttl = static_cast<uint32_t>(dns.local_ttl.count());
  d->local_ttl_ = local_ttl;
  d->synth_ = local::SynthNames(dns.synth_domains);
  d->dynamic_hosts_ = dns.dynamic_hosts;
  for (auto& h : d->dynamic_hosts_) {
    for (char& c : h.name) c = text::ascii_lower(c);
    while (!h.name.empty() && h.name.back() == '.') h.name.pop_back();
  }

  // Host table: --host-record entries first (they win PTRs), then the hosts files.
  local::HostTable::Builder hb;
  if (dns.expand_hosts) hb.set_expand(local::ExpandDomains::from_rules(dns.domains, net::interface_prefixes));
  for (const auto& hr : dns.host_records) {
    const auto src = static_cast<uint32_t>(d->sources_.size());
    d->sources_.push_back(LocalSource{"config", hr.ttl.value_or(local_ttl)});
    for (const auto& name : hr.names)
      for (const auto& a : hr.addrs) (void)hb.add_name(name, a, src);
  }
  for (const auto& path : hosts_files(dns, hosts_path, out.log_lines)) {
    auto file = local::read_hosts_file(path);
    if (!file) {
      out.log_lines.push_back(file.error().message);
      continue;
    }
    for (const auto& diag : file->diagnostics()) out.log_lines.push_back(diag.message(path));
    const auto src = static_cast<uint32_t>(d->sources_.size());
    d->sources_.push_back(LocalSource{path, local_ttl});
    const size_t n = hb.add_hosts_file(*file, src);
    out.log_lines.push_back(fmt::format("read {} - {} names", path, n));
    out.file_names[path] = n;
  }
  d->hosts_ = hb.build();

  d->addresses_ = addresses ? std::move(addresses) : AddressData::build({});

  // Config records, grouped by owner name.
  DomainSet::Builder rb, pb;
  std::vector<std::string> owner_of;
  auto add_record = [&](const std::string& name, uint16_t type, std::vector<uint8_t> rdata) {
    const auto next = static_cast<DomainSet::Value>(d->records_.size());
    DomainSet::Value got = next;
    rb.set_merge([&got](DomainSet::Value existing, DomainSet::Value) {
      got = existing;
      return existing;
    });
    if (!rb.add(name, next)) {
      out.log_lines.push_back(fmt::format("bad name {} in a DNS record option, ignored", name));
      return;
    }
    if (got == next) d->records_.emplace_back();
    d->records_[got].push_back(ConfigRecord{type, local_ttl, std::move(rdata)});
    owner_of.push_back(name);
  };
  for (const auto& t : dns.txt_records) {
    std::vector<uint8_t> rd;
    for (const auto& s : t.strings) put_strings(rd, s);
    if (t.strings.empty()) put_string(rd, "");
    add_record(t.name, pd::rr::TXT, std::move(rd));
  }
  const std::string default_mx = dns.mx_target.value_or(this_host_name());
  d->self_mx_ = dns.selfmx;  // wins over --localmx, as in dnsmasq
  if (dns.localmx && !dns.selfmx && !put_name(d->host_mx_target_, default_mx))
    out.log_lines.push_back(fmt::format("bad name {} in --mx-target, --localmx ignored", default_mx));
  // --mx-target: also an MX for this host's own name (preference 0, as
  // dnsmasq 2.90 serves it).
  if (dns.mx_target) {
    std::vector<uint8_t> rd;
    put16(rd, 0);
    if (put_name(rd, *dns.mx_target)) add_record(this_host_name(), pd::rr::MX, std::move(rd));
  }
  for (const auto& m : dns.mx_records) {
    std::vector<uint8_t> rd;
    put16(rd, m.preference);
    if (put_name(rd, m.target.empty() ? default_mx : m.target)) add_record(m.name, pd::rr::MX, std::move(rd));
  }
  for (const auto& s : dns.srv_records) {
    std::vector<uint8_t> rd;
    put16(rd, s.priority);
    put16(rd, s.weight);
    put16(rd, s.port);
    if (put_name(rd, s.target)) add_record(s.name, pd::rr::SRV, std::move(rd));
  }
  for (const auto& p : dns.ptr_records) {
    std::vector<uint8_t> rd;
    if (put_name(rd, p.target)) add_record(p.name, pd::rr::PTR, std::move(rd));
  }
  for (const auto& n : dns.naptr_records) {
    std::vector<uint8_t> rd;
    put16(rd, n.order);
    put16(rd, n.preference);
    put_string(rd, n.flags);
    put_string(rd, n.service);
    put_string(rd, n.regexp);
    if (put_name(rd, n.replacement)) add_record(n.name, pd::rr::NAPTR, std::move(rd));
  }
  for (const auto& c : dns.caa_records) {
    std::vector<uint8_t> rd;
    rd.push_back(static_cast<uint8_t>(c.flags));
    put_string(rd, c.tag);
    rd.insert(rd.end(), c.value.begin(), c.value.end());
    add_record(c.name, pd::rr::CAA, std::move(rd));
  }
  for (const auto& r : dns.raw_records) add_record(r.name, r.type, r.rdata);
  d->record_index_ = rb.build();

  DomainSet::Builder cb;
  for (const auto& c : dns.cnames) {
    LocalCname lc;
    if (!put_name(lc.target, c.target)) continue;
    lc.ttl = c.ttl.value_or(local_ttl);
    // dnsmasq keeps the last definition of an alias.
    const auto v = static_cast<DomainSet::Value>(d->cnames_.size());
    cb.set_merge([](DomainSet::Value, DomainSet::Value incoming) { return incoming; });
    if (!cb.add(c.alias, v)) continue;
    d->cnames_.push_back(std::move(lc));
    owner_of.push_back(c.alias);
  }
  d->cname_index_ = cb.build();

  // Parents of record and alias names: "exists" for the NXDOMAIN/NODATA choice.
  for (const auto& name : owner_of) {
    std::string_view rest = name;
    while (true) {
      (void)pb.add(rest, 0);
      const size_t dot = rest.find('.');
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
  }
  d->parents_ = pb.build();
  out.data = std::move(d);
  return out;
}

config::DnsConfig LocalData::settings_of(const config::DnsConfig& dns) {
  config::DnsConfig c;
  c.no_hosts = dns.no_hosts;
  c.addn_hosts = dns.addn_hosts;
  c.hostsdirs = dns.hostsdirs;
  c.expand_hosts = dns.expand_hosts;
  c.domains = dns.domains;
  c.host_records = dns.host_records;
  c.local_ttl = dns.local_ttl;
  c.txt_records = dns.txt_records;
  c.mx_records = dns.mx_records;
  c.mx_target = dns.mx_target;
  c.srv_records = dns.srv_records;
  c.ptr_records = dns.ptr_records;
  c.naptr_records = dns.naptr_records;
  c.caa_records = dns.caa_records;
  c.raw_records = dns.raw_records;
  c.cnames = dns.cnames;
  c.selfmx = dns.selfmx;
  c.localmx = dns.localmx;
  c.synth_domains = dns.synth_domains;
  c.dynamic_hosts = dns.dynamic_hosts;
  return c;
}

const std::vector<ConfigRecord>* LocalData::records(const proto::dns::Name& name) const {
  if (record_index_.empty()) return nullptr;
  auto v = record_index_.find_exact(name.wire());
  return v ? &records_[*v] : nullptr;
}

const LocalCname* LocalData::cname(const proto::dns::Name& name) const {
  if (cname_index_.empty()) return nullptr;
  auto v = cname_index_.find_exact(name.wire());
  return v ? &cnames_[*v] : nullptr;
}

bool LocalData::exists(const proto::dns::Name& name) const {
  return hosts_.exists(name) || (!parents_.empty() && parents_.find_exact(name.wire()).has_value()) ||
         is_synth_name(name);
}

bool LocalData::is_synth_name(const proto::dns::Name& name) const {
  if (synth_.empty()) return false;
  const std::string text = lower_name_text(name);
  return synth_.address_of(text, IpAddr::Family::V4) || synth_.address_of(text, IpAddr::Family::V6);
}

bool LocalData::empty() const {
  return hosts_.name_count() == 0 && addresses_->rules.set().empty() && addresses_->leftovers.empty() &&
         record_index_.empty() && cname_index_.empty() && synth_.empty() &&
         dynamic_hosts_.empty();
}

}  // namespace masqd::dns
