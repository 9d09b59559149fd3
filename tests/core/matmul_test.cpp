#include "core/ops/matmul.h"
#include "core/ops/reduce.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/random.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::random_tensor;

TEST(Matmul, ForwardMatchesHandComputedProduct) {
  Variable a(Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  Variable b(Tensor({3, 2}, {7, 8, 9, 10, 11, 12}));
  Variable c = matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(c.value()[0], 58);
  EXPECT_FLOAT_EQ(c.value()[1], 64);
  EXPECT_FLOAT_EQ(c.value()[2], 139);
  EXPECT_FLOAT_EQ(c.value()[3], 154);
}

TEST(Matmul, RejectsMismatchedShapes) {
  Variable a(Tensor({2, 3})), b(Tensor({2, 2}));
  EXPECT_THROW(matmul(a, b), InvalidArgument);
}

TEST(Matmul, GradientsMatchFiniteDifferences) {
  Rng rng(1);
  Variable a(random_tensor({3, 4}, rng), true), b(random_tensor({4, 2}, rng), true);
  Variable c(random_tensor({2, 1}, rng), true);  // a non-uniform upstream gradient
  testing::expect_gradients_match(
      [](std::vector<Variable>& in) { return sum(matmul(matmul(in[0], in[1]), in[2])); },
      {a, b, c});
}

TEST(Dense, GradientsMatchFiniteDifferences) {
  Rng rng(2);
  Variable x(random_tensor({5, 3}, rng), true), w(random_tensor({3, 4}, rng), true);
  Variable b(random_tensor({4}, rng), true), c(random_tensor({4, 1}, rng), true);
  testing::expect_gradients_match(
      [](std::vector<Variable>& in) { return sum(matmul(dense(in[0], in[1], in[2]), in[3])); },
      {x, w, b, c});
}

TEST(Dense, WithoutBiasEqualsMatmul) {
  Rng rng(3);
  Variable x(random_tensor({4, 3}, rng)), w(random_tensor({3, 2}, rng));
  Variable y = dense(x, w, Variable()), z = matmul(x, w);
  for (std::int64_t i = 0; i < y.value().size(); ++i)
    EXPECT_FLOAT_EQ(y.value()[i], z.value()[i]);
}

}  // namespace
}  // namespace descent
