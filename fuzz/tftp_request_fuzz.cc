// Fuzz target: the TFTP request parser and option negotiation (src/tftp/tftp_packet), then
// the transfer state machine (src/tftp/transfer) fed the same bytes as client packets. Any
// input must parse or be refused cleanly; a request that parses must negotiate values inside
// RFC limits; a transfer must never send more than a block plus its header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tftp/tftp_packet.h"
#include "tftp/transfer.h"

using namespace masqd::tftp;

namespace {

class PatternSource : public FileSource {
 public:
  explicit PatternSource(uint64_t size) : size_(size) {}
  ssize_t read_at(uint64_t off, uint8_t* buf, size_t n) override {
    if (off >= size_) return 0;
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, size_ - off));
    for (size_t i = 0; i < k; ++i) buf[i] = static_cast<uint8_t>((off + i) % 13 == 0 ? '\n' : 'a' + (off + i) % 26);
    return static_cast<ssize_t>(k);
  }

 private:
  uint64_t size_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  auto req = parse_request(in);
  (void)parse_client_packet(in);
  if (!req) return 0;
  if (req->filename.empty() || req->filename.find('\0') != std::string::npos) std::abort();
  NegotiationLimits lim;
  lim.buffer_max = 2263;
  lim.mtu = static_cast<uint32_t>(size % 3 == 0 ? 0 : 576 + size);
  lim.ipv6 = size & 1;
  lim.no_blocksize = size & 2;
  Negotiated n = negotiate(*req, lim, size * 977);
  if (n.block_size < 1 || n.block_size > 2263 || n.window < 1 || n.window > kMaxWindow) std::abort();
  if (lim.no_blocksize && n.block_size != kDefaultBlockSize) std::abort();

  const TransferParams p = TransferParams::from(*req, n);
  PatternSource file((size * 131) % 20000);
  auto now = Transfer::Clock::time_point{};
  Transfer t(p, file, now);
  size_t limit = 4 + p.block_size;
  auto send = [&](Bytes b) {
    if (b.size() > limit && !(b.size() == p.oack.size() && b.size() > 0)) std::abort();
  };
  t.start(send);
  // The input again, 4 bytes at a time, as the client's ACKs and errors, with timer ticks.
  for (size_t i = 0; i + 4 <= size && t.status() == Transfer::Status::Running; i += 4) {
    t.on_packet(Bytes(data + i, 4), now, send);
    if (data[i] & 0x80) t.on_timer(now = t.deadline(), send);
  }
  return 0;
}
