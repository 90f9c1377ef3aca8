// FileLeaseStore beyond the conformance suite: loading damaged files, keeping IPv6 lines,
// and the atomic rewrite.
#include "dhcp/file_lease_store.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dhcp/atomic_file.h"
#include "dhcp/test_temp_dir.h"

namespace masqd::dhcp {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

Lease lease(uint8_t host) {
  Lease l;
  l.address = IpAddr::v4({192, 0, 2, host});
  l.hwaddr = {2, 0, 0, 0, 0, host};
  l.expires = ExpiryTime(std::chrono::seconds(1795482900));
  return l;
}

TEST(FileLeaseStore, MissingFileIsEmptyAndNotCreatedUntilChanged) {
  testing::TempDir dir;
  auto s = FileLeaseStore::open(dir.file("leases"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->size(), 0u);
  ASSERT_TRUE((*s)->flush());
  EXPECT_FALSE(std::filesystem::exists(dir.file("leases")));
  (*s)->upsert(lease(1));
  ASSERT_TRUE((*s)->flush());
  EXPECT_EQ(slurp(dir.file("leases")), "1795482900 02:00:00:00:00:01 192.0.2.1 * *\n");
}

// Lines are reused between flushes only while their lease is unchanged (newest lease first).
TEST(FileLeaseStore, EveryFlushShowsTheLatestLeases) {
  testing::TempDir dir;
  auto s = FileLeaseStore::open(dir.file("leases"));
  ASSERT_TRUE(s) << s.error().message;
  (*s)->upsert(lease(1));
  (*s)->upsert(lease(2));
  ASSERT_TRUE((*s)->flush());
  EXPECT_EQ(slurp(dir.file("leases")),
            "1795482900 02:00:00:00:00:02 192.0.2.2 * *\n1795482900 02:00:00:00:00:01 192.0.2.1 * *\n");
  Lease renamed = lease(2);
  renamed.hostname = "pc2";
  renamed.expires += std::chrono::seconds(60);
  (*s)->upsert(renamed);
  ASSERT_TRUE((*s)->flush());
  EXPECT_EQ(slurp(dir.file("leases")),
            "1795482960 02:00:00:00:00:02 192.0.2.2 pc2 *\n1795482900 02:00:00:00:00:01 192.0.2.1 * *\n");
  EXPECT_TRUE((*s)->remove(IpAddr::v4({192, 0, 2, 1})));
  (*s)->upsert(lease(1));  // back at the same address, as it was
  EXPECT_TRUE((*s)->remove(IpAddr::v4({192, 0, 2, 2})));
  ASSERT_TRUE((*s)->flush());
  EXPECT_EQ(slurp(dir.file("leases")), "1795482900 02:00:00:00:00:01 192.0.2.1 * *\n");
  for (uint8_t h = 10; h < 250; ++h) (*s)->upsert(lease(h));
  ASSERT_TRUE((*s)->flush());
  for (uint8_t h = 10; h < 250; ++h) EXPECT_TRUE((*s)->remove(IpAddr::v4({192, 0, 2, h})));
  ASSERT_TRUE((*s)->flush());  // most cached lines are dropped here
  EXPECT_EQ(slurp(dir.file("leases")), "1795482900 02:00:00:00:00:01 192.0.2.1 * *\n");
  (*s)->upsert(lease(20));
  ASSERT_TRUE((*s)->flush());
  EXPECT_EQ(slurp(dir.file("leases")),
            "1795482900 02:00:00:00:00:14 192.0.2.20 * *\n1795482900 02:00:00:00:00:01 192.0.2.1 * *\n");
}

TEST(FileLeaseStore, DamagedFileKeepsGoodLinesAndIpv6) {
  testing::TempDir dir;
  spit(dir.file("leases"),
       "0 02:00:00:00:00:01 192.0.2.1 one *\n"
       "\x01\x02 binary junk\n"
       "0 02:00:00:00:00:02 192.0.2.2 two *\n"
       "duid 00:01:00:01:32:97:93:ef:7a:84:e5:f5:9d:ec\n"
       "1795483009 1 2001:db8::104 * 00:01:00:01\n"
       "0 02:00:00:00:00:03 192.0.2.3 three");
  auto s = FileLeaseStore::open(dir.file("leases"));
  ASSERT_TRUE(s);
  ASSERT_EQ((*s)->load_problems().size(), 1u);
  EXPECT_EQ((*s)->load_problems()[0].line, 2u);
  EXPECT_EQ((*s)->size(), 3u);
  (*s)->upsert(lease(4));
  ASSERT_TRUE((*s)->flush());
  EXPECT_EQ(slurp(dir.file("leases")),
            "1795482900 02:00:00:00:00:04 192.0.2.4 * *\n"
            "0 02:00:00:00:00:01 192.0.2.1 one *\n"
            "0 02:00:00:00:00:02 192.0.2.2 two *\n"
            "0 02:00:00:00:00:03 192.0.2.3 three *\n"
            "duid 00:01:00:01:32:97:93:ef:7a:84:e5:f5:9d:ec\n"
            "1795483009 1 2001:db8::104 * 00:01:00:01\n");
}

TEST(FileLeaseStore, DuplicateAddressLaterLineWins) {
  testing::TempDir dir;
  spit(dir.file("leases"),
       "0 02:00:00:00:00:01 192.0.2.1 old *\n0 02:00:00:00:00:09 192.0.2.1 new *\n");
  auto s = FileLeaseStore::open(dir.file("leases"));
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)->size(), 1u);
  EXPECT_EQ((*s)->find(IpAddr::v4({192, 0, 2, 1}))->hostname, "new");
}

