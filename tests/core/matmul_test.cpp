#include "core/ops/matmul.h"
#include "core/ops/reduce.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "float64_gradcheck.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradcheck_float64;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;

// a (m, k) · b (k, n) in double, row-major.
std::vector<double> product(const std::vector<double>& a, const std::vector<double>& b,
                            std::int64_t m, std::int64_t k, std::int64_t n) {
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t p = 0; p < k; ++p)
      for (std::int64_t j = 0; j < n; ++j)
        c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

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

// Odd sizes, k = 1, and a product large enough for oneDNN (core/backend/cpu/gemm.cpp); the
// gradients are the products with a transposed operand.
TEST(Matmul, MatchesTorch) {
  for (const std::string name :
       {"matmul_small", "matmul_odd", "matmul_row_column", "matmul_outer", "matmul_onednn"})
    expect_matches_torch(name, [](NamedInputs& in, const nlohmann::json&) {
      return matmul(in.at("a"), in.at("b"));
    });
}

TEST(Dense, MatchesTorch) {
  for (const std::string name : {"dense_basic", "dense_odd", "dense_single_sample"})
    expect_matches_torch(name, [](NamedInputs& in, const nlohmann::json&) {
      return dense(in.at("x"), in.at("w"), in.at("b"));
    });
  expect_matches_torch("dense_no_bias", [](NamedInputs& in, const nlohmann::json&) {
    return dense(in.at("x"), in.at("w"), Variable());
  });
}

// (m, k, n): OpenBLAS sizes, k = 1, and 26 × 26 × 26 for oneDNN.
TEST(Matmul, GradcheckInDoubleAtTorchTolerances) {
  Rng rng(4);
  for (const auto& size :
       std::vector<std::array<std::int64_t, 3>>{{3, 4, 5}, {1, 7, 1}, {6, 1, 4}, {26, 26, 26}}) {
    // Named copies, not a structured binding: Debian's clang 14 cannot capture one in a lambda.
    const std::int64_t m = size[0], k = size[1], n = size[2];
    SCOPED_TRACE(::testing::Message() << m << "x" << k << "x" << n);
    expect_gradcheck_float64(
        [](std::vector<Variable>& in) { return matmul(in[0], in[1]); },
        [m, k, n](const auto& x) { return product(x[0], x[1], m, k, n); },
        {Variable(random_tensor({m, k}, rng), true), Variable(random_tensor({k, n}, rng), true)},
        rng.next());
  }
}

TEST(Dense, GradcheckInDoubleAtTorchTolerances) {
  Rng rng(5);
  const std::int64_t batch = 5, in = 3, out = 4;
  const auto with_bias = [&](const auto& x) {
    std::vector<double> y = product(x[0], x[1], batch, in, out);
    for (std::int64_t r = 0; r < batch; ++r)
      for (std::int64_t j = 0; j < out; ++j)
        y[r * out + j] += x[2][j];
    return y;
  };
  expect_gradcheck_float64(
      [](std::vector<Variable>& v) { return dense(v[0], v[1], v[2]); }, with_bias,
      {Variable(random_tensor({batch, in}, rng), true),
       Variable(random_tensor({in, out}, rng), true), Variable(random_tensor({out}, rng), true)},
      rng.next());
  expect_gradcheck_float64([](std::vector<Variable>& v) { return dense(v[0], v[1], Variable()); },
                           [&](const auto& x) { return product(x[0], x[1], batch, in, out); },
                           {Variable(random_tensor({batch, in}, rng), true),
                            Variable(random_tensor({in, out}, rng), true)},
                           rng.next());
}

TEST(Dense, WithoutBiasEqualsMatmul) {
  Rng rng(3);
  Variable x(random_tensor({4, 3}, rng)), w(random_tensor({3, 2}, rng));
  Variable y = dense(x, w, Variable()), z = matmul(x, w);
  for (std::int64_t i = 0; i < y.value().size(); ++i)
    EXPECT_FLOAT_EQ(y.value()[i], z.value()[i]);
}

