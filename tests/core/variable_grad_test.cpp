// A Variable's gradient as PyTorch's p.grad: absent (not zeros) until a backward pass reaches the
// value, read without side effects, written on purpose through mutable_grad().
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "core/variable.h"

namespace descent {
namespace {

TEST(VariableGrad, AValueTheLossDoesNotReachEndsTheStepWithoutAGradient) {
  Variable used(Tensor({2}, {1.0f, -2.0f}), true), unreached(Tensor({2}, {3.0f, 4.0f}), true);
  sum(square(used)).backward();
  ASSERT_TRUE(used.has_grad());
  EXPECT_EQ(used.grad()[1], -4.0f);
  EXPECT_FALSE(unreached.has_grad());
}

TEST(VariableGrad, ReadingAMissingGradientThrowsAndWritesNothing) {
  const Variable leaf(Tensor(Shape{2, 3}), true);
  try {
    leaf.grad();
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("the leaf of shape (2, 3) has no gradient"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("check has_grad()"));
  }
  EXPECT_FALSE(leaf.has_grad());
  EXPECT_THROW(leaf.grad(), InvalidArgument);
}

TEST(VariableGrad, ZeroGradMakesTheNextPassAssignInsteadOfAdding) {
  Variable x(Tensor({1}, {3.0f}), true);
  sum(square(x)).backward();
  sum(square(x)).backward();
  EXPECT_EQ(x.grad()[0], 12.0f);  // two passes accumulate: 6 + 6
  x.zero_grad();
  EXPECT_FALSE(x.has_grad());
  sum(square(x)).backward();
  EXPECT_EQ(x.grad()[0], 6.0f);
}

TEST(VariableGrad, MutableGradStartsFromZerosAndCountsAsWritten) {
  Variable x(Tensor({2}, {1.0f, 2.0f}), true);
  sum(square(x)).backward();  // leaves 2, 4 in the buffer
  x.zero_grad();
  Tensor& g = x.mutable_grad();
  EXPECT_EQ(g[0], 0.0f);
  EXPECT_EQ(g[1], 0.0f);
  EXPECT_TRUE(x.has_grad());
  g[0] = 0.5f;
  sum(square(x)).backward();  // adds into what was written
  EXPECT_EQ(x.grad()[0], 2.5f);
  EXPECT_EQ(x.grad()[1], 4.0f);
}

}  // namespace
}  // namespace descent
