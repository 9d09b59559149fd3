// The element-wise kernel family: binary arithmetic with broadcasting and the unary functions, each
// with the backward the training step runs. The graph side is core/ops/elementwise.cpp and
// core/ops/activation.cpp; the kernels are core/backend/{cpu,reference}/elementwise.cpp.
#pragma once

#include <cstdint>

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

enum class BinaryOp : std::uint8_t { add, sub, mul, div };

enum class UnaryOp : std::uint8_t {
  add_scalar,  // x + a
  mul_scalar,  // x · a
  exp,
  log,
  square,
  abs,
  clip,  // x clamped to [a, b]
  relu,
  leaky_relu,  // slope a below zero
  sigmoid,
  tanh,
  softplus,
  erf,
  gelu,       // x Φ(x), Φ the standard normal CDF
  gelu_tanh,  // GELU's tanh approximation
  silu,       // x σ(x)
};

// A unary function with its parameters (a, b: see UnaryOp).
struct UnaryFunction {
  UnaryOp op;
  double a = 0.0;
  double b = 0.0;
};

class ElementwiseKernels {
 public:
  virtual ~ElementwiseKernels() = default;

  // y = a ∘ b where b's shape is a suffix of a's or b holds one value: b repeats along a's rows.
  virtual void binary_rows(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) const = 0;
  // y = a ∘ b with both operands broadcast to y's shape (NumPy's rule).
  virtual void binary_broadcast(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) const = 0;
  // binary_rows's gradients from dy: a's, and b's summed over the rows that b repeats along.
  virtual void binary_rows_grad_a(BinaryOp op, const Tensor& dy, const Tensor& b,
                                  GradOut da) const = 0;
  virtual void binary_rows_grad_b(BinaryOp op, const Tensor& dy, const Tensor& a, const Tensor& b,
                                  GradOut db) const = 0;

  // out (+)= value: how a gradient computed as a tensor (a GradRule's) reaches its input.
  virtual void accumulate(const Tensor& value, GradOut out) const = 0;

  // y = f(x).
  virtual void unary(const UnaryFunction& f, const Tensor& x, Tensor& y) const = 0;
  // d = f'(x), given y = f(x).
  virtual void unary_derivative(const UnaryFunction& f, const Tensor& x, const Tensor& y,
                                Tensor& d) const = 0;
  // dx = dy · f'(x), given y = f(x).
  virtual void unary_grad(const UnaryFunction& f, const Tensor& x, const Tensor& y,
                          const Tensor& dy, GradOut dx) const = 0;
};

}  // namespace descent