TEST(FileLeaseStore, RewriteKeepsModeAndLeavesNoTempFiles) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  spit(path, "");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  auto s = FileLeaseStore::open(path);
  ASSERT_TRUE(s);
  for (uint8_t i = 1; i <= 5; ++i) {
    (*s)->upsert(lease(i));
    ASSERT_TRUE((*s)->flush());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST(FileLeaseStore, NewFileIs0644) {
  testing::TempDir dir;
  ASSERT_TRUE(replace_file_atomically(dir.file("f"), "x\n"));
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST(FileLeaseStore, WriteFailureKeepsOldFileAndStaysDirty) {
  testing::TempDir dir;
  const std::string sub = dir.file("sub");
  std::filesystem::create_directory(sub);
  const std::string path = sub + "/leases";
  spit(path, "0 02:00:00:00:00:01 192.0.2.1 one *\n");
  auto s = FileLeaseStore::open(path);
  ASSERT_TRUE(s);
  (*s)->upsert(lease(2));
  if (::geteuid() == 0) {
    // Root ignores directory permissions; a missing directory fails for everyone.
    std::filesystem::rename(sub, dir.file("moved"));
    auto r = (*s)->flush();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 3);
    std::filesystem::rename(dir.file("moved"), sub);
  } else {
    ASSERT_EQ(::chmod(sub.c_str(), 0500), 0);
    auto r = (*s)->flush();
    ASSERT_EQ(::chmod(sub.c_str(), 0700), 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 3);
  }
  EXPECT_EQ(slurp(path), "0 02:00:00:00:00:01 192.0.2.1 one *\n");
  ASSERT_TRUE((*s)->flush());  // still dirty: the retry writes
  EXPECT_EQ((*s)->size(), 2u);
  EXPECT_NE(slurp(path).find("192.0.2.2"), std::string::npos);
}

// dnsmasq keeps the lease file open across its privilege drop; so does the store, and when
// the run user may not replace the file it rewrites it in place through that descriptor.
TEST(FileLeaseStore, HeldDescriptorWritesInPlaceWhenReplacingIsRefused) {
  testing::TempDir dir;
  const std::string sub = dir.file("sub");
  std::filesystem::create_directory(sub);
  const std::string path = sub + "/leases";
  spit(path, "0 02:00:00:00:00:01 192.0.2.1 one *\n");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = FileLeaseStore::open(path);
    if (!s || !(*s)->hold_descriptor()) ::_exit(10);
    (*s)->upsert(lease(3));
    if (!(*s)->flush() || (*s)->writes_in_place()) ::_exit(11);  // still allowed: atomic
    // Lose the right to write the directory: root by switching user, others by chmod.
    if (::geteuid() == 0) {
      ::chmod(path.c_str(), 0644);
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(12);
    } else if (::chmod(sub.c_str(), 0500) != 0) {
      ::_exit(13);
    }
    (*s)->upsert(lease(2));
    (*s)->remove(IpAddr::v4({192, 0, 2, 3}));
    bool ok = (*s)->flush().ok() && (*s)->writes_in_place();
    ::_exit(ok ? 0 : 14);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::chmod(sub.c_str(), 0700);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(slurp(path),
            format_lease_line(lease(2)) + "0 02:00:00:00:00:01 192.0.2.1 one *\n");
}

TEST(FileLeaseStore, UnreadableOrHugeFileIsAnError) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.file("adir"));
  auto s = FileLeaseStore::open(dir.file("adir"));  // read() on a directory: EISDIR
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, 3);
  auto small = read_whole_file(dir.file("big"), 4);
  ASSERT_TRUE(small);
  EXPECT_FALSE(*small);
  spit(dir.file("big"), "12345");
  EXPECT_FALSE(read_whole_file(dir.file("big"), 4));
}

}  // namespace
}  // namespace masqd::dhcp

