// Central finite-difference gradient check: the analytic gradient that backward() writes for each
// input must match (f(x + h) - f(x - h)) / 2h, element by element.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "core/variable.h"

namespace descent::testing {

// `f` maps the inputs to a one-value Variable. Inputs are perturbed in place, one at a time.
inline void expect_gradients_match(const std::function<Variable(std::vector<Variable>&)>& f,
                                   std::vector<Variable> inputs, double step = 1e-2,
                                   double tolerance = 2e-2) {
  for (Variable& v : inputs)
    v.zero_grad();
  Variable loss = f(inputs);
  loss.backward();
  for (std::size_t which = 0; which < inputs.size(); ++which) {
    Variable& input = inputs[which];
    if (!input.requires_grad()) continue;
    const Tensor analytic = input.grad();
    Tensor& value = input.value();
    for (std::int64_t i = 0; i < value.size(); ++i) {
      const float saved = value[i];
      double plus, minus;
      {
        NoGradGuard no_grad;
        value[i] = static_cast<float>(saved + step);
        plus = f(inputs).item();
        value[i] = static_cast<float>(saved - step);
        minus = f(inputs).item();
      }
      value[i] = saved;
      const double numeric = (plus - minus) / (2 * step);
      const double scale = std::max({1.0, std::abs(numeric), std::abs(double(analytic[i]))});
      EXPECT_NEAR(analytic[i], numeric, tolerance * scale)
          << "input " << which << " element " << i << " of " << loss.op();
    }
  }
}

}  // namespace descent::testing
