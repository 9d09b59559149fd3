#include "core/ops/matmul.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/gemm.h"

namespace descent {
namespace {

void check_matrix_product(const Shape& a, const Shape& b, const char* op) {
  if (a.size() != 2 || b.size() != 2 || a[1] != b[0])
    throw InvalidArgument(
        fmt::format("{}: cannot multiply shapes {} and {}", op, shape_string(a), shape_string(b)));
}

// Gradients of y = a · b given dy: da += dy · bᵀ, db += aᵀ · dy.
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

}  // namespace

Variable matmul(const Variable& a, const Variable& b) {
  check_matrix_product(a.shape(), b.shape(), "matmul");
  const std::int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  Variable y = Variable::result({m, n}, {a, b}, "matmul");
  gemm(false, false, m, n, k, a.value().data(), b.value().data(), 0.0f, y.value().data());
  if (y.needs_grad())
    y.set_backward([](Node& self) { matmul_backward(self, *self.inputs[0], *self.inputs[1]); });
  return y;
}

Variable dense(const Variable& x, const Variable& w, const Variable& b) {
  check_matrix_product(x.shape(), w.shape(), "dense");
  const std::int64_t batch = x.shape()[0], in = x.shape()[1], out = w.shape()[1];
  if (b.defined() && b.shape() != Shape{out})
    throw InvalidArgument(
        fmt::format("dense: bias of shape {} for {} units", shape_string(b.shape()), out));
  Variable y = Variable::result({batch, out}, {x, w, b}, "dense");
  float* yv = y.value().data();
  float beta = 0.0f;
  if (b.defined()) {
    const float* bv = b.value().data();
    for (std::int64_t r = 0; r < batch; ++r)
      for (std::int64_t j = 0; j < out; ++j)
        yv[r * out + j] = bv[j];
    beta = 1.0f;
  }
  gemm(false, false, batch, out, in, x.value().data(), w.value().data(), beta, yv);
  if (y.needs_grad()) {
    y.set_backward([](Node& self) {
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
    });
  }
  return y;
}

}  // namespace descent