namespace masqd::dhcp {
namespace {


TEST(AtomicFileWriter, ReplacesAgainKeepingTheModeAndTheDescriptor) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  ASSERT_TRUE(replace_file_atomically(path, "old\n"));
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  AtomicFileWriter w(path);
  ASSERT_TRUE(w.replace("one\n"));
  EXPECT_EQ(slurp(path), "one\n");
  int kept = -1;
  ASSERT_TRUE(w.replace("two\n", &kept));
  ASSERT_GE(kept, 0);
  EXPECT_EQ(slurp(path), "two\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // The kept descriptor is the file the name points at now.
  ASSERT_EQ(::pwrite(kept, "TWO\n", 4, 0), 4);
  EXPECT_EQ(slurp(path), "TWO\n");
  ::close(kept);
  EXPECT_FALSE(std::filesystem::exists(path + ".new"));
}

TEST(AtomicFileWriter, DoesNotFollowASymlinkAtTheTemporaryName) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  const std::string victim = dir.file("victim");
  ASSERT_TRUE(replace_file_atomically(victim, "keep\n"));
  std::filesystem::create_symlink(victim, path + ".new");
  AtomicFileWriter w(path);
  EXPECT_FALSE(w.replace("x\n"));
  EXPECT_EQ(slurp(victim), "keep\n");
}

}  // namespace
}  // namespace masqd::dhcp

// Journal mode (start_journal): changes are durable in <path>.journal; destroying the store
// without finish() is what a crash leaves behind.
namespace masqd::dhcp {
namespace {

std::unique_ptr<FileLeaseStore> journaled(const std::string& path) {
  auto s = FileLeaseStore::open(path);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  if (!s) return nullptr;
  EXPECT_TRUE((*s)->hold_descriptor());
  EXPECT_TRUE((*s)->start_journal());
  EXPECT_TRUE((*s)->journaling()) << (*s)->take_journal_note();
  return std::move(s).value();
}

// The file's modification time `offset` seconds from now.
bool set_mtime_from_now(const std::string& path, int offset) {
  struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
  if (::clock_gettime(CLOCK_REALTIME, &times[1]) != 0) return false;
  times[1].tv_sec += offset;
  return ::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0;
}

std::vector<Lease> all_of(const LeaseStore& s) {
  std::vector<Lease> out;
  s.for_each([&](const Lease& l) { out.push_back(l); });
  return out;
}

TEST(FileLeaseStoreJournal, ACrashLosesNoFlushedChange) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  spit(path, format_lease_line(lease(1)) + format_lease_line(lease(2)) + "duid 00:01:02\n");
  auto s = journaled(path);
  ASSERT_TRUE(s);
  Lease renamed = lease(1);
  renamed.hostname = "one";
  s->upsert(lease(3));
  s->upsert(renamed);          // replaced in place
  ASSERT_TRUE(s->remove(IpAddr::v4({192, 0, 2, 2})));
  s->upsert(lease(2));         // back, now the newest
  s->upsert(lease(4));
  ASSERT_TRUE(s->remove(IpAddr::v4({192, 0, 2, 4})));  // gone again in the same flush
  ASSERT_TRUE(s->flush());
  s->upsert(lease(5));
  ASSERT_TRUE(s->flush());
  s->upsert(lease(6));  // never flushed: not promised to anyone
  const std::string file_now = slurp(path);
  auto want = all_of(*s);
  want.erase(want.begin());  // lease 6
  EXPECT_EQ(file_now, format_lease_line(lease(5)) + format_lease_line(lease(2)) + format_lease_line(lease(3)) +
                          format_lease_line(renamed) + "duid 00:01:02\n");
  s.reset();  // a crash
  // The lease file may be anything after a power cut; the journal alone must do.
  spit(path, "garbage\n");
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), want);
  EXPECT_EQ((*back)->render(), file_now);
  EXPECT_NE((*back)->take_journal_note().find("did not stop cleanly): 2 changes"), std::string::npos);
  EXPECT_TRUE((*back)->load_problems().empty());
}

