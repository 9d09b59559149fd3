// Gradient check at torch.autograd.gradcheck's settings (eps 1e-6, atol 1e-5, rtol 1e-3) for a
// float32 op's raw backward kernel. Float32 differences at eps 1e-6 would be mostly rounding, so
// the numeric side comes from `reference`: the same function written out in double in the test
// (the float64 checks of the ops themselves are in autograd_checks.h). What is checked:
//   1. the op's float32 forward equals `reference` at float32 tolerance (1e-5 relative), which
//      ties the reference to the op;
//   2. for the loss sum(y · w), w a fixed random weight, every input gradient that the op's
//      float32 backward writes satisfies |analytic − numeric| <= 1e-5 + 1e-3 · |numeric|, numeric
//      the central difference (L(x + eps) − L(x − eps)) / 2 eps of the loss in double through
//      `reference` at the float32 input values.
// The analytic side stays float32, so inputs should be small and well scaled (|x| <= 1 and sums of
// tens of terms keep its rounding near 1e-6).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/random.h"
#include "core/variable.h"
#include "ops_fixture.h"

namespace descent::testing {

using Float64Function = std::function<std::vector<double>(const std::vector<std::vector<double>>&)>;

inline void expect_gradcheck_float64(const std::function<Variable(std::vector<Variable>&)>& op,
                                     const Float64Function& reference, std::vector<Variable> inputs,
                                     std::uint64_t seed) {
  constexpr double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
  std::vector<std::vector<double>> x;
  for (const Variable& v : inputs)
    x.emplace_back(v.value().values().begin(), v.value().values().end());

  Variable y = op(inputs);
  const std::vector<double> y64 = reference(x);
  ASSERT_EQ(static_cast<std::size_t>(y.value().size()), y64.size()) << y.op();
  for (std::size_t i = 0; i < y64.size(); ++i)
    ASSERT_NEAR(y.value()[static_cast<std::int64_t>(i)], y64[i],
                1e-5 * std::max(1.0, std::abs(y64[i])))
        << y.op() << " output " << i;

  Rng rng(seed);
  const Tensor weight = random_tensor(y.shape(), rng);
  y.backward(weight);
  const auto loss = [&] {
    const std::vector<double> out = reference(x);
    double s = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      s += out[i] * weight[static_cast<std::int64_t>(i)];
    return s;
  };
  for (std::size_t which = 0; which < inputs.size(); ++which) {
    const Tensor& analytic = inputs[which].grad();
    for (std::size_t i = 0; i < x[which].size(); ++i) {
      const double saved = x[which][i];
      x[which][i] = saved + eps;
      const double plus = loss();
      x[which][i] = saved - eps;
      const double minus = loss();
      x[which][i] = saved;
      const double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(analytic[static_cast<std::int64_t>(i)], numeric, atol + rtol * std::abs(numeric))
          << y.op() << ": input " << which << " element " << i;
    }
  }
}

}  // namespace descent::testing
