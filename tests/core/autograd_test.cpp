// Every operation's first and second derivatives in float64 (autograd_checks.h), and its two
// derivative forms agreeing in float32.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "autograd_checks.h"
#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/ops/loss_node.h"
#include "op_cases.h"

namespace descent {
namespace {

using autograd_checks::Function;
using autograd_checks::random_tensor;
using op_cases::cases;
using op_cases::OpCase;

TEST(Autograd, EveryOpPassesAFloat64GradientCheck) {
  for (const OpCase& c : cases())
    autograd_checks::gradcheck(c.name, c.f, c.inputs);
}

TEST(Autograd, EveryOpPassesAFloat64SecondOrderCheck) {
  for (const OpCase& c : cases())
    if (c.second_order) autograd_checks::gradgradcheck(c.name, c.f, c.inputs);
}

TEST(Autograd, DifferentiableRulesAgreeWithTheFastFloat32Backward) {
  for (const OpCase& c : cases())
    autograd_checks::rules_match_backward(c.name, c.f, c.inputs);
}

TEST(Autograd, GradLeavesTheLeafGradientsAlone) {
  Variable w(Tensor({2}, std::vector<double>{1.0, 2.0}), true);
  const std::vector<Variable> g = grad(sum(square(w)), {w});
  EXPECT_EQ(g[0].value().at(1), 4.0);
  EXPECT_FALSE(w.has_grad());
}

TEST(Autograd, AnInputTheOutputDoesNotUseHasNoGradient) {
  Variable a(Tensor({2}, DType::f64, 1.0), true), unused(Tensor({2}, DType::f64, 1.0), true);
  const std::vector<Variable> g = grad(sum(a), {a, unused});
  EXPECT_TRUE(g[0].defined());
  EXPECT_FALSE(g[1].defined());
}

TEST(Autograd, AValueUsedTwiceGetsTheSumOfItsGradients) {
  Variable x(Tensor({1}, std::vector<double>{3.0}), true);
  // x·x + x: 2x + 1 = 7, and d²/dx² = 2.
  const Variable y = add(mul(x, x), x);
  const std::vector<Variable> g = grad(sum(y), {x}, true);
  EXPECT_EQ(g[0].value().at(0), 7.0);
  EXPECT_EQ(grad(sum(g[0]), {x})[0].value().at(0), 2.0);
}

TEST(Autograd, ARawBackwardOnlyScopeSkipsTheRulesOfFloat32KernelsOnly) {
  Variable x(Tensor({3}, {0.1f, -0.2f, 0.3f}), true);
  Variable x64(Tensor({3}, std::vector<double>{0.1, -0.2, 0.3}), true);
  Variable y, y64;
  {
    const RawBackwardOnly raw;
    y = tanh(x);
    y64 = tanh(x64);
  }
  EXPECT_FALSE(y.node()->grad_rule);
  EXPECT_TRUE(y.node()->backward);
  EXPECT_TRUE(y64.node()->grad_rule);  // float64 has no raw backward to fall back on
  EXPECT_THROW(grad(sum(y), {x}, true), InvalidArgument);
  sum(y).backward();
  EXPECT_FLOAT_EQ(x.grad()[1], 1.0f - std::tanh(-0.2f) * std::tanh(-0.2f));
  EXPECT_TRUE(tanh(x).node()->grad_rule);  // recorded again outside the scope
}

TEST(Autograd, MixedDtypesAreRefusedByName) {
  const Variable a(Tensor({2}, DType::f32, 1.0)), b(Tensor({2}, DType::f64, 1.0));
  try {
    add(a, b);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "add: inputs of dtypes float32 and float64");
  }
}

TEST(Autograd, ALossWithoutASecondDerivativeSaysSo) {
  Variable p(Tensor({2}, DType::f32, 0.5), true);
  const Variable loss = loss_node(p, 1.0, Tensor({2}, 1.0f), "made_up_loss");
  EXPECT_EQ(grad(loss, {p})[0].value().at(0), 1.0);  // a first derivative needs no rule
  EXPECT_THROW(
      {
        try {
          grad(loss, {p}, true);
        } catch (const InvalidArgument& e) {
          EXPECT_STREQ(e.what(), "made_up_loss has no second derivative written out");
          throw;
        }
      },
      InvalidArgument);
}

}  // namespace
}  // namespace descent