// Matrix `index` of a contiguous stack of (rows, cols) matrices.
Variable matrix_of(const Tensor& stack, std::int64_t index, std::int64_t rows, std::int64_t cols) {
  Tensor m({rows, cols});
  std::copy_n(stack.data() + index * rows * cols, rows * cols, m.data());
  return Variable(m);
}

// Each product of a batch is the product of its two matrices, bit for bit: the small products run
// one per thread (above kParallelGrain here), each one gemm call like a plain matmul.
TEST(BatchedMatmul, EachProductIsThePlainProductOfItsMatrices) {
  Rng rng(8);
  const std::int64_t m = 33, k = 20, n = 17;
  const Tensor a = random_tensor({6, 2, m, k}, rng), b = random_tensor({2, n, k}, rng);
  const Tensor y = matmul(Variable(a), Variable(b), false, true).value();
  ASSERT_EQ(y.shape(), (Shape{6, 2, m, n}));
  ASSERT_GT(y.size() * k, kParallelGrain);
  for (std::int64_t t = 0; t < 12; ++t) {
    const Tensor expected =
        matmul(matrix_of(a, t, m, k), matrix_of(b, t % 2, n, k), false, true).value();
    for (std::int64_t i = 0; i < m * n; ++i)
      ASSERT_EQ(y[t * m * n + i], expected[i]) << "product " << t << " element " << i;
  }
}

TEST(BatchedMatmul, AStackTimesAMatrixIsOneProductOfTheStackedRows) {
  Variable a(Tensor({2, 1, 2}, {1, 2, 3, 4})), b(Tensor({2, 2}, {1, 0, 0, 2}));
  const Tensor y = matmul(a, b).value();
  ASSERT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(y[3], 8.0f);
  const Tensor z = matmul(b, a, true, true).value();  // bᵀ · each aᵀ: (2, 2) · (2, 1)
  ASSERT_EQ(z.shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(z[3], 8.0f);
}

TEST(BatchedMatmul, ABroadcastOperandGetsTheSumOfItsGradients) {
  Variable a(Tensor({1, 1, 2}, {1, 2}), true), b(Tensor({3, 2, 1}, {1, 2, 3, 4, 5, 6}), true);
  sum(matmul(a, b)).backward();
  // a is shared by the three products: its gradient is Σ over them of each b's column.
  EXPECT_EQ(a.grad()[0], 1.0f + 3 + 5);
  EXPECT_EQ(a.grad()[1], 2.0f + 4 + 6);
  EXPECT_EQ(b.grad()[5], 2.0f);
}

TEST(BatchedMatmul, RejectsShapesThatDoNotFitByName) {
  const auto message = [](const Shape& a, const Shape& b) {
    try {
      matmul(Variable(Tensor(a)), Variable(Tensor(b)));
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({2, 3, 4}, {2, 5, 6}),
            "matmul: cannot multiply shapes (2, 3, 4) and (2, 5, 6)");
  EXPECT_EQ(message({2, 3, 4}, {3, 4, 6}),
            "matmul: cannot multiply shapes (2, 3, 4) and (3, 4, 6) (batch axes do not broadcast)");
  EXPECT_EQ(message({4}, {2, 4, 6}),
            "matmul: cannot multiply shapes (4,) and (2, 4, 6) (each needs at least two axes)");
}

TEST(BatchedMatmul, MatchesTorch) {
  for (const std::string name :
       {"matmul_batched_broadcast", "matmul_batched_nt", "matmul_stack_times_matrix"})
    expect_matches_torch(name, [](NamedInputs& in, const nlohmann::json& p) {
      return matmul(in.at("a"), in.at("b"), false, p.at("trans_b").get<bool>());
    });
}

}  // namespace
}  // namespace descent
