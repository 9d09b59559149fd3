#include "core/ops/shape.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradients_match;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;
using testing::weighted_sum;

TEST(Shape, MatchesTorch) {
  expect_matches_torch("reshape", [](NamedInputs& in, const nlohmann::json& p) {
    return reshape(in.at("x"), p.at("shape").get<Shape>());
  });
  expect_matches_torch("flatten",
                       [](NamedInputs& in, const nlohmann::json&) { return flatten(in.at("x")); });
}

TEST(Shape, InfersMinusOneAndFlattensKeepingBatch) {
  Variable x(Tensor({2, 3, 4}));
  EXPECT_EQ(reshape(x, {-1, 6}).shape(), (Shape{4, 6}));
  EXPECT_EQ(reshape(x, {24}).shape(), (Shape{24}));
  EXPECT_EQ(flatten(x).shape(), (Shape{2, 12}));
  EXPECT_EQ(flatten(Variable(Tensor({5}))).shape(), (Shape{5, 1}));
}

TEST(Shape, RejectsBadShapes) {
  Variable x(Tensor({2, 3, 4}));
  EXPECT_THROW(reshape(x, {5, -1}), InvalidArgument);
  EXPECT_THROW(reshape(x, {-1, -1}), InvalidArgument);
  EXPECT_THROW(reshape(x, {-2, 12}), InvalidArgument);
  EXPECT_THROW(reshape(x, {4, 5}), InvalidArgument);
  EXPECT_THROW(flatten(Variable(Tensor(Shape{}, {1.0f}))), InvalidArgument);
  try {
    reshape(x, {7, 3});
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "reshape: cannot reshape (2, 3, 4) into (7, 3)");
  }
}

TEST(Shape, GradientsMatchFiniteDifferences) {
  Rng rng(41);
  const Tensor w = random_tensor({3, 8}, rng);
  expect_gradients_match(
      [&](std::vector<Variable>& in) {
        return weighted_sum(reshape(in[0], {3, -1}), w);
      },
      {Variable(random_tensor({2, 3, 4}, rng), true)});
  expect_gradients_match([&](std::vector<Variable>& in) { return weighted_sum(flatten(in[0]), w); },
                         {Variable(random_tensor({3, 2, 2, 2}, rng), true)});
}

}  // namespace
}  // namespace descent
