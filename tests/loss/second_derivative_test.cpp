// Each loss's gradient written as a graph (for Hessian-vector products): its value equals the
// fused gradient that training uses, and its derivative (the loss's Hessian times v in the
// predictions) equals central differences of the fused gradient.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/autograd.h"
#include "core/random.h"
#include "loss/losses.h"

namespace descent {
namespace {

struct LossCase {
  std::string name;
  bool from_logits;
  Shape shape;
  double low, high;  // predictions drawn from [low, high]
  Tensor targets;
};

Tensor drawn(const Shape& shape, std::uint64_t seed, double low, double high) {
  Rng rng(seed);
  Tensor t(shape);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t[i] = static_cast<float>(rng.uniform(low, high));
  return t;
}

std::vector<LossCase> cases() {
  const Shape rows{4, 3};
  return {
      {"mean_squared_error", false, rows, -1, 1, drawn(rows, 2, -1, 1)},
      {"mean_absolute_error", false, rows, -1, 1, drawn(rows, 3, -1, 1)},
      {"binary_crossentropy", false, rows, 0.1, 0.9, drawn(rows, 4, 0, 1)},
      {"binary_crossentropy", true, rows, -2, 2, drawn(rows, 5, 0, 1)},
      {"categorical_crossentropy", false, rows, 0.1, 1.0,
       Tensor(rows, {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2f, 0.3f, 0.5f})},
      {"categorical_crossentropy", true, rows, -2, 2,
       Tensor(rows, {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2f, 0.3f, 0.5f})},
      {"sparse_categorical_crossentropy", false, rows, 0.1, 1.0, Tensor({4}, {2, 0, 1, 1})},
      {"sparse_categorical_crossentropy", true, rows, -2, 2, Tensor({4}, {2, 0, 1, 1})},
  };
}

Tensor fused_gradient(const Loss& loss, const Tensor& at, const Tensor& targets) {
  Variable p(at, true);
  Variable value = loss(p, targets);
  value.backward();
  return p.grad();
}

TEST(LossSecondDerivative, GraphGradientEqualsTheFusedOne) {
  for (const LossCase& c : cases()) {
    SCOPED_TRACE(c.name + (c.from_logits ? " from logits" : ""));
    const auto loss = make_loss(c.name, c.from_logits);
    const Tensor at = drawn(c.shape, 1, c.low, c.high);
    const Tensor fused = fused_gradient(*loss, at, c.targets);
    Variable p(at, true);
    const Tensor graph = grad((*loss)(p, c.targets), {p}, true)[0].value();
    for (std::int64_t i = 0; i < at.size(); ++i)
      EXPECT_NEAR(graph[i], fused[i], 1e-6 + 1e-5 * std::abs(fused[i])) << i;
  }
}

TEST(LossSecondDerivative, HessianVectorProductMatchesDifferencesOfTheGradient) {
  constexpr double kStep = 1e-3;
  for (const LossCase& c : cases()) {
    SCOPED_TRACE(c.name + (c.from_logits ? " from logits" : ""));
    const auto loss = make_loss(c.name, c.from_logits);
    const Tensor at = drawn(c.shape, 1, c.low, c.high), v = drawn(c.shape, 9, -1, 1);
    Variable p(at, true);
    const Tensor exact = hvp((*loss)(p, c.targets), {p}, {v})[0];
    Tensor up = at, down = at;
    for (std::int64_t i = 0; i < at.size(); ++i) {
      up[i] += static_cast<float>(kStep) * v[i];
      down[i] -= static_cast<float>(kStep) * v[i];
    }
    const Tensor g_up = fused_gradient(*loss, up, c.targets);
    const Tensor g_down = fused_gradient(*loss, down, c.targets);
    for (std::int64_t i = 0; i < at.size(); ++i) {
      const double numeric = (double(g_up[i]) - g_down[i]) / (2 * kStep);
      EXPECT_NEAR(exact[i], numeric, 2e-3 * std::abs(numeric) + 2e-4) << i;
    }
  }
}

}  // namespace
}  // namespace descent
