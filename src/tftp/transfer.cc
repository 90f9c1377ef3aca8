#include "tftp/transfer.h"

#include <algorithm>

namespace masqd::tftp {

TransferParams TransferParams::from(const Request& request, const Negotiated& n) {
  TransferParams p;
  p.block_size = n.block_size;
  p.window = n.window;
  p.netascii = request.netascii;
  p.timeout_s = n.timeout_s;
  if (!n.oack.empty()) build_oack(p.oack, n.oack);
  return p;
}

Transfer::Transfer(TransferParams params, FileSource& file, Clock::time_point now)
    : params_(std::move(params)), file_(file), started_(now), deadline_(now) {
  if (params_.block_size < 1) params_.block_size = 1;
  if (params_.block_size > kMaxBlockSize) params_.block_size = kMaxBlockSize;
  params_.window = std::clamp<uint16_t>(params_.window, 1, kMaxWindow);
  if (params_.netascii) params_.window = 1;
  pkt_.resize(4 + params_.block_size);
  if (params_.netascii) {
    na_block_.resize(params_.block_size);
    na_in_.resize(std::max<size_t>(512, params_.block_size));
  }
  if (params_.oack.empty()) base_ = 1;
}

void Transfer::arm(Clock::time_point now) {
  // Back-off: 1, 1, 2, 2, 4, 4, 8 times the base interval (dnsmasq waits about as long).
  int64_t base_ms = params_.timeout_s ? int64_t{params_.timeout_s} * 1000 : 1000;
  deadline_ = now + std::chrono::milliseconds(base_ms << (retries_ / 2));
}

void Transfer::start(const Send& send) {
  retries_ = 0;
  send_window(send);
  arm(started_);
}

size_t Transfer::fill_netascii(uint8_t* out, size_t room) {
  size_t n = 0;
  if (na_pending_ >= 0 && n < room) {
    out[n++] = static_cast<uint8_t>(na_pending_);
    na_pending_ = -1;
  }
  while (n < room) {
    ssize_t got = file_.read_at(na_offset_, na_in_.data(), std::min(na_in_.size(), room - n));
    if (got < 0) {
      read_errno_ = static_cast<int>(-got);
      return SIZE_MAX;
    }
    if (got == 0) break;
    ssize_t i = 0;
    for (; i < got && n < room; ++i) {
      uint8_t c = na_in_[static_cast<size_t>(i)];
      if (c == '\n' || c == '\r') {
        out[n++] = '\r';
        uint8_t second = c == '\n' ? '\n' : '\0';
        if (n < room) out[n++] = second;
        else na_pending_ = second;
      } else {
        out[n++] = c;
      }
    }
    na_offset_ += static_cast<uint64_t>(i);
  }
  return n;
}

bool Transfer::make_block(uint64_t index, size_t& length) {
  build_data_header(pkt_.data(), static_cast<uint16_t>(index & 0xffff));  // rolls over to 0
  uint8_t* body = pkt_.data() + 4;
  size_t n = 0;
  if (params_.netascii) {
    if (na_index_ != index) {  // the next block (window 1: only ever index == na_index_ + 1)
      na_block_.resize(params_.block_size);
      size_t got = fill_netascii(na_block_.data(), params_.block_size);
      if (got == SIZE_MAX) return false;
      na_block_.resize(got);
      na_index_ = index;
    }
    n = na_block_.size();
    std::copy(na_block_.begin(), na_block_.end(), body);
  } else {
    uint64_t offset = (index - 1) * params_.block_size;
    while (n < params_.block_size) {
      ssize_t got = file_.read_at(offset + n, body + n, params_.block_size - n);
      if (got < 0) {
        read_errno_ = static_cast<int>(-got);
        return false;
      }
      if (got == 0) break;
      n += static_cast<size_t>(got);
    }
  }
  if (n < params_.block_size) final_ = index;
  length = 4 + n;
  return true;
}

void Transfer::send_window(const Send& send) {
  if (base_ == 0) {
    send(Bytes(params_.oack.data(), params_.oack.size()));
    return;
  }
  for (uint64_t i = base_; i < base_ + params_.window; ++i) {
    if (final_ && i > final_) break;
    size_t len = 0;
    if (!make_block(i, len)) {
      status_ = Status::ReadError;
      return;
    }
    send(Bytes(pkt_.data(), len));
    ++blocks_sent_;
  }
}

void Transfer::on_packet(Bytes packet, Clock::time_point now, const Send& send) {
  if (status_ != Status::Running) return;
  ClientPacket c = parse_client_packet(packet);
  if (c.kind == ClientPacket::Kind::Error) {
    status_ = Status::ClientError;
    client_code_ = c.error_code;
    client_message_ = std::move(c.message);
    return;
  }
  if (c.kind != ClientPacket::Kind::Ack) return;
  // The block acknowledged, as an offset from the last one acknowledged before (base_ - 1).
  // Block numbers are 16 bits and roll over; the window is at most 32, so the offset says
  // which block it is. 0 is a duplicate (not answered: Sorcerer's Apprentice).
  uint16_t prev = static_cast<uint16_t>((base_ - 1) & 0xffff);
  uint16_t delta = static_cast<uint16_t>(c.block - prev);
  uint64_t in_flight = base_ == 0 ? 1 : params_.window;
  if (base_ == 0) {
    if (c.block != 0) return;
    delta = 1;
  }
  if (delta == 0 || delta > in_flight) return;
  uint64_t acked = base_ - 1 + delta;
  if (base_ == 0) acked = 0;
  if (final_ && acked > final_) return;
  if (final_ && acked == final_) {
    status_ = Status::Done;
    return;
  }
  base_ = acked + 1;
  retries_ = 0;
  send_window(send);
  arm(now);
}

void Transfer::on_timer(Clock::time_point now, const Send& send) {
  if (status_ != Status::Running || now < deadline_) return;
  bool last_sent = last_block_sent();
  if (now - started_ >= kMaxDuration || retries_ >= kMaxRetries) {
    // dnsmasq does not complain when only the last ACK is missing: some clients never send it.
    status_ = last_sent && retries_ >= kMaxRetries ? Status::Done : Status::TimedOut;
    return;
  }
  ++retries_;
  ++retransmissions_;
  send_window(send);
  arm(now);
}

}  // namespace masqd::tftp
