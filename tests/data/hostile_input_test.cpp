// Hostile and broken IDX and CSV files (docs/fuzzing.md): each is a typed rejection, and a header
// cannot make the reader allocate more than the file holds.
#include <cstdint>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bounded_memory.h"
#include "core/error.h"
#include "data/idx.h"
#include "temp_dir.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

std::string big_endian(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// An unsigned-byte IDX file of the given dimensions followed by `body`.
std::string idx_file(std::initializer_list<std::uint32_t> dims, const std::string& body) {
  std::string out{'\0', '\0', '\x08', static_cast<char>(dims.size())};
  for (std::uint32_t d : dims)
    out += big_endian(d);
  return out + body;
}

TEST(HostileIdx, HeaderClaimingGigabytesIsRejectedWithoutAllocating) {
  if (!testing::kAddressSpaceIsMeaningful) GTEST_SKIP() << "address space cap needs no ASan";
  const testing::TempDir dir;
  // 2^12 x 2^11 x 2^10 = 8 GiB of pixels declared, 5 bytes present.
  const auto images = dir.write("images", idx_file({4096, 2048, 1024}, "tiny!"));
  const auto labels = dir.write("labels", idx_file({4096}, std::string(4096, '\0')));
  const testing::Outcome outcome = testing::run_with_memory_cap([&] { read_idx(images, labels); });
  EXPECT_EQ(outcome, testing::Outcome::kDataError) << testing::outcome_name(outcome);
}

TEST(HostileIdx, TruncatedPlainFileNamesTheSizes) {
  const testing::TempDir dir;
  const auto images = dir.write("images", idx_file({2, 2, 2}, "abc"));
  const auto labels = dir.write("labels", idx_file({2}, "\x01\x02"));
  try {
    read_idx(images, labels);
    FAIL() << "accepted a truncated file";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("truncated: the header declares 2 x 2 x 2 (8 bytes), found 3"));
  }
}

}  // namespace
}  // namespace descent
