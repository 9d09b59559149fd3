#include "data/idx.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "core/error.h"
#include "temp_dir.h"

namespace descent {
namespace {

using testing::TempDir;

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// An IDX file of unsigned bytes with the given dimensions; `type` overrides the element type.
std::string idx(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& body,
                std::uint8_t type = 0x08) {
  std::string out = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims)
    out += be32(d);
  out.append(body.begin(), body.end());
  return out;
}

std::string gzip(const std::string& raw) {
  TempDir tmp;
  const auto path = tmp / "x.gz";
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, raw.data(), static_cast<unsigned>(raw.size()));
  gzclose(f);
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Three 2x4 images with pixel value 8*i + j, labels 2, 0, 1.
std::vector<std::uint8_t> pixels() {
  std::vector<std::uint8_t> p;
  for (int i = 0; i < 24; ++i)
    p.push_back(static_cast<std::uint8_t>(i * 10));
  return p;
}
const std::string kImages = idx({3, 2, 4}, pixels());
const std::string kLabels = idx({3}, {2, 0, 1});

void expect_images(const Dataset& d) {
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.sample_shape, (Shape{1, 2, 4}));
  EXPECT_EQ(d.bytes, pixels());
  EXPECT_FLOAT_EQ(d.byte_scale, 1.0f / 255.0f);
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{2, 0, 1}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_NO_THROW(d.validate("idx"));
}

template <typename E>
void expect_error(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    FAIL() << "no error containing '" << fragment << "'";
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Idx, ReadsPlainFiles) {
  TempDir tmp;
  expect_images(read_idx(tmp.write("img", kImages), tmp.write("lab", kLabels)));
}

TEST(Idx, ReadsGzipByMagicNotByName) {
  TempDir tmp;
  // Compressed without .gz, and plain with .gz: the bytes decide.
  expect_images(read_idx(tmp.write("img.idx", gzip(kImages)), tmp.write("lab.gz", kLabels)));
  expect_images(read_idx(tmp.write("img.gz", gzip(kImages)), tmp.write("l.gz", gzip(kLabels))));
}

TEST(Idx, RankTwoImagesKeepTheirShape) {
  TempDir tmp;
  const Dataset d = read_idx(tmp.write("img", idx({3, 8}, pixels())), tmp.write("lab", kLabels));
  EXPECT_EQ(d.sample_shape, (Shape{8}));
}

TEST(Idx, ExplicitClassCount) {
  TempDir tmp;
  const auto img = tmp.write("img", kImages), lab = tmp.write("lab", kLabels);
  EXPECT_EQ(read_idx(img, lab, 10).num_classes, 10);
  expect_error<DataError>([&] { read_idx(img, lab, 2); }, "label 2 of sample 0 is outside [0, 2)");
}

TEST(Idx, MissingFileIsAnIoError) {
  TempDir tmp;
  const auto lab = tmp.write("lab", kLabels);
  expect_error<IoError>([&] { read_idx(tmp / "nope", lab); }, "cannot open");
  expect_error<IoError>([&] { read_idx(tmp.path(), lab); }, "not a regular file");
}

TEST(Idx, RejectsBadMagic) {
  TempDir tmp;
  const auto lab = tmp.write("lab", kLabels);
  expect_error<DataError>([&] { read_idx(tmp.write("img", "GIF89a..."), lab); },
                          "not an IDX file (magic number 0x47494638)");
  expect_error<DataError>([&] { read_idx(tmp.write("img", "\x01"), lab); },
                          "shorter than its 4-byte magic");
  // Swapped arguments: a label file where images belong, and the other way round.
  expect_error<DataError>([&] { read_idx(lab, lab); }, "is not an IDX image file");
  const auto img = tmp.write("img", kImages);
  expect_error<DataError>([&] { read_idx(img, img); },
                          "0x00000803 is not an IDX label file (expected 0x00000801)");
}

TEST(Idx, RejectsUnsupportedElementType) {
  TempDir tmp;
  expect_error<DataError>(
      [&] {
        read_idx(tmp.write("img", idx({3, 2, 4}, pixels(), 0x0D)), tmp.write("l", kLabels));
      },
      "element type 0x0D is not supported");
}

