#include "dhcp/dhcp4_service.h"

#include <gtest/gtest.h>

namespace masqd::dhcp {
namespace {

TEST(RecvBufferNote, SaysWhatTheKernelGaveAndWhy) {
  // Stock Debian's net.core.rmem_max, which caps SO_RCVBUF without CAP_NET_ADMIN.
  const std::string note = recv_buffer_note(212992, 2 << 20);
  EXPECT_NE(note.find("DHCP receive buffer is 208 KiB, not 2048 KiB"), std::string::npos) << note;
  EXPECT_NE(note.find("net.core.rmem_max"), std::string::npos) << note;
}

TEST(RecvBufferNote, NothingWhenGrantedInFullOrUnknown) {
  EXPECT_EQ(recv_buffer_note(2 << 20, 2 << 20), "");
  EXPECT_EQ(recv_buffer_note(4 << 20, 2 << 20), "");
  EXPECT_EQ(recv_buffer_note(0, 2 << 20), "");
}

}  // namespace
}  // namespace masqd::dhcp
