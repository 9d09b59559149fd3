#include "core/ops/matmul.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/view.h"

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
  const GemmKernels& kernels = backend_of(y.value).gemm;
  if (a.requires_grad) kernels.matmul(y.grad, b.value, false, true, a.grad_out());
  if (b.requires_grad) kernels.matmul(a.value, y.grad, true, false, b.grad_out());
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
  // Batched, an operand repeated along batch axes gets the sum (a no-op for matrices).
  if (da.defined()) da = sum_to(da, a.shape());
  if (db.defined()) db = sum_to(db, b.shape());
  return {da, db};
}

// The float32 raw backward of x·W + b: the product's, and the bias's sum over rows.
void dense_backward(Node& self) {
  matmul_backward(self, *self.inputs[0], *self.inputs[1]);
  if (self.inputs.size() < 3 || !self.inputs[2]->requires_grad) return;
  backend_of(self.value).gemm.dense_bias_grad(self.grad, self.inputs[2]->grad_out());
}

// Products of stacks of matrices: the last two axes of each operand are matrices, the axes before
// them (none for a plain matrix) are batch axes that broadcast against each other.
BatchedProduct check_batched_product(const Shape& a, const Shape& b, bool trans_a, bool trans_b) {
  const auto fail = [&](const char* why) {
    return InvalidArgument(fmt::format("matmul: cannot multiply shapes {}{} and {}{}{}",
                                       shape_string(a), trans_a ? "ᵀ" : "", shape_string(b),
                                       trans_b ? "ᵀ" : "", why));
  };
  if (a.size() < 2 || b.size() < 2) throw fail(" (each needs at least two axes)");
  const std::size_t ra = a.size(), rb = b.size();
  BatchedProduct bp;
  bp.m = trans_a ? a[ra - 1] : a[ra - 2];
  bp.k = trans_a ? a[ra - 2] : a[ra - 1];
  bp.n = trans_b ? b[rb - 2] : b[rb - 1];
  if ((trans_b ? b[rb - 1] : b[rb - 2]) != bp.k) throw fail("");
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  try {
    bp.batch = broadcast_shapes(a_batch, b_batch, "matmul");
  } catch (const InvalidArgument&) {
    throw fail(" (batch axes do not broadcast)");
  }
  bp.products = shape_size(bp.batch);
  bp.a_matrices = shape_size(a_batch);
  bp.b_matrices = shape_size(b_batch);
  const std::vector<std::int64_t> a_stride = broadcast_strides(a_batch, bp.batch),
                                  b_stride = broadcast_strides(b_batch, bp.batch);
  for (std::int64_t t = 0; t < bp.products; ++t) {
    std::int64_t ia = 0, ib = 0, rest = t;
    for (std::size_t axis = bp.batch.size(); axis-- > 0;) {
      const std::int64_t index = rest % bp.batch[axis];
      rest /= bp.batch[axis];
      ia += index * a_stride[axis];
      ib += index * b_stride[axis];
    }
    bp.a_matrix.push_back(ia);
    bp.b_matrix.push_back(ib);
  }
  return bp;
}

Variable batched_matmul(const Variable& a, const Variable& b, const BatchedProduct& bp,
                        bool trans_a, bool trans_b) {
  Shape shape = bp.batch;
  shape.push_back(bp.m);
  shape.push_back(bp.n);
  Variable y = Variable::result(shape, {a, b}, "matmul");
  backend_of(y.value()).gemm.batched_matmul(bp, trans_a, trans_b, a.value(), b.value(), y.value());
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32)
    y.set_backward([bp, trans_a, trans_b](Node& self) {
      Node& a = *self.inputs[0];
      Node& b = *self.inputs[1];
      const GemmKernels& kernels = backend_of(self.value).gemm;
      if (a.requires_grad)
        kernels.batched_matmul_grad_a(bp, trans_a, trans_b, self.grad, b.value, a.grad_out());
      if (b.requires_grad)
        kernels.batched_matmul_grad_b(bp, trans_a, trans_b, self.grad, a.value, b.grad_out());
    });
  y.set_grad_rule([trans_a, trans_b](const Variable& self, const Variable& grad) {
    return matmul_rule(self.input(0), self.input(1), trans_a, trans_b, grad);
  });
  return y;
}

}  // namespace

Variable matmul(const Variable& a, const Variable& b, bool trans_a, bool trans_b) {
  if (a.shape().size() != 2 || b.shape().size() != 2) {
    const BatchedProduct bp = check_batched_product(a.shape(), b.shape(), trans_a, trans_b);
    if (b.shape().size() == 2 && !trans_a && bp.k > 0) {
      // A stack of matrices times one matrix is one product of the stacked rows.
      const Variable rows = reshape(a, {shape_size(a.shape()) / bp.k, bp.k});
      Shape shape = a.shape();
      shape.back() = bp.n;
      return reshape(matmul(rows, b, false, trans_b), shape);
    }
    return batched_matmul(a, b, bp, trans_a, trans_b);
  }
  const Product p = check_matrix_product(a.shape(), b.shape(), trans_a, trans_b, "matmul");
  Variable y = Variable::result({p.m, p.n}, {a, b}, "matmul");
  backend_of(y.value()).gemm.matmul(a.value(), b.value(), trans_a, trans_b, {y.value()});
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
  if (b.defined() && b.shape() != Shape{p.n})
    throw InvalidArgument(
        fmt::format("dense: bias of shape {} for {} units", shape_string(b.shape()), p.n));
  Variable y = Variable::result({p.m, p.n}, {x, w, b}, "dense");
  backend_of(y.value()).gemm.dense(x.value(), w.value(), b.defined() ? &b.value() : nullptr,
                                   y.value());
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