TEST(Idx, RejectsTruncatedFiles) {
  TempDir tmp;
  const auto lab = tmp.write("lab", kLabels);
  const std::string cut = kImages.substr(0, kImages.size() - 5);
  expect_error<DataError>([&] { read_idx(tmp.write("img", cut), lab); },
                          "truncated: the header declares 3 x 2 x 4 (24 bytes), found 19");
  expect_error<DataError>([&] { read_idx(tmp.write("img.gz", gzip(cut)), lab); }, "truncated");
  expect_error<DataError>([&] { read_idx(tmp.write("img", kImages.substr(0, 9)), lab); },
                          "truncated IDX header (dimension 2 of 3 missing)");
  // A gzip stream cut in the middle.
  const std::string z = gzip(kImages);
  expect_error<DataError>([&] { read_idx(tmp.write("img.gz", z.substr(0, z.size() - 12)), lab); },
                          "img.gz: truncated");
}

TEST(Idx, RejectsCorruptGzip) {
  TempDir tmp;
  std::string z = gzip(kImages);
  for (std::size_t i = 12; i < z.size() - 8; ++i)
    z[i] = static_cast<char>(z[i] ^ 0x5A);
  expect_error<DataError>([&] { read_idx(tmp.write("img.gz", z), tmp.write("l", kLabels)); },
                          "img.gz: corrupt gzip data");
}

TEST(Idx, RejectsTrailingBytesAndCountMismatch) {
  TempDir tmp;
  const auto lab = tmp.write("lab", kLabels);
  expect_error<DataError>([&] { read_idx(tmp.write("img", kImages + "xx"), lab); },
                          "more data than the 3 x 2 x 4 the header declares");
  expect_error<DataError>(
      [&] {
        read_idx(tmp.write("img", kImages), tmp.write("two", idx({2}, {0, 1})));
      },
      "has 2 labels but");
  expect_error<DataError>(
      [&] {
        read_idx(tmp.write("img", idx({3, 0, 4}, {})), lab);
      },
      "include a zero");
}

TEST(Idx, FashionMnistFolderFromEnvironment) {
  TempDir tmp;
  std::filesystem::create_directories(tmp / "fashion-mnist");
  const auto dir = tmp / "fashion-mnist";
  std::ofstream(dir / "train-images-idx3-ubyte.gz", std::ios::binary) << gzip(kImages);
  std::ofstream(dir / "train-labels-idx1-ubyte.gz", std::ios::binary) << gzip(kLabels);
  std::ofstream(dir / "t10k-images-idx3-ubyte", std::ios::binary) << kImages;  // plain works too
  std::ofstream(dir / "t10k-labels-idx1-ubyte", std::ios::binary) << kLabels;

  const char* old = std::getenv("DESCENT_DATA_DIR");
  const std::string saved = old ? old : "";
  ::setenv("DESCENT_DATA_DIR", tmp.path().c_str(), 1);
  EXPECT_EQ(find_fashion_mnist(), dir);
  const TrainTestSplit split = load_fashion_mnist();
  if (old)
    ::setenv("DESCENT_DATA_DIR", saved.c_str(), 1);
  else
    ::unsetenv("DESCENT_DATA_DIR");

  EXPECT_EQ(split.train.size(), 3);
  EXPECT_EQ(split.test.size(), 3);
  EXPECT_EQ(split.train.num_classes, 10);
  ASSERT_EQ(split.test.class_names.size(), 10u);
  EXPECT_EQ(split.test.class_names[9], "Ankle boot");
}

TEST(Idx, FashionMnistMissingFileIsAnIoError) {
  TempDir tmp;
  expect_error<IoError>([&] { load_fashion_mnist(tmp.path()); }, "train-images-idx3-ubyte");
}

TEST(Idx, RealFashionMnist) {
  std::filesystem::path dir;
  try {
    dir = find_fashion_mnist();
  } catch (const IoError& e) {
    GTEST_SKIP() << e.what();
  }
  const TrainTestSplit split = load_fashion_mnist(dir);
  ASSERT_EQ(split.train.size(), 60000);
  ASSERT_EQ(split.test.size(), 10000);
  EXPECT_EQ(split.train.sample_shape, (Shape{1, 28, 28}));
  EXPECT_EQ(split.train.num_classes, 10);
  split.train.validate("train");
  split.test.validate("test");
  // Fashion-MNIST is balanced: 6,000 training and 1,000 test images of each class.
  std::vector<int> train_count(10), test_count(10);
  for (std::int32_t l : split.train.labels)
    ++train_count[l];
  for (std::int32_t l : split.test.labels)
    ++test_count[l];
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train_count[c], 6000) << c;
    EXPECT_EQ(test_count[c], 1000) << c;
  }
  // The first training image is an ankle boot (label 9), the first test image too.
  EXPECT_EQ(split.train.labels[0], 9);
  EXPECT_EQ(split.test.labels[0], 9);
}

}  // namespace
}  // namespace descent
