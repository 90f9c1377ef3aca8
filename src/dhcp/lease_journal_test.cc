// The lease journal's bytes: records read back in order, and every kind of damage (a cut
// record, a changed byte, a foreign file) ends the reading instead of inventing changes.
#include "dhcp/lease_journal.h"

#include <gtest/gtest.h>

namespace masqd::dhcp {
namespace {

std::string journal_with(std::string_view snapshot, std::initializer_list<std::string_view> changes) {
  std::string j(kJournalMagic);
  j += journal_record(snapshot);
  for (auto c : changes) j += journal_record(c);
  return j;
}

TEST(LeaseJournal, ReadsSnapshotAndChangesInOrder) {
  const std::string j = journal_with("1 a\n", {"+x\n", "-192.0.2.1\n", ""});
  auto c = parse_journal(j + std::string(4096, '\0'));
  ASSERT_TRUE(c.valid);
  EXPECT_EQ(c.snapshot, "1 a\n");
  EXPECT_EQ(c.changes, (std::vector<std::string>{"+x\n", "-192.0.2.1\n", ""}));
  // An empty change record is a record: it is the zeros after it that end the journal.
  EXPECT_EQ(c.end, j.size());
}

TEST(LeaseJournal, NewJournalIsZeroFilledToCapacity) {
  const std::string j = new_journal("snap\n", 1000);
  EXPECT_EQ(j.size(), 1000u);
  EXPECT_EQ(j.find_first_not_of('\0', kJournalMagic.size() + kJournalRecordHeader + 5), std::string::npos);
  auto c = parse_journal(j);
  ASSERT_TRUE(c.valid);
  EXPECT_EQ(c.snapshot, "snap\n");
  EXPECT_TRUE(c.changes.empty());
  EXPECT_EQ(c.end, kJournalMagic.size() + kJournalRecordHeader + 5);
  // A snapshot larger than the capacity is not cut.
  EXPECT_EQ(new_journal(std::string(50, 'x'), 10).size(), kJournalMagic.size() + kJournalRecordHeader + 50);
  // An empty store's snapshot is an empty record, still valid.
  EXPECT_TRUE(parse_journal(new_journal("", 100)).valid);
}

TEST(LeaseJournal, ACutOrChangedRecordEndsTheJournal) {
  const std::string good = journal_with("s\n", {"+a\n"});
  const std::string last = journal_record("+b\n");
  // Cut anywhere inside the last record: the changes before it stand.
  for (size_t keep = 0; keep < last.size(); ++keep) {
    auto c = parse_journal(good + last.substr(0, keep) + std::string(8, '\0'));
    ASSERT_TRUE(c.valid);
    EXPECT_EQ(c.changes, std::vector<std::string>{"+a\n"}) << keep;
    EXPECT_EQ(c.end, good.size());
  }
  // Any one byte of the last record changed: it is not read.
  for (size_t i = 0; i < last.size(); ++i) {
    std::string bad = last;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    auto c = parse_journal(good + bad);
    ASSERT_TRUE(c.valid);
    EXPECT_EQ(c.changes, std::vector<std::string>{"+a\n"}) << i;
  }
  // A record after a damaged one is not read either.
  std::string bad = last;
  bad.back() = 'X';
  EXPECT_EQ(parse_journal(good + bad + journal_record("+c\n")).changes, std::vector<std::string>{"+a\n"});
}

TEST(LeaseJournal, DamagedSnapshotOrForeignFileIsInvalid) {
  EXPECT_FALSE(parse_journal("").valid);
  EXPECT_FALSE(parse_journal("1795482900 02:00:00:00:00:01 192.0.2.1 * *\n").valid);
  std::string j = journal_with("snapshot\n", {"+a\n"});
  j[kJournalMagic.size() + kJournalRecordHeader] = 'S';
  auto c = parse_journal(j);
  EXPECT_FALSE(c.valid);
  EXPECT_TRUE(c.changes.empty());
  EXPECT_EQ(c.end, 0u);
  EXPECT_FALSE(parse_journal(std::string(kJournalMagic)).valid);
  // A length beyond the file.
  std::string big(kJournalMagic);
  big += std::string("\xff\xff\xff\x7f", 4) + std::string(8, '\0');
  EXPECT_FALSE(parse_journal(big).valid);
}

}  // namespace
}  // namespace masqd::dhcp
