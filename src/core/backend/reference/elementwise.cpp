#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/backend/reference/broadcast_offset.h"
#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::broadcast_offset;
using reference::store;

double combine(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::add:
      return a + b;
    case BinaryOp::sub:
      return a - b;
    case BinaryOp::mul:
      return a * b;
    case BinaryOp::div:
      return a / b;
  }
  return a;
}

double sigmoid(double x) {
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

// √(2/π) (x + 0.044715 x³): the argument of tanh in GELU's approximation.
double gelu_tanh_inner(double x) {
  return std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * x * x * x);
}

double forward(const UnaryFunction& f, double x) {
  switch (f.op) {
    case UnaryOp::add_scalar:
      return x + f.a;
    case UnaryOp::mul_scalar:
      return x * f.a;
    case UnaryOp::exp:
      return std::exp(x);
    case UnaryOp::log:
      return std::log(x);
    case UnaryOp::square:
      return x * x;
    case UnaryOp::abs:
      return std::abs(x);
    case UnaryOp::clip:
      return std::clamp(x, f.a, f.b);
    case UnaryOp::relu:
      return x > 0 ? x : 0.0;
    case UnaryOp::leaky_relu:
      return x > 0 ? x : f.a * x;
    case UnaryOp::sigmoid:
      return sigmoid(x);
    case UnaryOp::tanh:
      return std::tanh(x);
    case UnaryOp::softplus:
      return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x)));
    case UnaryOp::erf:
      return std::erf(x);
    case UnaryOp::gelu:
      return x * normal_cdf(x);
    case UnaryOp::gelu_tanh:
      return 0.5 * x * (1.0 + std::tanh(gelu_tanh_inner(x)));
    case UnaryOp::silu:
      return x * sigmoid(x);
  }
  return x;
}

// f'(x), from x alone (the cpu kernels may use y = f(x); the reference recomputes it).
double derivative(const UnaryFunction& f, double x) {
  switch (f.op) {
    case UnaryOp::add_scalar:
      return 1.0;
    case UnaryOp::mul_scalar:
      return f.a;
    case UnaryOp::exp:
      return std::exp(x);
    case UnaryOp::log:
      return 1.0 / x;
    case UnaryOp::square:
      return 2.0 * x;
    case UnaryOp::abs:
      return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
    case UnaryOp::clip:
      return x >= f.a && x <= f.b ? 1.0 : 0.0;
    case UnaryOp::relu:
      return x > 0 ? 1.0 : 0.0;
    case UnaryOp::leaky_relu:
      return x > 0 ? 1.0 : f.a;
    case UnaryOp::sigmoid:
      return sigmoid(x) * (1.0 - sigmoid(x));
    case UnaryOp::tanh:
      return 1.0 - std::tanh(x) * std::tanh(x);
    case UnaryOp::softplus:
      return sigmoid(x);
    case UnaryOp::erf:
      return 2.0 / std::sqrt(std::numbers::pi) * std::exp(-x * x);
    case UnaryOp::gelu:
      return normal_cdf(x) + x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
    case UnaryOp::gelu_tanh: {
      const double t = std::tanh(gelu_tanh_inner(x));
      return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * std::sqrt(2.0 / std::numbers::pi) *
                                   (1.0 + 3.0 * 0.044715 * x * x);
    }
    case UnaryOp::silu:
      return sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x)));
  }
  return 0.0;
}

// d(a ∘ b)/da and d(a ∘ b)/db.
double partial_a(BinaryOp op, double, double b) {
  switch (op) {
    case BinaryOp::add:
    case BinaryOp::sub:
      return 1.0;
    case BinaryOp::mul:
      return b;
    case BinaryOp::div:
      return 1.0 / b;
  }
  return 0.0;
}

double partial_b(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::add:
      return 1.0;
    case BinaryOp::sub:
      return -1.0;
    case BinaryOp::mul:
      return a;
    case BinaryOp::div:
      return -a / (b * b);
  }
  return 0.0;
}

class ReferenceElementwise final : public ElementwiseKernels {
 public:
  void binary_rows(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) const override {
    reference::count_kernel_call();
    binary_broadcast(op, a, b, y);
  }

  void binary_broadcast(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(y.size());
    for (std::int64_t i = 0; i < y.size(); ++i)
      out[i] = combine(op, a.at(broadcast_offset(i, y.shape(), a.shape())),
                       b.at(broadcast_offset(i, y.shape(), b.shape())));
    store(y, out, false);
  }

  void binary_rows_grad_a(BinaryOp op, const Tensor& dy, const Tensor& b,
                          GradOut da) const override {
    reference::count_kernel_call();
    std::vector<double> out(dy.size());
    for (std::int64_t i = 0; i < dy.size(); ++i)
      out[i] = dy.at(i) * partial_a(op, 0.0, b.at(broadcast_offset(i, dy.shape(), b.shape())));
    store(da.tensor, out, da.accumulate);
  }

  void binary_rows_grad_b(BinaryOp op, const Tensor& dy, const Tensor& a, const Tensor& b,
                          GradOut db) const override {
    reference::count_kernel_call();
    std::vector<double> out(b.size(), 0.0);
    for (std::int64_t i = 0; i < dy.size(); ++i) {
      const std::int64_t j = broadcast_offset(i, dy.shape(), b.shape());
      out[j] += dy.at(i) * partial_b(op, a.at(i), b.at(j));
    }
    store(db.tensor, out, db.accumulate);
  }

  void accumulate(const Tensor& value, GradOut out) const override {
    reference::count_kernel_call();
    std::vector<double> values(value.size());
    for (std::int64_t i = 0; i < value.size(); ++i)
      values[i] = value.at(i);
    store(out.tensor, values, out.accumulate);
  }

  void unary(const UnaryFunction& f, const Tensor& x, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(x.size());
    for (std::int64_t i = 0; i < x.size(); ++i)
      out[i] = forward(f, x.at(i));
    store(y, out, false);
  }

  void unary_derivative(const UnaryFunction& f, const Tensor& x, const Tensor&,
                        Tensor& d) const override {
    reference::count_kernel_call();
    std::vector<double> out(x.size());
    for (std::int64_t i = 0; i < x.size(); ++i)
      out[i] = derivative(f, x.at(i));
    store(d, out, false);
  }

  void unary_grad(const UnaryFunction& f, const Tensor& x, const Tensor&, const Tensor& dy,
                  GradOut dx) const override {
    reference::count_kernel_call();
    std::vector<double> out(x.size());
    for (std::int64_t i = 0; i < x.size(); ++i)
      out[i] = dy.at(i) * derivative(f, x.at(i));
    store(dx.tensor, out, dx.accumulate);
  }
};

}  // namespace

const ElementwiseKernels& reference_elementwise() {
  static const ReferenceElementwise kernels;
  return kernels;
}

}  // namespace descent
