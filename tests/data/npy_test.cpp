#include "data/npy.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bounded_memory.h"
#include "core/error.h"
#include "temp_dir.h"

namespace descent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kFixtures = std::string(DESCENT_FIXTURES_DIR) + "/npy/";

// An .npy file as np.save writes it: magic, version, header length, the dict padded with spaces
// to a multiple of 64 bytes and ended by a newline, then `data`.
std::string npy_file(const std::string& dict, const std::string& data, int major = 1) {
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = 8 + length_bytes;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return out + header + data;
}

std::string dict(const std::string& descr, const std::string& shape,
                 const std::string& order = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
}

template <class T>
std::string raw(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

NpyArray parse(const std::string& file) {
  return parse_npy(file, "a.npy");
}

void expect_rejected(const std::string& file, const std::string& needle) {
  try {
    parse(file);
    FAIL() << "accepted a file that should fail with: " << needle;
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a.npy: ")) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(needle));
  }
}

TEST(ParseNpy, ReadsFloat32Matrix) {
  const NpyArray a = parse(npy_file(dict("<f4", "(2, 3)"), raw<float>({1, 2, 3, 4, 5, 6.5f})));
  EXPECT_EQ(a.type, NpyType::kFloat32);
  EXPECT_THAT(a.shape, ElementsAre(2, 3));
  ASSERT_EQ(a.size(), 6);
  EXPECT_EQ(a.value(5), 6.5);
}

TEST(ParseNpy, ReadsEveryVersionAndQuoteStyle) {
  for (int major : {1, 2, 3}) {
    const NpyArray a = parse(npy_file(R"({"shape": (3,), "descr": "<i4", "fortran_order": False})",
                                      raw<std::int32_t>({-1, 0, 7}), major));
    EXPECT_THAT(a.shape, ElementsAre(3)) << major;
    EXPECT_EQ(a.value(0), -1) << major;
  }
}

TEST(ParseNpy, ReadsIntegerTypesAndScalars) {
  EXPECT_EQ(parse(npy_file(dict("|u1", "(2,)"), "\xff\x01")).value(0), 255);
  EXPECT_EQ(parse(npy_file(dict("|i1", "(1,)"), "\xff")).value(0), -1);
  EXPECT_EQ(parse(npy_file(dict("<i8", "(1,)"), raw<std::int64_t>({-5}))).value(0), -5);
  EXPECT_EQ(parse(npy_file(dict("|b1", "(1,)"), "\x01")).value(0), 1);
  const NpyArray scalar = parse(npy_file(dict("<f8", "()"), raw<double>({2.5})));
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.value(0), 2.5);
  EXPECT_EQ(parse(npy_file(dict("<f4", "(0, 5)"), "")).size(), 0);
}

TEST(ParseNpy, ReadsFilesWrittenByNumpy) {
  const NpyArray x = read_npy_array(kFixtures + "features_f4.npy");
  EXPECT_THAT(x.shape, ElementsAre(4, 2));
  EXPECT_EQ(x.value(1), -1.0);
  const NpyArray images = read_npy_array(kFixtures + "images_u1_v3.npy");
  EXPECT_EQ(images.type, NpyType::kUint8);
  EXPECT_THAT(images.shape, ElementsAre(4, 2, 3));
  EXPECT_EQ(images.value(23), 230 % 256);
}

TEST(ParseNpy, RejectsWhatItCannotRead) {
  expect_rejected("PK\x03\x04 a zip file", "not an NPY file");
  expect_rejected(npy_file(dict("<f4", "(1,)"), raw<float>({1}), 4), "version 4.0");
  expect_rejected(npy_file(dict(">f4", "(1,)"), raw<float>({1})), "big-endian");
  expect_rejected(npy_file(dict("|O", "(1,)"), "12345678"), "object arrays");
  expect_rejected(npy_file(dict("<c8", "(1,)"), "12345678"), "'<c8' is not supported");
  expect_rejected(npy_file(dict("<f4", "(2, 2)", "True"), raw<float>({1, 2, 3, 4})),
                  "fortran_order True");
}

TEST(ParseNpy, RejectsMalformedHeaders) {
  const std::string one = raw<float>({1});
  expect_rejected(npy_file("{'descr': '<f4', 'shape': (1,), }", one), "needs the keys");
  expect_rejected(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", one),
                  "unexpected key 'x'");
  expect_rejected(npy_file(dict("<f4", "(1,)") + " }", one), "text after");
  expect_rejected(
      npy_file("{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,)}", one),
      "expected a quoted string");
  expect_rejected(npy_file(dict("<f4", "(1.5,)"), one), "expected ')'");
  expect_rejected(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,", one),
                  "expected");
  expect_rejected(npy_file(dict("<f4", "(1,)", "1"), one), "True or False");
  expect_rejected(npy_file(dict("<f\n4", "(1,)"), one), "not a key or a type code");
  expect_rejected(npy_file(dict(std::string(40, 'f'), "(1,)"), one), "not a key or a type code");
}

