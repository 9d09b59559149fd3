#include "core/ops/elementwise.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradients_match;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;
using testing::weighted_sum;

using Binary = Variable (*)(const Variable&, const Variable&);

Binary binary_op(const std::string& name) {
  if (name == "add") return static_cast<Binary>(add);
  if (name == "sub") return static_cast<Binary>(sub);
  if (name == "mul") return static_cast<Binary>(mul);
  return static_cast<Binary>(div);
}

TEST(Elementwise, ArithmeticMatchesTorchForEveryBroadcast) {
  for (const std::string op : {"add", "sub", "mul", "div"})
    for (const std::string kind : {"same", "row", "single", "scalar", "chw"})
      expect_matches_torch(op + "_" + kind, [&](NamedInputs& in, const nlohmann::json&) {
        return binary_op(op)(in.at("a"), in.at("b"));
      });
}

TEST(Elementwise, ScalarArithmeticMatchesTorch) {
  expect_matches_torch("add_float", [](NamedInputs& in, const nlohmann::json& p) {
    return add(in.at("x"), p.at("b").get<float>());
  });
  expect_matches_torch("mul_float", [](NamedInputs& in, const nlohmann::json& p) {
    return mul(in.at("x"), p.at("b").get<float>());
  });
}

TEST(Elementwise, FunctionsMatchTorch) {
  expect_matches_torch("exp",
                       [](NamedInputs& in, const nlohmann::json&) { return exp(in.at("x")); });
  expect_matches_torch("log",
                       [](NamedInputs& in, const nlohmann::json&) { return log(in.at("x")); });
  expect_matches_torch("square",
                       [](NamedInputs& in, const nlohmann::json&) { return square(in.at("x")); });
  expect_matches_torch("abs",
                       [](NamedInputs& in, const nlohmann::json&) { return abs(in.at("x")); });
  expect_matches_torch("clip", [](NamedInputs& in, const nlohmann::json& p) {
    return clip(in.at("x"), p.at("low").get<float>(), p.at("high").get<float>());
  });
}

TEST(Elementwise, ForwardOnHandComputedValues) {
  Variable a(Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  Variable row(Tensor({3}, {10, 20, 30}));
  const Tensor sum_row = add(a, row).value();
  EXPECT_EQ(sum_row.values()[4], 25.0f);
  const Tensor quotient = div(a, Variable(Tensor({}, {2.0f}))).value();
  EXPECT_EQ(quotient.values()[5], 3.0f);
  EXPECT_EQ(sub(a, row).value()[0], -9.0f);
  EXPECT_EQ(clip(a, 2.0f, 4.0f).value()[5], 4.0f);
  EXPECT_EQ(abs(Variable(Tensor({1}, {-2.5f}))).item(), 2.5f);
}

TEST(Elementwise, RejectsShapesThatDoNotBroadcast) {
  Variable a(Tensor({2, 3})), leading(Tensor({2})), column(Tensor({3, 1}));
  EXPECT_THROW(add(a, leading), InvalidArgument);
  EXPECT_THROW(mul(column, a), InvalidArgument);
  try {
    div(a, leading);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "div: shapes (2, 3) and (2,) do not broadcast");
  }
  EXPECT_THROW(clip(a, 1.0f, -1.0f), InvalidArgument);
}

