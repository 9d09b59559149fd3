#include "data/dataset.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

// 4 samples of shape {2, 3} stored as bytes: sample i holds 10*i + j.
Dataset byte_images() {
  Dataset d;
  d.sample_shape = {2, 3};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j)
      d.bytes.push_back(static_cast<std::uint8_t>(10 * i + j));
  d.byte_scale = 0.5f;
  d.labels = {3, 0, 2, 1};
  d.num_classes = 4;
  return d;
}

// 5 samples of 2 float features, 2 regression targets each.
Dataset float_regression() {
  Dataset d;
  d.sample_shape = {2};
  for (int i = 0; i < 5; ++i) {
    d.values.push_back(static_cast<float>(i));
    d.values.push_back(static_cast<float>(-i));
    d.targets.push_back(static_cast<float>(100 + i));
    d.targets.push_back(static_cast<float>(200 + i));
  }
  d.target_width = 2;
  return d;
}

// 3 sequences of 4 tokens with the next token at every position (a language model's data).
Dataset token_sequences() {
  Dataset d;
  d.sample_shape = {4};
  d.label_shape = {4};
  for (int i = 0; i < 3; ++i)
    for (int t = 0; t < 4; ++t) {
      d.values.push_back(static_cast<float>((i + t) % 5));
      d.labels.push_back((i + t + 1) % 5);
    }
  d.num_classes = 5;
  return d;
}

TEST(Dataset, SequenceLabelsGatherSplitAndSubsetByPosition) {
  const Dataset d = token_sequences();
  ASSERT_NO_THROW(d.validate("tokens"));
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.labels_per_sample(), 4);
  Tensor x, y;
  const std::vector<std::int64_t> batch = {2, 0};
  d.gather(batch, x, y);
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(std::vector<float>(y.values().begin(), y.values().end()),
            (std::vector<float>{3, 4, 0, 1, 1, 2, 3, 4}));
  EXPECT_EQ(d.target_tensor().shape(), (Shape{3, 4}));
  EXPECT_EQ(d.target_tensor()[5], 3.0f);
  const auto [train, validation] = split_tail(d, 0.34);
  EXPECT_EQ(train.size(), 1);
  EXPECT_EQ(validation.label_shape, (Shape{4}));
  EXPECT_EQ(validation.labels, (std::vector<std::int32_t>{2, 3, 4, 0, 3, 4, 0, 1}));
  const std::vector<std::int64_t> last = {2};
  EXPECT_EQ(subset(d, last).labels, (std::vector<std::int32_t>{3, 4, 0, 1}));
}

TEST(Dataset, SizesFollowStorage) {
  const Dataset images = byte_images();
  EXPECT_EQ(images.size(), 4);
  EXPECT_EQ(images.sample_size(), 6);
  EXPECT_TRUE(images.is_classification());
  const Dataset reg = float_regression();
  EXPECT_EQ(reg.size(), 5);
  EXPECT_FALSE(reg.is_classification());
  EXPECT_EQ(Dataset{}.size(), 0);
}

TEST(Dataset, GatherScalesBytesAndCopiesLabels) {
  const Dataset d = byte_images();
  const std::vector<std::int64_t> idx = {2, 0, 2};
  Tensor x, y;
  d.gather(idx, x, y);
  ASSERT_EQ(x.shape(), (Shape{3, 2, 3}));
  ASSERT_EQ(y.shape(), (Shape{3}));
  for (int j = 0; j < 6; ++j) {
    EXPECT_FLOAT_EQ(x[j], (20 + j) * 0.5f);
    EXPECT_FLOAT_EQ(x[6 + j], j * 0.5f);
    EXPECT_FLOAT_EQ(x[12 + j], (20 + j) * 0.5f);
  }
  EXPECT_EQ(y[0], 2.0f);
  EXPECT_EQ(y[1], 3.0f);
  EXPECT_EQ(y[2], 2.0f);
}

