#include "train/weights_file.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

fs::path write_sample(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "descent_weights_test";
  fs::create_directories(dir);
  StateDict state;
  state.meta = {{"model", "tiny"}};
  state.tensors.emplace("a", Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  state.tensors.emplace("b", Tensor({1}, {-7.5f}));
  write_weights_file(dir / name, state);
  return dir / name;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(WeightsFile, RoundTripsExactly) {
  const StateDict back = read_weights_file(write_sample("round.bin"));
  EXPECT_EQ(back.meta["model"], "tiny");
  ASSERT_EQ(back.tensors.at("a").shape(), (Shape{2, 3}));
  EXPECT_EQ(back.tensors.at("a")[5], 6.0f);
  EXPECT_EQ(back.tensors.at("b")[0], -7.5f);
}

TEST(WeightsFile, RejectsDamagedAndTruncatedFiles) {
  const fs::path path = write_sample("damaged.bin");
  std::string bytes = read_bytes(path);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x20;
  write_bytes(path, flipped);
  EXPECT_THROW(read_weights_file(path), DataError);
  write_bytes(path, bytes.substr(0, bytes.size() - 9));
  EXPECT_THROW(read_weights_file(path), DataError);
  write_bytes(path, "not a weights file at all");
  EXPECT_THROW(read_weights_file(path), DataError);
  EXPECT_THROW(read_weights_file(path.parent_path() / "missing.bin"), IoError);
}

}  // namespace
}  // namespace descent