// NumPy's rule: either operand may repeat along any axis, and the result has the shape both
// broadcast to.
TEST(Elementwise, BroadcastsBothOperandsAsNumPyDoes) {
  Variable column(Tensor({2, 1}, {1, 2})), row(Tensor({1, 3}, {10, 20, 30}));
  const Tensor outer = add(column, row).value();
  ASSERT_EQ(outer.shape(), (Shape{2, 3}));
  EXPECT_EQ(outer[0], 11.0f);
  EXPECT_EQ(outer[5], 32.0f);
  Variable bias(Tensor({3}, {1, 2, 3})), batch(Tensor({4, 2, 3}, 2.0f));
  const Tensor scaled = div(bias, batch).value();  // the smaller operand first
  ASSERT_EQ(scaled.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(scaled[23], 1.5f);
  EXPECT_EQ(sub(Variable(Tensor({1, 1}, {5})), Variable(Tensor({2}, {1, 2}))).value().shape(),
            (Shape{1, 2}));
}

TEST(Elementwise, BroadcastGradientsAreSummedOverTheRepeatedAxes) {
  Variable column(Tensor({2, 1}, {1, 2}), true), row(Tensor({1, 3}, {10, 20, 30}), true);
  sum(mul(column, row)).backward();
  EXPECT_EQ(column.grad()[0], 60.0f);  // Σ row
  EXPECT_EQ(row.grad()[2], 3.0f);      // Σ column
  Rng rng(14);
  for (Binary op : {static_cast<Binary>(add), static_cast<Binary>(sub), static_cast<Binary>(mul),
                    static_cast<Binary>(div)}) {
    Variable a(random_tensor({3, 1, 4}, rng), true), b(random_tensor({2, 1}, rng, 0.5, 1.5), true);
    const Tensor w = random_tensor({3, 2, 4}, rng);
    expect_gradients_match(
        [&](std::vector<Variable>& in) { return weighted_sum(op(in[0], in[1]), w); }, {a, b});
  }
}

TEST(Elementwise, BinaryGradientsMatchFiniteDifferences) {
  Rng rng(11);
  for (Binary op : {static_cast<Binary>(add), static_cast<Binary>(sub), static_cast<Binary>(mul),
                    static_cast<Binary>(div)})
    for (const Shape& b_shape : {Shape{3, 4}, Shape{4}, Shape{1}, Shape{}}) {
      Variable a(random_tensor({2, 3, 4}, rng), true);
      Variable b(random_tensor(b_shape, rng, 0.5, 1.5), true);
      const Tensor w = random_tensor({2, 3, 4}, rng);
      expect_gradients_match(
          [&](std::vector<Variable>& in) { return weighted_sum(op(in[0], in[1]), w); }, {a, b});
    }
}

TEST(Elementwise, SameVariableOnBothSidesAccumulates) {
  Variable x(Tensor({3}, {1, -2, 3}), true);
  sum(mul(x, x)).backward();
  EXPECT_EQ(x.grad()[0], 2.0f);
  EXPECT_EQ(x.grad()[1], -4.0f);
  EXPECT_EQ(x.grad()[2], 6.0f);
}

TEST(Elementwise, UnaryGradientsMatchFiniteDifferences) {
  Rng rng(12);
  const Tensor w = random_tensor({3, 4}, rng);
  auto check = [&](auto op, Tensor x) {
    expect_gradients_match([&](std::vector<Variable>& in) { return weighted_sum(op(in[0]), w); },
                           {Variable(std::move(x), true)});
  };
  check([](const Variable& x) { return add(x, 0.5f); }, random_tensor({3, 4}, rng));
  check([](const Variable& x) { return mul(x, -2.0f); }, random_tensor({3, 4}, rng));
  check([](const Variable& x) { return exp(x); }, random_tensor({3, 4}, rng));
  check([](const Variable& x) { return log(x); }, random_tensor({3, 4}, rng, 0.5, 2.0));
  check([](const Variable& x) { return square(x); }, random_tensor({3, 4}, rng));
  check([](const Variable& x) { return abs(x); }, testing::away_from_zero({3, 4}, rng));
  // Inputs in the open pieces (-1, -0.6), (-0.4, 0.4), (0.6, 1): away from the bounds ±0.5.
  Tensor pieces = random_tensor({3, 4}, rng, -0.4, 0.4);
  for (std::int64_t i = 0; i < pieces.size(); i += 3)
    pieces[i] += pieces[i] > 0 ? 0.6f : -0.6f;
  check([](const Variable& x) { return clip(x, -0.5f, 0.5f); }, pieces);
}

// Above kParallelGrain the loops run on several threads; compare with a serial reference.
TEST(Elementwise, LargeBroadcastMatchesSerialReference) {
  Rng rng(13);
  const std::int64_t rows = 300, cols = 257;  // cols > 256: the column-block reduction
  ASSERT_GT(rows * cols, kParallelGrain);
  for (const std::int64_t n : {cols, std::int64_t{7}, std::int64_t{1}}) {
    const std::int64_t r = rows * cols / n;
    Variable a(random_tensor({r, n}, rng), true), b(random_tensor({n}, rng, 0.5, 1.5), true);
    Tensor seed = random_tensor({r, n}, rng);
    Variable y = mul(a, b);
    y.backward(seed);
    std::vector<double> db(n, 0.0);
    for (std::int64_t i = 0; i < r; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        const std::int64_t k = i * n + j;
        ASSERT_EQ(y.value()[k], a.value()[k] * b.value()[j]);
        ASSERT_EQ(a.grad()[k], seed[k] * b.value()[j]);
        db[j] += double(seed[k]) * a.value()[k];
      }
    for (std::int64_t j = 0; j < n; ++j)
      EXPECT_NEAR(b.grad()[j], db[j], 1e-4 * std::max(1.0, std::abs(db[j]))) << "n " << n;
  }
}

TEST(Elementwise, LargeNumPyBroadcastMatchesSerialReference) {
  Rng rng(15);
  Variable a(random_tensor({200, 1}, rng)), b(random_tensor({3, 1, 257}, rng));
  const Tensor y = sub(a, b).value();
  ASSERT_EQ(y.shape(), (Shape{3, 200, 257}));
  ASSERT_GT(y.size(), kParallelGrain);
  for (std::int64_t k = 0; k < 3; ++k)
    for (std::int64_t i = 0; i < 200; ++i)
      for (std::int64_t j = 0; j < 257; ++j)
        ASSERT_EQ(y[(k * 200 + i) * 257 + j], a.value()[i] - b.value()[k * 257 + j]);
}

TEST(Elementwise, GradientsAccumulateIntoExistingGradients) {
  Variable a(Tensor({2, 2}, {1, 2, 3, 4}), true), b(Tensor({2}, {5, 6}), true);
  Variable y = add(mul(a, b), mul(a, b));
  sum(y).backward();
  EXPECT_EQ(a.grad()[3], 12.0f);  // 2 · b[1]
  EXPECT_EQ(b.grad()[0], 8.0f);   // 2 · (1 + 3)
}

TEST(Elementwise, ArithmeticMatchesTorchWithNumPyBroadcasting) {
  for (const std::string op : {"add", "sub", "mul", "div"})
    expect_matches_torch(op + "_numpy", [&](NamedInputs& in, const nlohmann::json&) {
      return binary_op(op)(in.at("a"), in.at("b"));
    });
}

}  // namespace
}  // namespace descent
