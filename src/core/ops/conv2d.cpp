#include "core/ops/conv2d.h"

#include <algorithm>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/view.h"

namespace descent {
namespace {

// For messages: one number where all four sides agree, else each side's.
std::string padding_string(const Conv2dPads& p) {
  if (p.top == p.bottom && p.top == p.left && p.top == p.right) return std::to_string(p.top);
  return fmt::format("(top {}, bottom {}, left {}, right {})", p.top, p.bottom, p.left, p.right);
}

Conv2dDims check_geometry(const Shape& xs, const Shape& ws, const Variable& b,
                          Conv2dGeometry geometry) {
  if (xs.size() != 4)
    throw InvalidArgument(fmt::format(
        "conv2d: input must be (batch, channels, height, width), got shape {}", shape_string(xs)));
  if (ws.size() != 4)
    throw InvalidArgument(
        fmt::format("conv2d: kernel must be (out_channels, in_channels, kh, kw), got shape {}",
                    shape_string(ws)));
  if (ws[1] != xs[1])
    throw InvalidArgument(
        fmt::format("conv2d: kernel {} expects {} input channels, input {} has {}",
                    shape_string(ws), ws[1], shape_string(xs), xs[1]));
  if (b.defined() && b.shape() != Shape{ws[0]})
    throw InvalidArgument(fmt::format("conv2d: bias of shape {} for {} output channels",
                                      shape_string(b.shape()), ws[0]));
  if (geometry.stride < 1)
    throw InvalidArgument(fmt::format("conv2d: stride must be >= 1, got {}", geometry.stride));
  if (geometry.padding < 0)
    throw InvalidArgument(fmt::format("conv2d: padding must be >= 0, got {}", geometry.padding));
  if (geometry.pads && geometry.padding != 0)
    throw InvalidArgument("conv2d: give padding or pads, not both");
  const Conv2dPads p = geometry.pads.value_or(
      Conv2dPads{geometry.padding, geometry.padding, geometry.padding, geometry.padding});
  if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0)
    throw InvalidArgument(
        fmt::format("conv2d: pads must be >= 0, got top {} bottom {} left {} right {}", p.top,
                    p.bottom, p.left, p.right));
  Conv2dDims g{xs[0], xs[1], xs[2], xs[3],           ws[0], ws[2],
               ws[3], 0,     0,     geometry.stride, p.top, p.left};
  const std::int64_t padded_h = g.in_h + p.top + p.bottom, padded_w = g.in_w + p.left + p.right;
  if (g.kh < 1 || g.kw < 1 || padded_h < g.kh || padded_w < g.kw)
    throw InvalidArgument(fmt::format("conv2d: kernel {}x{} does not fit input {} with padding {}",
                                      g.kh, g.kw, shape_string(xs), padding_string(p)));
  g.out_h = (padded_h - g.kh) / g.stride + 1;
  g.out_w = (padded_w - g.kw) / g.stride + 1;
  return g;
}

// The raw float32 backward: the gradients that the inputs need, from one kernel.
void conv2d_backward(Node& self, const Conv2dDims& g) {
  Node& x = *self.inputs[0];
  Node& w = *self.inputs[1];
  Node* b = self.inputs.size() > 2 ? self.inputs[2].get() : nullptr;
  std::optional<GradOut> dx, dw, db;
  if (x.requires_grad) dx.emplace(x.grad_out());
  if (w.requires_grad) dw.emplace(w.grad_out());
  if (b && b->requires_grad) db.emplace(b->grad_out());
  backend_of(self.value)
      .conv.conv2d_backward(g, x.value, w.value, self.grad, dx ? &*dx : nullptr,
                            dw ? &*dw : nullptr, db ? &*db : nullptr);
}

Variable conv2d_input_grad(const Variable& dy, const Variable& w, const Conv2dDims& g);
Variable conv2d_weight_grad(const Variable& x, const Variable& dy, const Conv2dDims& g);

// y = conv(x, w): bilinear, so each of the three operations' gradients is another of them.
Variable convolve(const Variable& x, const Variable& w, const Variable& b, const Conv2dDims& g) {
  Variable y = Variable::result({g.batch, g.out_c, g.out_h, g.out_w}, {x, w, b}, "conv2d");
  backend_of(y.value()).conv.conv2d(g, x.value(), w.value(), b.defined() ? &b.value() : nullptr,
                                    y.value());
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32) y.set_backward([g](Node& self) { conv2d_backward(self, g); });
  y.set_grad_rule([g](const Variable& self, const Variable& grad) {
    const Variable x = self.input(0), w = self.input(1);
    std::vector<Variable> grads{x.requires_grad() ? conv2d_input_grad(grad, w, g) : Variable(),
                                w.requires_grad() ? conv2d_weight_grad(x, grad, g) : Variable()};
    if (self.node()->inputs.size() > 2 && self.input(2).requires_grad())
      grads.push_back(reshape(sum_to(grad, {g.out_c, 1, 1}), {g.out_c}));
    return grads;
  });
  return y;
}

// d⟨dy, conv(x, w)⟩/dx, linear in dy and in w.
Variable conv2d_input_grad(const Variable& dy, const Variable& w, const Conv2dDims& g) {
  Variable dx = Variable::result({g.batch, g.in_c, g.in_h, g.in_w}, {dy, w}, "conv2d_input_grad");
  backend_of(dx.value()).conv.conv2d_input_grad(g, dy.value(), w.value(), dx.value());
  if (dx.needs_grad())
    dx.set_grad_rule([g](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      const Variable dy = self.input(0), w = self.input(1);
      return {dy.requires_grad() ? convolve(grad, w, Variable(), g) : Variable(),
              w.requires_grad() ? conv2d_weight_grad(grad, dy, g) : Variable()};
    });
  return dx;
}

// d⟨dy, conv(x, w)⟩/dw, linear in x and in dy.
Variable conv2d_weight_grad(const Variable& x, const Variable& dy, const Conv2dDims& g) {
  Variable dw = Variable::result({g.out_c, g.in_c, g.kh, g.kw}, {x, dy}, "conv2d_weight_grad");
  backend_of(dw.value()).conv.conv2d_weight_grad(g, x.value(), dy.value(), dw.value());
  if (dw.needs_grad())
    dw.set_grad_rule([g](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      const Variable x = self.input(0), dy = self.input(1);
      return {x.requires_grad() ? conv2d_input_grad(dy, grad, g) : Variable(),
              dy.requires_grad() ? convolve(x, grad, Variable(), g) : Variable()};
    });
  return dw;
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& w, const Variable& b, Conv2dGeometry geometry) {
  return convolve(x, w, b, check_geometry(x.shape(), w.shape(), b, geometry));
}

Conv2dPads same_padding(std::int64_t in_h, std::int64_t in_w, std::int64_t kh, std::int64_t kw,
                        int stride) {
  const auto split = [stride](std::int64_t in, std::int64_t k, int& before, int& after) {
    const std::int64_t out = (in + stride - 1) / stride;
    const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + k - in, 0);
    before = static_cast<int>(total / 2);
    after = static_cast<int>(total - total / 2);
  };
  Conv2dPads p;
  split(in_h, kh, p.top, p.bottom);
  split(in_w, kw, p.left, p.right);
  return p;
}

}  // namespace descent