TEST(FileLeaseStoreJournal, FinishLeavesTheLeaseFileAlone) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  auto s = journaled(path);
  ASSERT_TRUE(s);
  EXPECT_TRUE(std::filesystem::exists(path + ".journal"));
  s->upsert(lease(7));
  ASSERT_TRUE(s->finish());
  EXPECT_FALSE(s->journaling());
  EXPECT_FALSE(std::filesystem::exists(path + ".journal"));
  EXPECT_EQ(slurp(path), format_lease_line(lease(7)));
  s.reset();
  // An edit while stopped is what the next start reads.
  spit(path, format_lease_line(lease(8)));
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), std::vector<Lease>{lease(8)});
  EXPECT_EQ((*back)->take_journal_note(), "");
}

TEST(FileLeaseStoreJournal, AnEmptiedJournalIsNoJournal) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  auto s = journaled(path);
  ASSERT_TRUE(s);
  s->upsert(lease(9));
  ASSERT_TRUE(s->flush());
  s.reset();
  // finish() could not unlink it (no permission on the directory): it is emptied instead.
  ::truncate((path + ".journal").c_str(), 0);
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), std::vector<Lease>{lease(9)});  // from the lease file
  EXPECT_EQ((*back)->take_journal_note(), "");
}

TEST(FileLeaseStoreJournal, ADamagedJournalIsIgnoredAndSaidSo) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  spit(path, format_lease_line(lease(1)));
  spit(path + ".journal", "not a journal\n");
  auto s = FileLeaseStore::open(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(all_of(**s), std::vector<Lease>{lease(1)});
  EXPECT_EQ((*s)->take_journal_note(), "ignored " + path + ".journal: not a lease journal, or damaged");
}

TEST(FileLeaseStoreJournal, AFullJournalStartsAgainFromTheWholeFile) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  auto s = journaled(path);
  ASSERT_TRUE(s);
  const auto first_size = std::filesystem::file_size(path + ".journal");
  // Each flush writes about 50 bytes: 1 MiB fills after some 20 000 flushes.
  for (int i = 0; i < 25000; ++i) {
    Lease l = lease(static_cast<uint8_t>(10 + i % 200));
    l.expires = ExpiryTime(std::chrono::seconds(1795482900 + i));
    s->upsert(l);
    ASSERT_TRUE(s->flush()) << i;
  }
  EXPECT_TRUE(s->journaling());
  EXPECT_EQ(std::filesystem::file_size(path + ".journal"), first_size);
  auto want = all_of(*s);
  const std::string text = slurp(path);
  s.reset();
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), want);
  EXPECT_EQ((*back)->render(), text);
  // Fewer changes than were made: the journal was started again from the file.
  const std::string note = (*back)->take_journal_note();
  auto at = note.find("): ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(std::stoul(note.substr(at + 3)), 25000u);
}

