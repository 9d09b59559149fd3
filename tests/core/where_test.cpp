#include "core/ops/where.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/ops/matmul.h"
#include "core/ops/reduce.h"
#include "core/ops/softmax.h"
#include "ops_fixture.h"

namespace descent {
namespace {

TEST(LowerTriangularMask, IsTrilOfOnes) {
  const Tensor mask = lower_triangular_mask(3, 4);
  const std::vector<float> expected{1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(mask[static_cast<std::int64_t>(i)], expected[i]) << i;
  const Tensor shifted = lower_triangular_mask(2, 2, -1, DType::f64);
  EXPECT_EQ(shifted.dtype(), DType::f64);
  EXPECT_EQ(shifted.at(0), 0.0);
  EXPECT_EQ(shifted.at(2), 1.0);
}

TEST(Where, PicksByTheConditionWithBroadcasting) {
  const Variable a(Tensor({2, 2}, {1, 2, 3, 4})), b(Tensor({2}, {-1, -2}));
  const Tensor y = where(Tensor({2, 1}, {1, 0}), a, b).value();
  const std::vector<float> expected{1, 2, -1, -2};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(y[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(Where, EachSideGetsTheGradientWhereItWasChosen) {
  Variable a(Tensor({2, 2}, {1, 2, 3, 4}), true), b(Tensor({2}, {-1, -2}), true);
  where(Tensor({2, 2}, {1, 0, 0, 0}), a, b).backward(Tensor({2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(a.grad()[0], 1.0f);
  EXPECT_EQ(a.grad()[1], 0.0f);
  EXPECT_EQ(b.grad()[0], 3.0f);      // rows 1 only
  EXPECT_EQ(b.grad()[1], 2.0f + 4);  // both rows
}

// Causal attention: scores above the diagonal become -inf, so their weights are exactly 0 and no
// gradient reaches them.
TEST(MaskedFill, CausalSoftmaxIgnoresTheFuture) {
  const float inf = std::numeric_limits<float>::infinity();
  Variable scores(Tensor({2, 2}, {0.5f, 7, 1, 2}), true);
  Tensor future = lower_triangular_mask(2, 2);
  for (float& v : future.values())
    v = 1 - v;
  const Variable masked = masked_fill(scores, future, -inf);
  EXPECT_EQ(masked.value()[1], -inf);
  const Variable weights = softmax(masked);
  EXPECT_EQ(weights.value()[0], 1.0f);
  EXPECT_EQ(weights.value()[1], 0.0f);
  sum(mul(weights, Variable(Tensor({2, 2}, {1, 2, 3, 4})))).backward();
  EXPECT_EQ(scores.grad()[1], 0.0f);
  EXPECT_NE(scores.grad()[2], 0.0f);
}

TEST(Where, RejectsAMaskThatIsNotZeroOrOne) {
  const Variable x(Tensor({2}, {1, 2}));
  try {
    where(Tensor({2}, {1, 0.5f}), x, x);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "where: the mask holds 0.5 at position 1; it must be 0 or 1");
  }
  EXPECT_THROW(masked_fill(x, Tensor({3}, {0, 0, 0}), 1.0), InvalidArgument);
  EXPECT_THROW(masked_fill(x, Tensor({2, 2}, {0, 0, 0, 0}), 1.0), InvalidArgument);
}

TEST(Where, MatchesTorch) {
  testing::expect_matches_torch(
      "where_broadcast", [](testing::NamedInputs& in, const nlohmann::json& p) {
        return where(testing::tensor_from_list(p.at("condition")), in.at("a"), in.at("b"));
      });
}

// The attention of issue 14 from these ops: softmax(mask(q kᵀ / √d)) v with a causal mask, its
// output and the gradients of q, k and v against PyTorch.
TEST(Where, CausalAttentionMatchesTorch) {
  testing::expect_matches_torch(
      "causal_attention", [](testing::NamedInputs& in, const nlohmann::json&) {
        const Variable& q = in.at("q");
        const std::int64_t t = q.shape()[2], d = q.shape()[3];
        const Variable scores = mul(matmul(q, in.at("k"), false, true), 1.0 / std::sqrt(double(d)));
        const Variable minus_inf(Tensor(Shape{}, -std::numeric_limits<float>::infinity()));
        const Variable weights = softmax(where(lower_triangular_mask(t, t), scores, minus_inf));
        return matmul(weights, in.at("v"));
      });
}

}  // namespace
}  // namespace descent
