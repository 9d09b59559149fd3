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

// The same in float64 at torch.autograd.gradcheck's settings by default (eps 1e-6, atol 1e-5,
// rtol 1e-3): `loss` maps the current values of `inputs` (float64, requiring gradients) to one
// value; each input's gradient from one backward pass must match the central differences.
inline void expect_float64_gradients(const std::function<Variable()>& loss,
                                     std::vector<Variable>& inputs, double atol = 1e-5,
                                     double rtol = 1e-3) {
  loss().backward();
  constexpr double eps = 1e-6;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const Tensor analytic = inputs[k].grad();
    double* v = inputs[k].value().data<double>();
    for (std::int64_t i = 0; i < analytic.size(); ++i) {
      const double saved = v[i];
      v[i] = saved + eps;
      const double plus = loss().value().at(0);
      v[i] = saved - eps;
      const double minus = loss().value().at(0);
      v[i] = saved;
      const double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(analytic.at(i), numeric, atol + rtol * std::abs(numeric))
          << "input " << k << " element " << i;
    }
  }
}

}  // namespace descent::testing
