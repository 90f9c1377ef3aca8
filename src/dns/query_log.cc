#include "dns/query_log.h"

#include <fmt/core.h>

#include "dns/forward_engine.h"

namespace masqd::dns {

namespace pd = proto::dns;

std::string query_type_text(uint16_t t) {
  static const struct {
    uint16_t type;
    const char* name;
  } kTypes[] = {
      {1, "A"},          {2, "NS"},         {3, "MD"},          {4, "MF"},       {5, "CNAME"},
      {6, "SOA"},        {7, "MB"},         {8, "MG"},          {9, "MR"},       {10, "NULL"},
      {11, "WKS"},       {12, "PTR"},       {13, "HINFO"},      {14, "MINFO"},   {15, "MX"},
      {16, "TXT"},       {17, "RP"},        {18, "AFSDB"},      {19, "X25"},     {20, "ISDN"},
      {21, "RT"},        {22, "NSAP"},      {23, "NSAP_PTR"},   {24, "SIG"},     {25, "KEY"},
      {26, "PX"},        {27, "GPOS"},      {28, "AAAA"},       {29, "LOC"},     {30, "NXT"},
      {31, "EID"},       {32, "NIMLOC"},    {33, "SRV"},        {34, "ATMA"},    {35, "NAPTR"},
      {36, "KX"},        {37, "CERT"},      {38, "A6"},         {39, "DNAME"},   {40, "SINK"},
      {41, "OPT"},       {42, "APL"},       {43, "DS"},         {44, "SSHFP"},   {45, "IPSECKEY"},
      {46, "RRSIG"},     {47, "NSEC"},      {48, "DNSKEY"},     {49, "DHCID"},   {50, "NSEC3"},
      {51, "NSEC3PARAM"}, {52, "TLSA"},     {53, "SMIMEA"},     {55, "HIP"},     {56, "NINFO"},
      {57, "RKEY"},      {58, "TALINK"},    {59, "CDS"},        {60, "CDNSKEY"}, {61, "OPENPGPKEY"},
      {62, "CSYNC"},     {63, "ZONEMD"},    {64, "SVCB"},       {65, "HTTPS"},   {99, "SPF"},
      {100, "UINFO"},    {101, "UID"},      {102, "GID"},       {103, "UNSPEC"}, {104, "NID"},
      {105, "L32"},      {106, "L64"},      {107, "LP"},        {108, "EUI48"},  {109, "EUI64"},
      {249, "TKEY"},     {250, "TSIG"},     {251, "IXFR"},      {252, "AXFR"},   {253, "MAILB"},
      {254, "MAILA"},    {255, "ANY"},      {256, "URI"},       {257, "CAA"},    {258, "AVC"},
      {259, "DOA"},      {260, "AMTRELAY"}, {32768, "TA"},      {32769, "DLV"},
  };
  for (const auto& e : kTypes)
    if (e.type == t) return e.name;
  return fmt::format("type={}", t);
}

std::string format_query(const pd::Question& q, const IpAddr& from) {
  return fmt::format("query[{}] {} from {}", query_type_text(q.qtype), q.name.to_text(),
                     from.to_string());
}

std::string format_forwarded(const pd::Name& name, const net::SocketAddr& server) {
  if (server.port() == 53)
    return fmt::format("forwarded {} to {}", name.to_text(), server.ip().to_string());
  return fmt::format("forwarded {} to {}", name.to_text(), server.to_string());
}

std::string rcode_text(uint8_t rc) {
  switch (rc) {
    case pd::rcode::NoError: return "NOERROR";
    case pd::rcode::FormErr: return "FORMERR";
    case pd::rcode::ServFail: return "SERVFAIL";
    case pd::rcode::NxDomain: return "NXDOMAIN";
    case pd::rcode::NotImp: return "NOTIMP";
    case pd::rcode::Refused: return "REFUSED";
    default: return fmt::format("rcode={}", rc);
  }
}

namespace {

std::string ede_text(uint16_t ede) {
  switch (ede) {
    case pd::ede::NotReady: return "not ready";
    case pd::ede::NetworkError: return "network error";
    case pd::ede::InvalidData: return "invalid data";
    case pd::ede::Blocked: return "blocked";
    default: return "other";
  }
}

// TXT strings may hold any byte; keep log lines printable and on one line.
std::string printable(pd::Bytes b) {
  std::string s;
  for (uint8_t c : b) s.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return s;
}

std::string owner_for_log(const pd::Name& owner) {
  std::string lower = lower_name_text(owner);
  if (auto ip = reverse_name_address(lower)) return ip->to_string();
  return owner.to_text();
}

}  // namespace

std::string format_config(std::string_view name, uint8_t rc, std::optional<uint16_t> ede) {
  std::string line = fmt::format("config {} is {}", name, rcode_text(rc));
  if (ede) line += fmt::format(" (EDE: {})", ede_text(*ede));
  return line;
}

void log_reply(pd::Bytes reply, const pd::Question& q, const LogSink& sink) {
  auto v = pd::MessageView::parse(reply);
  if (!v) return;
  const uint8_t rc = v->header().rcode();
  if (v->header().tc()) {  // dnsmasq does not look into a truncated answer
    sink("reply is truncated");
    return;
  }
  if (rc == pd::rcode::NxDomain) {
    sink(fmt::format("reply {} is NXDOMAIN", q.name.to_text()));
    return;
  }
  if (rc != pd::rcode::NoError) {
    sink(fmt::format("reply error is {}", rcode_text(rc)));
    return;
  }
  // Records of the asked type are shown in full; CNAMEs and records of other types as
  // <TYPE>. With no record of the asked type, NODATA is logged for the end of the chain.
  size_t p = v->answer_offset();
  bool any = false;
  pd::Name chain_end = q.name;
  for (unsigned i = 0; i < v->header().ancount; ++i) {
    pd::RecordView rec;
    auto r = pd::read_record(reply, p, rec);
    if (!r) return;
    p = *r;
    if (rec.rclass != pd::cls::IN) continue;
    const std::string owner = rec.owner.to_text();
    auto rdata = reply.subspan(rec.rdata_offset, rec.rdlength);
    if (rec.type == pd::rr::CNAME) {
      sink(fmt::format("reply {} is <CNAME>", owner));
      pd::Name target;
      if (rec.owner.equals_nocase(chain_end) && pd::read_name(reply, rec.rdata_offset, target))
        chain_end = target;
      continue;
    }
    if (rec.type != q.qtype) {
      sink(fmt::format("reply {} is <{}>", owner, query_type_text(rec.type)));
      continue;
    }
    any = true;
    switch (rec.type) {
      case pd::rr::A:
        if (rdata.size() == 4)
          sink(fmt::format("reply {} is {}", owner,
                           IpAddr::v4({rdata[0], rdata[1], rdata[2], rdata[3]}).to_string()));
        break;
      case pd::rr::AAAA:
        if (rdata.size() == 16) {
          std::array<uint8_t, 16> b{};
          std::copy(rdata.begin(), rdata.end(), b.begin());
          sink(fmt::format("reply {} is {}", owner, IpAddr::v6(b).to_string()));
        }
        break;
      case pd::rr::TXT:
        for (size_t t = 0; t < rdata.size();) {
          size_t n = rdata[t];
          if (t + 1 + n > rdata.size()) break;
          sink(fmt::format("reply {} is {}", owner, printable(rdata.subspan(t + 1, n))));
          t += 1 + n;
        }
        break;
      case pd::rr::PTR: {
        pd::Name target;
        if (pd::read_name(reply, rec.rdata_offset, target))
          sink(fmt::format("reply {} is {}", owner_for_log(rec.owner), target.to_text()));
        break;
      }
      default:
        sink(fmt::format("reply {} is <{}>", owner, query_type_text(rec.type)));
        break;
    }
  }
  if (!any && q.qtype != pd::rr::ANY) {
    const char* what = q.qtype == pd::rr::A      ? "NODATA-IPv4"
                       : q.qtype == pd::rr::AAAA ? "NODATA-IPv6"
                                                 : "NODATA";
    sink(fmt::format("reply {} is {}", chain_end.to_text(), what));
  }
}

}  // namespace masqd::dns