TEST(Dataset, GatherCopiesFloatFeaturesAndTargetRows) {
  const Dataset d = float_regression();
  const std::vector<std::int64_t> idx = {4, 1};
  Tensor x, y;
  d.gather(idx, x, y);
  ASSERT_EQ(x.shape(), (Shape{2, 2}));
  ASSERT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(x[0], 4.0f);
  EXPECT_EQ(x[1], -4.0f);
  EXPECT_EQ(x[2], 1.0f);
  EXPECT_EQ(y[0], 104.0f);
  EXPECT_EQ(y[1], 204.0f);
  EXPECT_EQ(y[3], 201.0f);
}

TEST(Dataset, GatherReusesStorageForEqualBatches) {
  const Dataset d = byte_images();
  Tensor x, y;
  const std::vector<std::int64_t> a = {0, 1}, b = {3, 2};
  d.gather(a, x, y);
  const float* xd = x.data();
  const float* yd = y.data();
  d.gather(b, x, y);
  EXPECT_EQ(x.data(), xd);
  EXPECT_EQ(y.data(), yd);
  EXPECT_FLOAT_EQ(x[0], 30 * 0.5f);
  // A smaller last batch reshapes in place.
  const std::vector<std::int64_t> c = {1};
  d.gather(c, x, y);
  EXPECT_EQ(x.shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(x.data(), xd);
}

TEST(Dataset, ParallelGatherMatchesSerialCopy) {
  // Large enough to cross kParallelGrain.
  Dataset d;
  d.sample_shape = {300};
  const int n = 500;
  for (int i = 0; i < n * 300; ++i)
    d.bytes.push_back(static_cast<std::uint8_t>((i * 7) % 251));
  for (int i = 0; i < n; ++i)
    d.labels.push_back(i % 10);
  d.num_classes = 10;
  std::vector<std::int64_t> idx;
  for (int i = 0; i < n; ++i)
    idx.push_back((i * 37) % n);
  Tensor x, y;
  d.gather(idx, x, y);
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(y[i], static_cast<float>(idx[i] % 10));
    for (int j = 0; j < 300; j += 17)
      ASSERT_EQ(x[i * 300 + j], d.bytes[idx[i] * 300 + j] * d.byte_scale);
  }
}

TEST(Dataset, GatherRejectsIndexOutOfRange) {
  const Dataset d = byte_images();
  Tensor x, y;
  const std::vector<std::int64_t> bad = {0, 4};
  EXPECT_THROW(d.gather(bad, x, y), InvalidArgument);
  const std::vector<std::int64_t> negative = {-1};
  EXPECT_THROW(d.gather(negative, x, y), InvalidArgument);
}

TEST(Dataset, WholeSetAsTensors) {
  const Dataset d = float_regression();
  const Tensor x = d.features();
  const Tensor y = d.target_tensor();
  EXPECT_EQ(x.shape(), (Shape{5, 2}));
  EXPECT_EQ(y.shape(), (Shape{5, 2}));
  EXPECT_EQ(x[9], -4.0f);
  EXPECT_EQ(y[9], 204.0f);
  const Tensor labels = byte_images().target_tensor();
  EXPECT_EQ(labels.shape(), (Shape{4}));
  EXPECT_EQ(labels[0], 3.0f);
}

TEST(Dataset, ValidateAcceptsConsistentSets) {
  EXPECT_NO_THROW(byte_images().validate("images"));
  EXPECT_NO_THROW(float_regression().validate("regression"));
}

void expect_data_error(const Dataset& d, const std::string& fragment) {
  try {
    d.validate("set.bin");
    FAIL() << "no DataError for " << fragment;
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("set.bin: ", 0), 0u) << e.what();
  }
}

