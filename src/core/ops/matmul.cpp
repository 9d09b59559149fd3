#include "core/ops/matmul.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/gemm.h"

namespace descent {
namespace {

struct Product {
  std::int64_t m, k, n;
};

Product check_matrix_product(const Shape& a, const Shape& b, bool trans_a, bool trans_b,
                             const char* op) {
  if (a.size() == 2 && b.size() == 2) {
    const Product p{trans_a ? a[1] : a[0], trans_a ? a[0] : a[1], trans_b ? b[0] : b[1]};
    if ((trans_b ? b[1] : b[0]) == p.k) return p;
  }
  throw InvalidArgument(fmt::format("{}: cannot multiply shapes {}{} and {}{}", op, shape_string(a),
                                    trans_a ? "ᵀ" : "", shape_string(b), trans_b ? "ᵀ" : ""));
}

// Gradients of y = a · b given dy: da += dy · bᵀ, db += aᵀ · dy (float32, untransposed).
void matmul_backward(Node& y, Node& a, Node& b) {
  const std::int64_t m = a.value.dim(0), k = a.value.dim(1), n = b.value.dim(1);
  bool accumulate = false;
  if (a.requires_grad) {
    Tensor& da = a.grad_for_write(accumulate);
    gemm(false, true, m, k, n, y.grad.data(), b.value.data(), accumulate ? 1.0f : 0.0f, da.data());
  }
  if (b.requires_grad) {
    Tensor& db = b.grad_for_write(accumulate);
    gemm(true, false, k, n, m, a.value.data(), y.grad.data(), accumulate ? 1.0f : 0.0f, db.data());
  }
}

// The gradients of y = op(a) · op(b) as products: d op(a) = dy · op(b)ᵀ, d op(b) = op(a)ᵀ · dy,
// each transposed back where the operand was.
std::vector<Variable> matmul_rule(const Variable& a, const Variable& b, bool trans_a, bool trans_b,
                                  const Variable& grad) {
  Variable da, db;
  if (a.requires_grad())
    da = trans_a ? matmul(b, grad, trans_b, true) : matmul(grad, b, false, !trans_b);
  if (b.requires_grad())
    db = trans_b ? matmul(grad, a, true, trans_a) : matmul(a, grad, !trans_a, false);
  return {da, db};
}

// The float32 raw backward of x·W + b: the product's, and the bias's sum over rows.
void dense_backward(Node& self) {
  matmul_backward(self, *self.inputs[0], *self.inputs[1]);
  if (self.inputs.size() < 3 || !self.inputs[2]->requires_grad) return;
  Node& bias = *self.inputs[2];
  const std::int64_t rows = self.value.dim(0), cols = self.value.dim(1);
  bool accumulate = false;
  Tensor& db = bias.grad_for_write(accumulate);
  if (!accumulate) db.fill(0.0f);
  const float* dy = self.grad.data();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = 0; j < cols; ++j)
      db[j] += dy[r * cols + j];
}

}  // namespace

Variable matmul(const Variable& a, const Variable& b, bool trans_a, bool trans_b) {
  const Product p = check_matrix_product(a.shape(), b.shape(), trans_a, trans_b, "matmul");
  Variable y = Variable::result({p.m, p.n}, {a, b}, "matmul");
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    gemm(trans_a, trans_b, p.m, p.n, p.k, a.value().data<T>(), b.value().data<T>(), T{0},
         y.value().data<T>());
  });
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32 && !trans_a && !trans_b)
    y.set_backward([](Node& self) { matmul_backward(self, *self.inputs[0], *self.inputs[1]); });
  y.set_grad_rule([trans_a, trans_b](const Variable& self, const Variable& grad) {
    return matmul_rule(self.input(0), self.input(1), trans_a, trans_b, grad);
  });
  return y;
}

Variable dense(const Variable& x, const Variable& w, const Variable& b) {
  const Product p = check_matrix_product(x.shape(), w.shape(), false, false, "dense");
  const std::int64_t batch = p.m, in = p.k, out = p.n;
  if (b.defined() && b.shape() != Shape{out})
    throw InvalidArgument(
        fmt::format("dense: bias of shape {} for {} units", shape_string(b.shape()), out));
  Variable y = Variable::result({batch, out}, {x, w, b}, "dense");
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* yv = y.value().data<T>();
    T beta = 0;
    if (b.defined()) {
      const T* bv = b.value().data<T>();
      for (std::int64_t r = 0; r < batch; ++r)
        for (std::int64_t j = 0; j < out; ++j)
          yv[r * out + j] = bv[j];
      beta = 1;
    }
    gemm(false, false, batch, out, in, x.value().data<T>(), w.value().data<T>(), beta, yv);
  });
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32) y.set_backward(dense_backward);
  y.set_grad_rule([](const Variable& self, const Variable& grad) {
    std::vector<Variable> grads = matmul_rule(self.input(0), self.input(1), false, false, grad);
    if (self.node()->inputs.size() > 2 && self.input(2).requires_grad())
      grads.push_back(sum_to(grad, self.input(2).shape()));
    return grads;
  });
  return y;
}

}  // namespace descent
