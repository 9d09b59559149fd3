// Hostile weights and checkpoint files (docs/fuzzing.md): a header cannot make the reader
// allocate more than the file holds.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bounded_memory.h"
#include "core/error.h"
#include "train/weights_file.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

template <class T>
void append(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

// A weights file with the given JSON header and data bytes, and a correct checksum.
std::string weights_file(const std::string& header, const std::string& data) {
  std::string out = "DESCENTW";
  append<std::uint32_t>(out, 1);
  append<std::uint64_t>(out, header.size());
  out += header + data;
  append(out, static_cast<std::uint32_t>(
                  crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()))));
  return out;
}

fs::path write(const std::string& name, const std::string& bytes) {
  const fs::path path = fs::temp_directory_path() / (name + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(HostileWeightsFile, HeaderClaimingGigabytesIsRejectedWithoutAllocating) {
  if (!testing::kAddressSpaceIsMeaningful) GTEST_SKIP() << "address space cap needs no ASan";
  const fs::path path =
      write("descent_huge_weights_",
            weights_file(R"({"meta": {}, "tensors": [{"name": "w", "shape": [1073741824], )"
                         R"("offset": 0, "size": 1073741824}]})",
                         "tiny"));
  const testing::Outcome outcome = testing::run_with_memory_cap([&] { read_weights_file(path); });
  fs::remove(path);
  EXPECT_EQ(outcome, testing::Outcome::kDataError) << testing::outcome_name(outcome);
}

// Fuzzing finding: a float shape such as 1e300 was converted to an integer (undefined).
TEST(HostileWeightsFile, FloatSizesAreRejected) {
  for (const char* entry :
       {R"("shape": [1e300], "offset": 0, "size": 1)", R"("shape": [1], "offset": 0.5, "size": 1)",
        R"("shape": [1], "offset": 0, "size": -1e19)"}) {
    const fs::path path =
        write("descent_float_weights_", weights_file(std::string(R"({"meta": {}, "tensors": )") +
                                                         R"([{"name": "w", )" + entry + "}]}",
                                                     "abcd"));
    try {
      read_weights_file(path);
      ADD_FAILURE() << "accepted " << entry;
    } catch (const DataError& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("tensor \"w\": shape, offset and size must be "
                                                 "integers"));
    }
    fs::remove(path);
  }
}

}  // namespace
}  // namespace descent
