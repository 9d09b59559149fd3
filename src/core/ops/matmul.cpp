#include "core/ops/matmul.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/gemm.h"
#include "core/ops/shape.h"
#include "core/parallel.h"

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
  // Batched, an operand repeated along batch axes gets the sum (a no-op for matrices).
  if (da.defined()) da = sum_to(da, a.shape());
  if (db.defined()) db = sum_to(db, b.shape());
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

// Products of stacks of matrices: the last two axes of each operand are matrices, the axes before
// them (none for a plain matrix) are batch axes that broadcast against each other.
struct BatchedProduct {
  Product p;
  Shape batch;  // the result's batch axes
  std::int64_t products = 1;
  // For each product, the matrix of a and of b that it reads; how many matrices each holds.
  std::vector<std::int64_t> a_matrix, b_matrix;
  std::int64_t a_matrices = 1, b_matrices = 1;
};

BatchedProduct check_batched_product(const Shape& a, const Shape& b, bool trans_a, bool trans_b) {
  const auto fail = [&](const char* why) {
    return InvalidArgument(fmt::format("matmul: cannot multiply shapes {}{} and {}{}{}",
                                       shape_string(a), trans_a ? "ᵀ" : "", shape_string(b),
                                       trans_b ? "ᵀ" : "", why));
  };
  if (a.size() < 2 || b.size() < 2) throw fail(" (each needs at least two axes)");
  const std::size_t ra = a.size(), rb = b.size();
  BatchedProduct bp;
  bp.p = {trans_a ? a[ra - 1] : a[ra - 2], trans_a ? a[ra - 2] : a[ra - 1],
          trans_b ? b[rb - 2] : b[rb - 1]};
  if ((trans_b ? b[rb - 1] : b[rb - 2]) != bp.p.k) throw fail("");
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

// Calls f(t) for each product t: one product per thread when they are small (gemm then runs
// single-threaded inside the region), else one after another with gemm splitting each.
template <class F>
void for_each_product(std::int64_t products, std::int64_t work_each, F f) {
  if (products > 1 && work_each < kParallelGemmWork) {
    parallel_for(products, products * work_each, f);
    return;
  }
  for (std::int64_t t = 0; t < products; ++t)
    f(t);
}

// Runs product(t, beta) for each product t, which writes its gradient into matrix `matrix[t]` of an
// operand holding `matrices` of them, adding with beta 1 and assigning with 0. Products that
// share a matrix run in order, the first to reach it assigning unless `accumulate`.
template <class F>
void into_matrices(const std::vector<std::int64_t>& matrix, std::int64_t matrices,
                   std::int64_t work_each, bool accumulate, F product) {
  const auto products = static_cast<std::int64_t>(matrix.size());
  const float beta = accumulate ? 1.0f : 0.0f;
  if (matrices == products) {  // each matrix used by one product
    for_each_product(products, work_each, [&](std::int64_t t) { product(t, beta); });
    return;
  }
  std::vector<bool> written(static_cast<std::size_t>(matrices), accumulate);
  for (std::int64_t t = 0; t < products; ++t) {
    const auto i = static_cast<std::size_t>(matrix[t]);
    product(t, written[i] ? 1.0f : 0.0f);
    written[i] = true;
  }
}

// Gradients of a batched y = op(a) · op(b) in float32, product by product: d op(a) = dy · op(b)ᵀ
// and d op(b) = op(a)ᵀ · dy, each written back transposed where the operand was (as matmul_rule).
void batched_matmul_backward(Node& y, const BatchedProduct& bp, bool trans_a, bool trans_b) {
  Node& a = *y.inputs[0];
  Node& b = *y.inputs[1];
  const std::int64_t m = bp.p.m, k = bp.p.k, n = bp.p.n, work = m * n * k;
  const float* dy = y.grad.data();
  const float* av = a.value.data();
  const float* bv = b.value.data();
  bool accumulate = false;
  if (a.requires_grad) {
    float* da = a.grad_for_write(accumulate).data();
    into_matrices(bp.a_matrix, bp.a_matrices, work, accumulate, [&](std::int64_t t, float beta) {
      const float* g = dy + t * m * n;
      const float* bt = bv + bp.b_matrix[t] * k * n;
      float* out = da + bp.a_matrix[t] * m * k;
      if (trans_a)
        gemm(trans_b, true, k, m, n, bt, g, beta, out);
      else
        gemm(false, !trans_b, m, k, n, g, bt, beta, out);
    });
  }
  if (b.requires_grad) {
    float* db = b.grad_for_write(accumulate).data();
    into_matrices(bp.b_matrix, bp.b_matrices, work, accumulate, [&](std::int64_t t, float beta) {
      const float* g = dy + t * m * n;
      const float* at = av + bp.a_matrix[t] * m * k;
      float* out = db + bp.b_matrix[t] * k * n;
      if (trans_b)
        gemm(true, trans_a, n, k, m, g, at, beta, out);
      else
        gemm(!trans_a, false, k, n, m, at, g, beta, out);
    });
  }
}

Variable batched_matmul(const Variable& a, const Variable& b, const BatchedProduct& bp,
                        bool trans_a, bool trans_b) {
  const std::int64_t m = bp.p.m, k = bp.p.k, n = bp.p.n;
  Shape shape = bp.batch;
  shape.push_back(m);
  shape.push_back(n);
  Variable y = Variable::result(shape, {a, b}, "matmul");
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* av = a.value().data<T>();
    const T* bv = b.value().data<T>();
    T* yv = y.value().data<T>();
    for_each_product(bp.products, m * n * k, [&](std::int64_t t) {
      gemm(trans_a, trans_b, m, n, k, av + bp.a_matrix[t] * m * k, bv + bp.b_matrix[t] * k * n,
           T{0}, yv + t * m * n);
    });
  });
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32)
    y.set_backward([bp, trans_a, trans_b](Node& self) {
      batched_matmul_backward(self, bp, trans_a, trans_b);
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
    if (b.shape().size() == 2 && !trans_a && bp.p.k > 0) {
      // A stack of matrices times one matrix is one product of the stacked rows.
      const Variable rows = reshape(a, {shape_size(a.shape()) / bp.p.k, bp.p.k});
      Shape shape = a.shape();
      shape.back() = bp.p.n;
      return reshape(matmul(rows, b, false, trans_b), shape);
    }
    return batched_matmul(a, b, bp, trans_a, trans_b);
  }
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
