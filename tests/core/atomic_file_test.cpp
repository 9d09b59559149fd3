#include "core/atomic_file.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "read_file.h"
#include "temp_dir.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

mode_t mode_of(const fs::path& path) {
  struct stat s {};
  ::stat(path.c_str(), &s);
  return s.st_mode & 07777;
}

TEST(AtomicFile, ANewFileGetsTheUmasksPermissions) {
  TempDir dir;
  const mode_t old_mask = ::umask(027);
  write_file_atomically(dir / "new.txt", std::string("hello"));
  ::umask(old_mask);
  EXPECT_EQ(read_file(dir / "new.txt"), "hello");
  EXPECT_EQ(mode_of(dir / "new.txt"), 0640u);
}

TEST(AtomicFile, AReplacedFileKeepsItsPermissionsAndLeavesNoTemporaryFile) {
  TempDir dir;
  const fs::path file = dir.write("kept.txt", "old");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  write_file_atomically(file, std::string("new content"));
  EXPECT_EQ(read_file(file), "new content");
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

// A write that fails part-way (the file-size limit, as a full disk would) leaves the old contents
// whole and no temporary file: a writer that wrote in place would have cut the old file short.
TEST(AtomicFile, AFailedReplacementKeepsTheOldContents) {
  TempDir dir;
  const fs::path file = dir.write("history.csv", "epoch,loss\n1,0.5\n");
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  bool failed = false;
  try {
    write_file_atomically(file, std::string(8192, 'x'));
  } catch (const IoError&) {
    failed = true;
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_TRUE(failed);
  EXPECT_EQ(read_file(file), "epoch,loss\n1,0.5\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(AtomicFile, AFailureNamesTheTargetNotTheTemporaryFile) {
  TempDir dir;
  try {
    write_file_atomically(dir / "missing" / "report.html", std::string("x"));
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "missing" / "report.html").string()),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace descent