// The lease file is rewritten in place, only where it changed: after every flush it must
// read exactly as render() says, through renewals (same length), names that change length,
// new leases in front, removals and a shrinking file.
TEST(FileLeaseStoreJournal, TheLeaseFileMatchesAfterEveryFlush) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  spit(path, "duid 00:01:02\n");
  auto s = journaled(path);
  ASSERT_TRUE(s);
  uint32_t x = 12345;
  auto next = [&x] { return x = x * 1103515245u + 12345u, (x >> 16) & 0x7fff; };
  for (int round = 0; round < 600; ++round) {
    for (int k = 0, n = 1 + static_cast<int>(next() % 4); k < n; ++k) {
      const auto host = static_cast<uint8_t>(10 + next() % 40);
      switch (next() % 4) {
        case 0:
          s->remove(IpAddr::v4({192, 0, 2, host}));
          break;
        case 1: {
          Lease l = lease(host);
          l.hostname = std::string(next() % 12, 'h');
          s->upsert(l);
          break;
        }
        default: {
          Lease l = lease(host);
          l.expires = ExpiryTime(std::chrono::seconds(1795482900 + next()));
          s->upsert(l);
        }
      }
    }
    ASSERT_TRUE(s->flush());
    ASSERT_EQ(slurp(path), s->render()) << round;
  }
  const auto want = all_of(*s);
  s.reset();
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), want);
}

// After a crash, dnsmasq (or an editor) wrote the lease file: the journal is out of date.
TEST(FileLeaseStoreJournal, ALeaseFileWrittenLaterWins) {
  testing::TempDir dir;
  const std::string path = dir.file("leases");
  auto s = journaled(path);
  ASSERT_TRUE(s);
  s->upsert(lease(1));
  ASSERT_TRUE(s->flush());
  s.reset();  // a crash
  spit(path, format_lease_line(lease(2)));
  // Written within the slack of the journal: still masqd's own write, the journal wins.
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), std::vector<Lease>{lease(1)});
  // Written a minute after the journal's last change: the file wins, and the log says so.
  ASSERT_TRUE(set_mtime_from_now(path, 60));
  back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(all_of(**back), std::vector<Lease>{lease(2)});
  EXPECT_EQ((*back)->take_journal_note(),
            "ignored " + path + ".journal: the lease file was written after it (by dnsmasq, or by hand)");
}

// After the privilege drop no new journal can be made in the (root's) directory: a full
// journal is started again in place, and journaling goes on.
TEST(FileLeaseStoreJournal, AFullJournalStartsAgainInPlaceWithoutTheDirectory) {
  testing::TempDir dir;
  const std::string sub = dir.file("sub");
  std::filesystem::create_directory(sub);
  const std::string path = sub + "/leases";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = FileLeaseStore::open(path);
    if (!s || !(*s)->hold_descriptor() || !(*s)->start_journal() || !(*s)->journaling()) ::_exit(10);
    if (::geteuid() == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(12);
    } else if (::chmod(sub.c_str(), 0500) != 0) {
      ::_exit(13);
    }
    for (int i = 0; i < 25000; ++i) {
      Lease l = lease(static_cast<uint8_t>(10 + i % 200));
      l.expires = ExpiryTime(std::chrono::seconds(1795482900 + i));
      (*s)->upsert(l);
      if (!(*s)->flush()) ::_exit(14);
    }
    // Then a crash: no finish(). (The test directory is root's 0700: no reading here.)
    ::_exit((*s)->journaling() && (*s)->take_journal_note().empty() ? 0 : 15);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::chmod(sub.c_str(), 0700);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  const std::string text = slurp(path);
  spit(path, "");  // as if the unsynced lease file was lost: the journal alone must do
  ASSERT_TRUE(set_mtime_from_now(path, -60));  // and not newer than the journal
  auto back = FileLeaseStore::open(path);
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)->render(), text);
  EXPECT_EQ((*back)->size(), 200u);
  EXPECT_NE((*back)->take_journal_note().find("did not stop cleanly"), std::string::npos);
}

TEST(FileLeaseStoreJournal, NeedsTheHeldDescriptor) {
  testing::TempDir dir;
  auto s = FileLeaseStore::open(dir.file("leases"));
  ASSERT_TRUE(s);
  EXPECT_FALSE((*s)->start_journal());
  EXPECT_FALSE((*s)->journaling());
}

}  // namespace
}  // namespace masqd::dhcp
