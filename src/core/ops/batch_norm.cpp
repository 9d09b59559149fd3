#include "core/ops/batch_norm.h"

#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "core/ops/norm_inputs.h"
#include "core/ops/reduce.h"
#include "core/ops/view.h"

namespace descent {
namespace {

// The channel count of x, checked: (N, C, ...) with values.
std::int64_t checked_channels(const Variable& x, const char* op) {
  if (x.shape().size() < 2 || x.value().size() == 0)
    throw InvalidArgument(fmt::format("{}: expected (batch, channels, ...) with values, got {}", op,
                                      shape_string(x.shape())));
  return x.shape()[1];
}

void check_per_channel(const Variable& v, std::int64_t channels, const char* what, const char* op) {
  if (v.defined() && v.shape() != Shape{channels})
    throw InvalidArgument(fmt::format("{}: {} of shape {} for {} channels", op, what,
                                      shape_string(v.shape()), channels));
}

// (1, C, 1, ...): a per-channel value that broadcasts against x.
Shape channel_shape(const Shape& x) {
  Shape s(x.size(), 1);
  s[1] = x[1];
  return s;
}

// The axes that each channel's values run over: all but axis 1.
Axes batch_axes(const Shape& x) {
  Axes axes{0};
  for (int a = 2; a < static_cast<int>(x.size()); ++a)
    axes.push_back(a);
  return axes;
}

using detail::NormGrads;
using detail::NormInputs;

// The raw float32 backward: one kernel for the gradients of x, γ and β.
void batch_norm_backward(Node& self, const NormInputs& in, const Tensor& mean,
                         const Tensor& variance, double epsilon) {
  const NormGrads g(self, in);
  backend_of(self.value)
      .norm.batch_norm_backward(self.inputs[0]->value, self.grad, mean, variance, g.gamma, epsilon,
                                g.dx, g.dgamma, g.dbeta);
}

// The same gradients with differentiable operations, the statistics recomputed from x, so that
// they can be differentiated again (through the mean and variance too).
GradRule batch_norm_rule(NormInputs in, double epsilon) {
  return [in, epsilon](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    const Variable x = self.input(0);
    const Shape per_channel = channel_shape(x.shape());
    const Axes axes = batch_axes(x.shape());
    const double count = double(x.value().size()) / double(x.shape()[1]);
    const Variable mu = mean(x, axes, true);
    const Variable var = variance(x, axes, {.correction = 0, .keepdims = true});
    // 1/√(var + ε) as exp(-log(var + ε)/2): differentiable operations.
    const Variable inv_std = exp(mul(log(add(var, epsilon)), -0.5));
    const Variable xhat = mul(sub(x, mu), inv_std);
    const Variable dbeta = sum_to(grad, per_channel);
    const Variable dgamma = sum_to(mul(grad, xhat), per_channel);
    std::vector<Variable> grads;
    if (x.requires_grad()) {
      const Variable factor =
          in.gamma ? mul(inv_std, reshape(self.input(in.gamma_index()), per_channel)) : inv_std;
      // dx = γ·inv_std · (dy − dβ/M − x̂·dγ/M)
      grads.push_back(mul(
          factor, sub(sub(grad, mul(dbeta, 1.0 / count)), mul(xhat, mul(dgamma, 1.0 / count)))));
    } else {
      grads.emplace_back();
    }
    const Shape channels{x.shape()[1]};
    if (in.gamma)
      grads.push_back(self.input(in.gamma_index()).requires_grad() ? reshape(dgamma, channels)
                                                                   : Variable());
    if (in.beta)
      grads.push_back(self.input(in.beta_index()).requires_grad() ? reshape(dbeta, channels)
                                                                  : Variable());
    return grads;
  };
}

}  // namespace

BatchNorm batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                     double epsilon) {
  const std::int64_t channels = checked_channels(x, "batch_norm");
  check_per_channel(gamma, channels, "gamma", "batch_norm");
  check_per_channel(beta, channels, "beta", "batch_norm");
  if (!(epsilon > 0 && std::isfinite(epsilon)))
    throw InvalidArgument(fmt::format("batch_norm: epsilon must be > 0, got {}", epsilon));
  BatchNorm out{Variable::result(x.shape(), {x, gamma, beta}, "batch_norm"), {}, {}};
  out.mean.resize({channels}, x.dtype(), x.value().device());
  out.variance.resize({channels}, x.dtype(), x.value().device());
  backend_of(out.y.value())
      .norm.batch_norm(x.value(), gamma.defined() ? &gamma.value() : nullptr,
                       beta.defined() ? &beta.value() : nullptr, epsilon, out.y.value(), out.mean,
                       out.variance);
  if (!out.y.needs_grad()) return out;
  const NormInputs in{gamma.defined(), beta.defined()};
  if (out.y.dtype() == DType::f32)
    out.y.set_backward([in, epsilon, mean = out.mean, variance = out.variance](Node& self) {
      batch_norm_backward(self, in, mean, variance, epsilon);
    });
  out.y.set_grad_rule(batch_norm_rule(in, epsilon));
  return out;
}

Variable channel_affine(const Variable& x, const Variable& scale, const Variable& shift) {
  const std::int64_t channels = checked_channels(x, "channel_affine");
  if (!scale.defined() || !shift.defined())
    throw InvalidArgument("channel_affine: needs a scale and a shift");
  check_per_channel(scale, channels, "scale", "channel_affine");
  check_per_channel(shift, channels, "shift", "channel_affine");
  Variable y = Variable::result(x.shape(), {x, scale, shift}, "channel_affine");
  backend_of(y.value()).norm.channel_affine(x.value(), scale.value(), shift.value(), y.value());
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32)
    y.set_backward([](Node& self) {
      Node& x = *self.inputs[0];
      Node& scale = *self.inputs[1];
      Node& shift = *self.inputs[2];
      std::optional<GradOut> dx, dscale, dshift;
      if (x.requires_grad) dx.emplace(x.grad_out());
      if (scale.requires_grad) dscale.emplace(scale.grad_out());
      if (shift.requires_grad) dshift.emplace(shift.grad_out());
      backend_of(self.value)
          .norm.channel_affine_backward(x.value, self.grad, scale.value, dx ? &*dx : nullptr,
                                        dscale ? &*dscale : nullptr, dshift ? &*dshift : nullptr);
    });
  y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    const Variable x = self.input(0), scale = self.input(1), shift = self.input(2);
    const Shape per_channel = channel_shape(x.shape());
    const Shape channels{x.shape()[1]};
    return {
        x.requires_grad() ? mul(grad, reshape(scale, per_channel)) : Variable(),
        scale.requires_grad() ? reshape(sum_to(mul(grad, x), per_channel), channels) : Variable(),
        shift.requires_grad() ? reshape(sum_to(grad, per_channel), channels) : Variable()};
  });
  return y;
}

}  // namespace descent