TEST(ParseNpy, RejectsBadSizes) {
  expect_rejected(npy_file(dict("<f4", "(-1,)"), ""), "negative dimension");
  expect_rejected(npy_file(dict("<f4", "(99999999999999999999,)"), ""), "too large");
  // 2^32 x 2^32: the element count overflows 64 bits once multiplied by the item size.
  expect_rejected(npy_file(dict("<f4", "(4294967296, 4294967296)"), ""), "too large");
  expect_rejected(npy_file(dict("<f4", "(3,)"), raw<float>({1, 2})), "truncated");
  expect_rejected(npy_file(dict("<f4", "(1,)"), raw<float>({1, 2})), "4 bytes after the data");
  std::string long_header = npy_file(dict("<f4", "(1,)"), raw<float>({1}));
  long_header[8] = '\xff';
  long_header[9] = '\xff';
  expect_rejected(long_header, "header length 65535 runs past the end");
  expect_rejected(std::string("\x93NUMPY\x02\x00\xff\xff", 10), "no header length");
}

TEST(ParseNpy, HeaderClaimingGigabytesIsRejectedWithoutAllocating) {
  if (!testing::kAddressSpaceIsMeaningful) GTEST_SKIP() << "address space cap needs no ASan";
  const testing::TempDir dir;
  const auto file = dir.write("huge.npy", npy_file(dict("|u1", "(65536, 65536)"), "tiny"));
  const testing::Outcome outcome = testing::run_with_memory_cap([&] { read_npy_array(file); });
  EXPECT_EQ(outcome, testing::Outcome::kDataError) << testing::outcome_name(outcome);
}

TEST(ReadNpy, ClassificationFromNumpyFiles) {
  const Dataset d = read_npy(kFixtures + "features_f4.npy", kFixtures + "labels_i8.npy");
  EXPECT_THAT(d.sample_shape, ElementsAre(2));
  EXPECT_EQ(d.size(), 4);
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_THAT(d.labels, ElementsAre(0, 2, 1, 2));
  EXPECT_THAT(d.values, ElementsAre(0.5f, -1.0f, 1.5f, 2.0f, -0.25f, 0.0f, 3.0f, 1.0f));
}

TEST(ReadNpy, ByteImagesKeepTheirValues) {
  const Dataset d = read_npy(kFixtures + "images_u1_v3.npy", kFixtures + "labels_i8.npy");
  EXPECT_THAT(d.sample_shape, ElementsAre(2, 3));
  EXPECT_TRUE(d.stored_as_bytes());
  EXPECT_EQ(d.byte_scale, 1.0f);
  EXPECT_EQ(d.bytes[5], 50);
}

TEST(ReadNpy, FloatLabelsMakeARegressionSet) {
  const testing::TempDir dir;
  const auto x = dir.write("x.npy", npy_file(dict("<f8", "(3,)"), raw<double>({1, 2, 3})));
  const auto y =
      dir.write("y.npy", npy_file(dict("<f4", "(3, 2)"), raw<float>({1, 2, 3, 4, 5, 6})));
  const Dataset d = read_npy(x, y);
  EXPECT_FALSE(d.is_classification());
  EXPECT_THAT(d.sample_shape, ElementsAre(1));
  EXPECT_EQ(d.target_width, 2);
  EXPECT_THAT(d.targets, ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST(ReadNpy, RejectsInconsistentFiles) {
  const testing::TempDir dir;
  const auto x = dir.write("x.npy", npy_file(dict("<f4", "(2, 1)"), raw<float>({1, 2})));
  const auto nan_x = dir.write(
      "nan.npy",
      npy_file(dict("<f4", "(2, 1)"), raw<float>({1, std::numeric_limits<float>::quiet_NaN()})));
  const auto three = dir.write("three.npy", npy_file(dict("<i4", "(3,)"), raw<int>({0, 1, 1})));
  const auto negative = dir.write("neg.npy", npy_file(dict("<i4", "(2,)"), raw<int>({0, -1})));
  const auto matrix = dir.write("m.npy", npy_file(dict("<i4", "(2, 1)"), raw<int>({0, 1})));
  const auto inf_y = dir.write(
      "inf.npy",
      npy_file(dict("<f4", "(2,)"), raw<float>({1, std::numeric_limits<float>::infinity()})));
  const auto good_y = dir.write("y.npy", npy_file(dict("<i4", "(2,)"), raw<int>({0, 1})));
  auto message = [](auto read) -> std::string {
    try {
      read();
    } catch (const DataError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_THAT(message([&] { read_npy(x, three); }), HasSubstr("has 2 samples"));
  EXPECT_THAT(message([&] { read_npy(x, negative); }), HasSubstr("label -1 of sample 1"));
  EXPECT_THAT(message([&] { read_npy(x, good_y, 1); }), HasSubstr("outside [0, 1)"));
  EXPECT_THAT(message([&] { read_npy(x, matrix); }), HasSubstr("integer labels must have shape"));
  EXPECT_THAT(message([&] { read_npy(nan_x, good_y); }), HasSubstr("feature 0 of sample 1 is nan"));
  EXPECT_THAT(message([&] { read_npy(x, inf_y); }), HasSubstr("target 0 of sample 1 is inf"));
  EXPECT_THROW(read_npy(dir / "missing.npy", good_y), IoError);
}

}  // namespace
}  // namespace descent
