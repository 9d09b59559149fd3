// Checks of every operation's derivatives in float64, at torch.autograd.gradcheck's settings
// (central differences, eps 1e-6, atol 1e-5, rtol 1e-3):
//   gradcheck      grad(L, inputs) against central differences of L, with L = Σ f(inputs) · W for
//                  a fixed random W, and backward() against grad();
//   gradgradcheck  the exact H·u (grad of the gradient with create_graph) against central
//                  differences of the gradient along a random direction u;
//   rules_match    in float32, the gradient through the differentiable rules against the fast
//                  backward kernels that training runs.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/variable.h"

namespace descent::autograd_checks {

using Function = std::function<Variable(const std::vector<Variable>&)>;

constexpr double kEps = 1e-6, kAtol = 1e-5, kRtol = 1e-3;

inline Tensor random_tensor(const Shape& shape, DType dtype, std::uint64_t seed, double low = -1,
                            double high = 1) {
  Rng rng(seed);
  std::vector<double> values(static_cast<std::size_t>(shape_size(shape)));
  for (double& v : values)
    v = rng.uniform(low, high);
  return Tensor(shape, values).to(dtype);
}

inline std::vector<Variable> leaves(const std::vector<Tensor>& values, DType dtype) {
  std::vector<Variable> out;
  for (const Tensor& t : values)
    out.emplace_back(t.to(dtype), true);
  return out;
}

// L = Σ f(x) · W, W fixed by the output's shape.
inline Variable weighted_sum(const Function& f, const std::vector<Variable>& x) {
  const Variable y = f(x);
  return sum(mul(y, Variable(random_tensor(y.shape(), y.dtype(), 77))));
}

inline std::vector<Tensor> gradient_values(const Function& f, const std::vector<Tensor>& at) {
  const std::vector<Variable> x = leaves(at, DType::f64);
  const std::vector<Variable> g = grad(weighted_sum(f, x), x);
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < x.size(); ++i)
    out.push_back(g[i].defined() ? g[i].value() : Tensor(at[i].shape(), DType::f64, 0.0));
  return out;
}

inline void expect_close(double analytic, double numeric, const std::string& what) {
  EXPECT_LE(std::abs(analytic - numeric), kAtol + kRtol * std::abs(numeric))
      << what << ": analytic " << analytic << ", numeric " << numeric;
}

inline void gradcheck(const std::string& name, const Function& f,
                      const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> analytic = gradient_values(f, inputs);
  std::vector<Variable> x = leaves(inputs, DType::f64);
  weighted_sum(f, x).backward();
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    for (std::int64_t j = 0; j < inputs[i].size(); ++j) {
      std::vector<Tensor> moved = inputs;
      double* v = moved[i].data<double>();
      const double x0 = v[j];
      v[j] = x0 + kEps;
      const double up = weighted_sum(f, leaves(moved, DType::f64)).value().item<double>();
      v[j] = x0 - kEps;
      const double down = weighted_sum(f, leaves(moved, DType::f64)).value().item<double>();
      const std::string what =
          name + " d/dinput" + std::to_string(i) + "[" + std::to_string(j) + "]";
      expect_close(analytic[i].at(j), (up - down) / (2 * kEps), what);
      EXPECT_EQ(x[i].grad().at(j), analytic[i].at(j)) << what << ": backward() differs from grad()";
    }
}

inline void gradgradcheck(const std::string& name, const Function& f,
                          const std::vector<Tensor>& inputs) {
  std::vector<Tensor> u;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    u.push_back(random_tensor(inputs[i].shape(), DType::f64, 100 + i));
  const std::vector<Variable> x = leaves(inputs, DType::f64);
  const std::vector<Tensor> exact = hvp(weighted_sum(f, x), x, u);
  std::vector<Tensor> up = inputs, down = inputs;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    for (std::int64_t j = 0; j < inputs[i].size(); ++j) {
      up[i].data<double>()[j] += kEps * u[i].at(j);
      down[i].data<double>()[j] -= kEps * u[i].at(j);
    }
  const std::vector<Tensor> g_up = gradient_values(f, up), g_down = gradient_values(f, down);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    for (std::int64_t j = 0; j < inputs[i].size(); ++j)
      expect_close(exact[i].at(j), (g_up[i].at(j) - g_down[i].at(j)) / (2 * kEps),
                   name + " (H·u) of input" + std::to_string(i) + "[" + std::to_string(j) + "]");
}

inline void rules_match_backward(const std::string& name, const Function& f,
                                 const std::vector<Tensor>& inputs) {
  std::vector<Variable> x = leaves(inputs, DType::f32);
  Variable loss = weighted_sum(f, x);
  const std::vector<Variable> by_rules = grad(loss, x);
  loss.backward();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!by_rules[i].defined()) continue;
    for (std::int64_t j = 0; j < inputs[i].size(); ++j) {
      const double fast = x[i].grad().at(j), rule = by_rules[i].value().at(j);
      EXPECT_LE(std::abs(fast - rule), 1e-5 + 1e-4 * std::abs(fast))
          << name << " input" << i << "[" << j << "]: backward " << fast << ", rules " << rule;
    }
  }
}

}  // namespace descent::autograd_checks
