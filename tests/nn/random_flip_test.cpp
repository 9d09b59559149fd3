#include "nn/random_flip.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>
#include <vector>

#include "core/error.h"
#include "nn/layer_config.h"

namespace descent {
namespace {

constexpr std::int64_t kBatch = 64, kChannels = 2, kHeight = 3, kWidth = 4;
constexpr std::int64_t kPerSample = kChannels * kHeight * kWidth;

// A batch whose values are all distinct: 0, 1, 2, ...
Tensor distinct_batch() {
  std::vector<float> values(kBatch * kPerSample);
  std::iota(values.begin(), values.end(), 0.0f);
  return Tensor({kBatch, kChannels, kHeight, kWidth}, values);
}

float value(const Tensor& t, std::int64_t n, std::int64_t c, std::int64_t r, std::int64_t w) {
  return t.data()[((n * kChannels + c) * kHeight + r) * kWidth + w];
}

// How sample n of `out` was made from `in`: bit 0 set when mirrored left-right, bit 1 top-bottom;
// -1 when it is none of the four (a sample mixed up, or channels flipped apart).
int how_flipped(const Tensor& in, const Tensor& out, std::int64_t n) {
  for (int how = 0; how < 4; ++how) {
    bool same = true;
    for (std::int64_t c = 0; c < kChannels; ++c)
      for (std::int64_t r = 0; r < kHeight; ++r)
        for (std::int64_t w = 0; w < kWidth; ++w) {
          const std::int64_t from_r = how & 2 ? kHeight - 1 - r : r;
          const std::int64_t from_w = how & 1 ? kWidth - 1 - w : w;
          same = same && value(out, n, c, r, w) == value(in, n, c, from_r, from_w);
        }
    if (same) return how;
  }
  return -1;
}

// The flips of each sample of one training batch through a fresh layer built from `seed`.
std::vector<int> flips(const std::string& mode, std::uint64_t seed) {
  RandomFlip layer(mode);
  Rng rng(seed);
  layer.build({kChannels, kHeight, kWidth}, rng);
  const Tensor in = distinct_batch();
  const Variable y = layer.forward(Variable(in), true);
  std::vector<int> out;
  for (std::int64_t n = 0; n < kBatch; ++n)
    out.push_back(how_flipped(in, y.value(), n));
  return out;
}

TEST(RandomFlip, IsTheIdentityAtInference) {
  RandomFlip layer;
  Rng rng(1);
  EXPECT_EQ(layer.build({kChannels, kHeight, kWidth}, rng), (Shape{kChannels, kHeight, kWidth}));
  const Tensor in = distinct_batch();
  const Variable y = layer.forward(Variable(in), false);
  for (std::int64_t n = 0; n < kBatch; ++n)
    EXPECT_EQ(how_flipped(in, y.value(), n), 0);
}

TEST(RandomFlip, MirrorsWholeSamplesLeftRightAboutHalfOfTheTime) {
  const std::vector<int> how = flips("horizontal", 7);
  const auto mirrored = std::count(how.begin(), how.end(), 1);
  EXPECT_EQ(std::count(how.begin(), how.end(), 0) + mirrored, kBatch);  // no other kind
  EXPECT_GT(mirrored, kBatch / 4);
  EXPECT_LT(mirrored, 3 * kBatch / 4);
}

TEST(RandomFlip, MirrorsTopBottomInVerticalMode) {
  const std::vector<int> how = flips("vertical", 7);
  const auto mirrored = std::count(how.begin(), how.end(), 2);
  EXPECT_EQ(std::count(how.begin(), how.end(), 0) + mirrored, kBatch);
  EXPECT_GT(mirrored, kBatch / 4);
  EXPECT_LT(mirrored, 3 * kBatch / 4);
}

TEST(RandomFlip, DrawsBothAxesApartInTheDefaultMode) {
  const std::vector<int> how = flips("horizontal_and_vertical", 7);
  EXPECT_EQ(std::set<int>(how.begin(), how.end()), (std::set<int>{0, 1, 2, 3}));
}

TEST(RandomFlip, SameSeedSameFlipsAndAnotherSeedOthers) {
  EXPECT_EQ(flips("horizontal", 3), flips("horizontal", 3));
  EXPECT_NE(flips("horizontal", 3), flips("horizontal", 4));
}

TEST(RandomFlip, DrawsNewFlipsForEachBatchFromItsSavedStream) {
  RandomFlip layer("horizontal");
  Rng rng(5);
  layer.build({kChannels, kHeight, kWidth}, rng);
  const Tensor in = distinct_batch();
  const Rng::State before = layer.random_stream()->state();
  const Tensor first = layer.forward(Variable(in), true).value();
  const Tensor second = layer.forward(Variable(in), true).value();
  std::vector<int> a, b;
  for (std::int64_t n = 0; n < kBatch; ++n)
    a.push_back(how_flipped(in, first, n)), b.push_back(how_flipped(in, second, n));
  EXPECT_NE(a, b);
  // Restoring the stream (what a checkpoint does) replays the first batch's flips.
  layer.random_stream()->set_state(before);
  const Tensor replay = layer.forward(Variable(in), true).value();
  for (std::int64_t n = 0; n < kBatch; ++n)
    EXPECT_EQ(how_flipped(in, replay, n), a[static_cast<std::size_t>(n)]);
}

TEST(RandomFlip, GradientIsTheOutputGradientMirroredBack) {
  RandomFlip layer("horizontal_and_vertical");
  Rng rng(11);
  layer.build({kChannels, kHeight, kWidth}, rng);
  const Tensor in = distinct_batch();
  Variable x(in, true);
  Variable y = layer.forward(x, true);
  // With y's gradient equal to y itself, x's gradient is x: each value goes back where it came.
  y.backward(y.value());
  ASSERT_EQ(x.grad().shape(), in.shape());
  for (std::int64_t i = 0; i < in.size(); ++i)
    ASSERT_EQ(x.grad().data()[i], in.data()[i]) << "element " << i;
}

TEST(RandomFlip, RoundTripsThroughItsConfig) {
  RandomFlip layer("vertical");
  EXPECT_EQ(layer.config(), (nlohmann::json{{"type", "RandomFlip"}, {"mode", "vertical"}}));
  EXPECT_EQ(layer_from_config(layer.config())->config(), layer.config());
  EXPECT_EQ(layer_from_config({{"type", "RandomFlip"}})->config().at("mode"),
            "horizontal_and_vertical");
}

TEST(RandomFlip, RefusesAnUnknownModeAndInputsWithoutTheAxesItFlips) {
  EXPECT_THROW(
      {
        try {
          RandomFlip("sideways");
        } catch (const InvalidArgument& e) {
          EXPECT_STREQ(e.what(),
                       "RandomFlip: mode must be \"horizontal\", \"vertical\" or "
                       "\"horizontal_and_vertical\", got \"sideways\"");
          throw;
        }
      },
      InvalidArgument);
  RandomFlip vertical("vertical");
  Rng rng(1);
  EXPECT_THROW(vertical.build({8}, rng), InvalidArgument);
  RandomFlip horizontal("horizontal");
  EXPECT_EQ(horizontal.build({8}, rng), (Shape{8}));
  EXPECT_THROW(layer_from_config({{"type", "RandomFlip"}, {"seed", 1}}), InvalidArgument);
}

}  // namespace
}  // namespace descent