TEST(Dataset, ValidateNamesTheProblem) {
  Dataset d = byte_images();
  d.labels[2] = 4;
  expect_data_error(d, "label 4 of sample 2 is outside [0, 4)");

  d = byte_images();
  d.labels.pop_back();
  expect_data_error(d, "4 samples but 3 labels");

  d = byte_images();
  d.bytes.pop_back();
  expect_data_error(d, "do not divide");

  d = float_regression();
  d.values[7] = std::numeric_limits<float>::quiet_NaN();
  expect_data_error(d, "feature 1 of sample 3 is nan");

  d = float_regression();
  d.targets[3] = std::numeric_limits<float>::infinity();
  expect_data_error(d, "target 1 of sample 1 is inf");

  d = float_regression();
  d.targets.pop_back();
  expect_data_error(d, "need 10 targets, found 9");

  d = float_regression();
  d.target_width = 0;
  d.targets.clear();
  expect_data_error(d, "neither class labels");

  d = byte_images();
  d.class_names = {"a", "b"};
  expect_data_error(d, "2 class names for 4 classes");

  d = byte_images();
  d.values.assign(24, 0.0f);
  expect_data_error(d, "both as bytes and as floats");

  d = byte_images();
  d.sample_shape.clear();
  expect_data_error(d, "sample shape is empty");
}

TEST(Dataset, SplitTailTakesTheLastFractionLikeKeras) {
  Dataset d;
  d.sample_shape = {1};
  for (int i = 0; i < 10; ++i) {
    d.values.push_back(static_cast<float>(i));
    d.labels.push_back(i % 3);
  }
  d.num_classes = 3;
  d.class_names = {"a", "b", "c"};
  // Keras: split_at = floor(10 * (1 - 0.25)) = 7.
  const auto [train, val] = split_tail(d, 0.25);
  ASSERT_EQ(train.size(), 7);
  ASSERT_EQ(val.size(), 3);
  EXPECT_EQ(train.values.front(), 0.0f);
  EXPECT_EQ(train.values.back(), 6.0f);
  EXPECT_EQ(val.values, (std::vector<float>{7, 8, 9}));
  EXPECT_EQ(val.labels, (std::vector<std::int32_t>{1, 2, 0}));
  EXPECT_EQ(val.num_classes, 3);
  EXPECT_EQ(val.class_names, d.class_names);
  EXPECT_NO_THROW(val.validate("val"));

  const auto [all, none] = split_tail(d, 0.0);
  EXPECT_EQ(all.size(), 10);
  EXPECT_EQ(none.size(), 0);
}

TEST(Dataset, SplitTailRejectsBadFractions) {
  const Dataset d = byte_images();
  EXPECT_THROW(split_tail(d, 1.0), InvalidArgument);
  EXPECT_THROW(split_tail(d, -0.1), InvalidArgument);
  EXPECT_THROW(split_tail(d, std::nan("")), InvalidArgument);
  EXPECT_THROW(split_tail(d, 0.8), InvalidArgument);    // floor(4 * 0.2) = 0 left to train
  EXPECT_THROW(split_tail(d, 1e-18), InvalidArgument);  // nothing left to validate
  EXPECT_EQ(split_tail(d, 0.1).second.size(), 1);       // floor(4 * 0.9) = 3
}

TEST(Dataset, SubsetKeepsOrderAndStorage) {
  const Dataset d = byte_images();
  const std::vector<std::int64_t> idx = {3, 3, 1};
  const Dataset s = subset(d, idx);
  EXPECT_EQ(s.size(), 3);
  EXPECT_TRUE(s.stored_as_bytes());
  EXPECT_EQ(s.byte_scale, 0.5f);
  EXPECT_EQ(s.sample_shape, d.sample_shape);
  EXPECT_EQ(s.labels, (std::vector<std::int32_t>{1, 1, 0}));
  EXPECT_EQ(s.bytes[0], 30);
  EXPECT_EQ(s.bytes[12], 10);
  const std::vector<std::int64_t> bad = {7};
  EXPECT_THROW(subset(d, bad), InvalidArgument);
}

TEST(Dataset, SequenceLabelsAreValidatedAtEveryPosition) {
  Dataset d = token_sequences();
  d.labels[6] = 5;
  expect_data_error(d, "label 5 (position 2 of sample 1) is outside [0, 5)");
  d = token_sequences();
  d.labels.pop_back();
  expect_data_error(d, "3 samples of 4 labels need 12 labels, found 11");
  d = token_sequences();
  d.label_shape = {0};
  expect_data_error(d, "label shape (0,) has a zero dimension");
}

}  // namespace
}  // namespace descent
