// Transfer: the state machine of one read transfer, pure. Given the client's packets and the
// time, it says which packets to send: the OACK (RFC 2347) or the first window of DATA
// blocks, the next window on each ACK (RFC 7440 windows, RFC 1350 lock-step when the window
// is 1), retransmission with back-off, and the end. File bytes come through FileSource, so
// the whole thing runs on memory in tests. No sockets, no clock, no logger.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tftp/tftp_packet.h"

namespace masqd::tftp {

// Random-access reads of the file being sent.
class FileSource {
 public:
  virtual ~FileSource() = default;
  // Up to n bytes from `offset` into buf: the count (short only at the end of the file), or
  // -errno.
  virtual ssize_t read_at(uint64_t offset, uint8_t* buf, size_t n) = 0;
};

struct TransferParams {
  uint32_t block_size = kDefaultBlockSize;
  uint16_t window = 1;
  bool netascii = false;     // LF -> CR LF, CR -> CR NUL (RFC 764); window is then 1
  uint8_t timeout_s = 0;     // first retransmission after this many seconds (0: 1 s)
  std::vector<uint8_t> oack; // sent first (block 0) when not empty

  // What the request and the negotiation settled (the OACK built when options were taken).
  static TransferParams from(const Request& request, const Negotiated& n);
};

class Transfer {
 public:
  using Clock = std::chrono::steady_clock;
  using Send = std::function<void(Bytes)>;

  enum class Status : uint8_t {
    Running,
    Done,         // the last block was acknowledged (or sent, and the client went quiet)
    TimedOut,     // no progress after every retransmission, or longer than kMaxDuration
    ClientError,  // the client sent an ERROR packet
    ReadError,    // the file could not be read: the caller sends the ERROR packet
  };

  // Abandon a transfer that runs longer than this, as dnsmasq.
  static constexpr std::chrono::seconds kMaxDuration{120};
  // Retransmissions of one packet or window before giving up.
  static constexpr int kMaxRetries = 6;

  Transfer(TransferParams params, FileSource& file, Clock::time_point now);

  // Sends the OACK or the first window.
  void start(const Send& send);
  // A datagram from the client's address and port.
  void on_packet(Bytes packet, Clock::time_point now, const Send& send);
  // Call at or after deadline(): retransmits or ends the transfer.
  void on_timer(Clock::time_point now, const Send& send);

  Status status() const { return status_; }
  Clock::time_point deadline() const { return deadline_; }
  uint16_t client_error_code() const { return client_code_; }
  const std::string& client_error_message() const { return client_message_; }
  int read_errno() const { return read_errno_; }
  uint64_t blocks_sent() const { return blocks_sent_; }
  uint64_t retransmissions() const { return retransmissions_; }
  // The final block has gone out at least once (dnsmasq then logs "sent" even when the
  // client answers it with an ERROR or never acknowledges it).
  bool last_block_sent() const { return final_ != 0 && base_ != 0 && final_ < base_ + params_.window; }

 private:
  void send_window(const Send& send);
  // Fills pkt_ with block `index` (1-based); false on a read error.
  bool make_block(uint64_t index, size_t& length);
  size_t fill_netascii(uint8_t* out, size_t room);
  void arm(Clock::time_point now);

  TransferParams params_;
  FileSource& file_;
  Status status_ = Status::Running;
  Clock::time_point started_;
  Clock::time_point deadline_;
  int retries_ = 0;

  uint64_t base_ = 0;       // first block not yet acknowledged (0 = the OACK)
  uint64_t final_ = 0;      // index of the last block once known (0 = not yet)
  std::vector<uint8_t> pkt_;

  // netascii: the converted stream is made block by block; the current block is kept for
  // retransmission.
  uint64_t na_offset_ = 0;   // next file byte to convert
  int na_pending_ = -1;      // second byte of a CR LF / CR NUL pair that did not fit
  uint64_t na_index_ = 0;    // block held in na_block_
  std::vector<uint8_t> na_block_;
  std::vector<uint8_t> na_in_;

  uint16_t client_code_ = 0;
  std::string client_message_;
  int read_errno_ = 0;
  uint64_t blocks_sent_ = 0;
  uint64_t retransmissions_ = 0;
};

}  // namespace masqd::tftp
