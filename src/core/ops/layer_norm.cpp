#include "core/ops/layer_norm.h"

#include <cmath>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "core/ops/norm_inputs.h"
#include "core/ops/reduce.h"

namespace descent {
namespace {

using detail::NormGrads;
using detail::NormInputs;

// The raw float32 backward: one kernel for the gradients of x, γ and β.
void layer_norm_backward(Node& self, const NormInputs& in, const Tensor& mean,
                         const Tensor& inv_std) {
  const NormGrads g(self, in);
  backend_of(self.value)
      .norm.layer_norm_backward(self.inputs[0]->value, self.grad, mean, inv_std, g.gamma, g.dx,
                                g.dgamma, g.dbeta);
}

// The same gradients with differentiable operations, the statistics recomputed from x, so that
// they can be differentiated again (through the mean and variance too).
GradRule layer_norm_rule(NormInputs in, double epsilon) {
  return [in, epsilon](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    const Variable x = self.input(0);
    const int last = static_cast<int>(x.shape().size()) - 1;
    const Variable mu = mean(x, {last}, true);
    const Variable var = variance(x, {last}, {.correction = 0, .keepdims = true});
    // 1/√(var + ε) as exp(-log(var + ε)/2): differentiable operations.
    const Variable inv_std = exp(mul(log(add(var, epsilon)), -0.5));
    const Variable xhat = mul(sub(x, mu), inv_std);
    const Shape features{x.shape().back()};
    std::vector<Variable> grads;
    if (x.requires_grad()) {
      // dx = inv_std · (g − mean(g) − x̂ · mean(g · x̂)), g = dy · γ
      const Variable g = in.gamma ? mul(grad, self.input(in.gamma_index())) : grad;
      grads.push_back(mul(inv_std, sub(sub(g, mean(g, {last}, true)),
                                       mul(xhat, mean(mul(g, xhat), {last}, true)))));
    } else {
      grads.emplace_back();
    }
    if (in.gamma)
      grads.push_back(self.input(in.gamma_index()).requires_grad()
                          ? sum_to(mul(grad, xhat), features)
                          : Variable());
    if (in.beta)
      grads.push_back(self.input(in.beta_index()).requires_grad() ? sum_to(grad, features)
                                                                  : Variable());
    return grads;
  };
}

}  // namespace

Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    double epsilon) {
  if (x.shape().empty() || x.shape().back() == 0)
    throw InvalidArgument(fmt::format("layer_norm: expected (…, features) with features, got {}",
                                      shape_string(x.shape())));
  const std::int64_t features = x.shape().back();
  for (const auto& [v, what] : {std::pair{&gamma, "gamma"}, std::pair{&beta, "beta"}})
    if (v->defined() && v->shape() != Shape{features})
      throw InvalidArgument(fmt::format("layer_norm: {} of shape {} for {} features", what,
                                        shape_string(v->shape()), features));
  if (!(epsilon > 0 && std::isfinite(epsilon)))
    throw InvalidArgument(fmt::format("layer_norm: epsilon must be > 0, got {}", epsilon));
  Variable y = Variable::result(x.shape(), {x, gamma, beta}, "layer_norm");
  const std::int64_t rows = x.value().size() / features;
  Tensor mean_of_row, inv_std_of_row;
  mean_of_row.resize({rows}, x.dtype(), x.value().device());
  inv_std_of_row.resize({rows}, x.dtype(), x.value().device());
  backend_of(y.value()).norm.layer_norm(x.value(), gamma.defined() ? &gamma.value() : nullptr,
                                        beta.defined() ? &beta.value() : nullptr, epsilon,
                                        y.value(), mean_of_row, inv_std_of_row);
  if (!y.needs_grad()) return y;
  const NormInputs in{gamma.defined(), beta.defined()};
  if (y.dtype() == DType::f32)
    y.set_backward([in, mean = std::move(mean_of_row), inv_std = std::move(inv_std_of_row)](
                       Node& self) { layer_norm_backward(self, in, mean, inv_std); });
  y.set_grad_rule(layer_norm_rule(in, epsilon));
  return y;
}

}  // namespace descent
