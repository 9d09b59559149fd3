#include "core/ops/layer_norm.h"

#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "core/ops/reduce.h"

namespace descent {
namespace {

// Which of (x, gamma, beta) the node recorded as inputs: undefined ones are left out.
struct LayerNormInputs {
  bool gamma = false, beta = false;
  std::size_t gamma_index() const { return 1; }
  std::size_t beta_index() const { return gamma ? 2 : 1; }
};

// The raw float32 backward: one kernel for the gradients of x, γ and β.
void layer_norm_backward(Node& self, const LayerNormInputs& in, const Tensor& mean,
                         const Tensor& inv_std) {
  Node& x = *self.inputs[0];
  Node* gamma = in.gamma ? self.inputs[in.gamma_index()].get() : nullptr;
  Node* beta = in.beta ? self.inputs[in.beta_index()].get() : nullptr;
  std::optional<GradOut> dx, dgamma, dbeta;
  if (x.requires_grad) dx.emplace(x.grad_out());
  if (gamma && gamma->requires_grad) dgamma.emplace(gamma->grad_out());
  if (beta && beta->requires_grad) dbeta.emplace(beta->grad_out());
  backend_of(self.value)
      .norm.layer_norm_backward(x.value, self.grad, mean, inv_std, gamma ? &gamma->value : nullptr,
                                dx ? &*dx : nullptr, dgamma ? &*dgamma : nullptr,
                                dbeta ? &*dbeta : nullptr);
}

// The same gradients with differentiable operations, the statistics recomputed from x, so that
// they can be differentiated again (through the mean and variance too).
GradRule layer_norm_rule(LayerNormInputs in, double epsilon) {
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
  const LayerNormInputs in{gamma.defined(), beta.defined()};
  if (y.dtype() == DType::f32)
    y.set_backward([in, mean = std::move(mean_of_row), inv_std = std::move(inv_std_of_row)](
                       Node& self) { layer_norm_backward(self, in, mean, inv_std); });
  y.set_grad_rule(layer_norm_rule(in, epsilon));
  return y;
}

}  // namespace descent
