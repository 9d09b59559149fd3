#include "core/ops/elementwise.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/broadcast_loop.h"
#include "core/ops/unary.h"
#include "core/parallel.h"

namespace descent {
namespace {

// The fast path: b's shape is a's, a suffix of a's, or a single value, so b repeats along a's
// leading rows and the result has a's shape.
bool repeats_along_rows(const Shape& a, const Shape& b) {
  const bool single = shape_size(b) == 1 && b.size() <= 1;
  const bool suffix = b.size() <= a.size() && std::equal(b.rbegin(), b.rend(), a.rbegin());
  return single || suffix;
}

// Calls f(i, j) for every element i of a (`size` values) with j = i mod n its element of b.
template <class F>
void for_each_broadcast(std::int64_t size, std::int64_t n, F f) {
  if (n == 1) {
    parallel_for(size, size, [&](std::int64_t i) { f(i, std::int64_t{0}); });
    return;
  }
  // Blocks of consecutive elements, so the inner loop is contiguous in both a and b.
  constexpr std::int64_t kBlock = 4096;
  const std::int64_t blocks = (size + kBlock - 1) / kBlock;
  parallel_for(blocks, size, [&](std::int64_t block) {
    std::int64_t i = block * kBlock, j = i % n;
    const std::int64_t end = std::min(size, i + kBlock);
    while (i < end) {
      const std::int64_t len = std::min(end - i, n - j);
      for (std::int64_t k = 0; k < len; ++k)
        f(i + k, j + k);
      i += len;
      j = 0;
    }
  });
}

// db[j] (=, or += when accumulating) Σ_rows term(i, j) over the elements i of a that use b[j].
// Each sum runs in a fixed order, whatever the thread count, so results are reproducible.
template <class Term>
void reduce_into_b(std::int64_t size, std::int64_t n, Term term, Tensor& db, bool accumulate) {
  float* out = db.data();
  if (n == size) {
    parallel_for(size, size,
                 [&](std::int64_t i) { out[i] = accumulate ? out[i] + term(i, i) : term(i, i); });
    return;
  }
  const std::int64_t rows = size / n;
  constexpr std::int64_t kColumns = 256;
  if (n >= kColumns) {
    // Wide b: threads take column blocks and walk all rows.
    const std::int64_t blocks = (n + kColumns - 1) / kColumns;
    parallel_for(blocks, size, [&](std::int64_t block) {
      const std::int64_t j0 = block * kColumns, len = std::min(kColumns, n - j0);
      float acc[kColumns] = {};
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t k = 0; k < len; ++k)
          acc[k] += term(r * n + j0 + k, j0 + k);
      for (std::int64_t k = 0; k < len; ++k)
        out[j0 + k] = accumulate ? out[j0 + k] + acc[k] : acc[k];
    });
    return;
  }
  // Narrow b (a bias, a single value): partial sums over fixed groups of rows, then the groups.
  const std::int64_t group_rows = std::max<std::int64_t>(1, 4096 / n);
  const std::int64_t groups = (rows + group_rows - 1) / group_rows;
  Tensor partial({groups, n});
  float* p = partial.data();
  parallel_for(groups, size, [&](std::int64_t g) {
    float* acc = p + g * n;
    std::fill_n(acc, n, 0.0f);
    const std::int64_t end = std::min(rows, (g + 1) * group_rows);
    for (std::int64_t r = g * group_rows; r < end; ++r)
      for (std::int64_t j = 0; j < n; ++j)
        acc[j] += term(r * n + j, j);
  });
  for (std::int64_t j = 0; j < n; ++j) {
    float total = 0.0f;
    for (std::int64_t g = 0; g < groups; ++g)
      total += p[g * n + j];
    out[j] = accumulate ? out[j] + total : total;
  }
}

// out[i] (=, or += when accumulating) value(i, j), visiting a's elements.
template <class Value>
void write_into_a(std::int64_t size, std::int64_t n, Value value, Tensor& da, bool accumulate) {
  float* out = da.data();
  if (accumulate)
    for_each_broadcast(size, n, [&](std::int64_t i, std::int64_t j) { out[i] += value(i, j); });
  else
    for_each_broadcast(size, n, [&](std::int64_t i, std::int64_t j) { out[i] = value(i, j); });
}

enum class Arith { kAdd, kSub, kMul, kDiv };

template <Arith kOp>
void binary_backward(Node& self) {
  Node& a = *self.inputs[0];
  Node& b = *self.inputs[1];
  const std::int64_t size = self.value.size(), n = b.value.size();
  const float* dy = self.grad.data();
  const float* av = a.value.data();
  const float* bv = b.value.data();
  bool accumulate = false;
  if (a.requires_grad) {
    Tensor& da = a.grad_for_write(accumulate);
    write_into_a(
        size, n,
        [=](std::int64_t i, std::int64_t j) {
          if constexpr (kOp == Arith::kAdd || kOp == Arith::kSub) {
            (void)j;
            return dy[i];
          } else if constexpr (kOp == Arith::kMul) {
            return dy[i] * bv[j];
          } else {
            return dy[i] / bv[j];
          }
        },
        da, accumulate);
  }
  if (b.requires_grad) {
    Tensor& db = b.grad_for_write(accumulate);
    reduce_into_b(
        size, n,
        [=](std::int64_t i, std::int64_t j) {
          if constexpr (kOp == Arith::kAdd) {
            (void)j;
            return dy[i];
          } else if constexpr (kOp == Arith::kSub) {
            (void)j;
            return -dy[i];
          } else if constexpr (kOp == Arith::kMul) {
            (void)j;
            return dy[i] * av[i];
          } else {
            return -dy[i] * av[i] / (bv[j] * bv[j]);
          }
        },
        db, accumulate);
  }
}

// The gradients with differentiable operations, each summed over the axes its operand was
// repeated along (sum_to returns a gradient of the operand's shape as it is).
template <Arith kOp>
std::vector<Variable> binary_rule(const Variable& self, const Variable& grad) {
  const Variable a = self.input(0), b = self.input(1);
  Variable da, db;
  if (a.requires_grad()) {
    if constexpr (kOp == Arith::kAdd || kOp == Arith::kSub)
      da = sum_to(grad, a.shape());
    else if constexpr (kOp == Arith::kMul)
      da = sum_to(mul(grad, b), a.shape());
    else
      da = sum_to(div(grad, b), a.shape());
  }
  if (b.requires_grad()) {
    if constexpr (kOp == Arith::kAdd)
      db = sum_to(grad, b.shape());
    else if constexpr (kOp == Arith::kSub)
      db = mul(sum_to(grad, b.shape()), -1.0f);
    else if constexpr (kOp == Arith::kMul)
      db = sum_to(mul(grad, a), b.shape());
    else  // d(a / b)/db = −a / b²
      db = mul(sum_to(div(div(mul(grad, a), b), b), b.shape()), -1.0f);
  }
  return {da, db};
}

template <Arith kOp, class T>
T combine(T a, T b) {
  if constexpr (kOp == Arith::kAdd)
    return a + b;
  else if constexpr (kOp == Arith::kSub)
    return a - b;
  else if constexpr (kOp == Arith::kMul)
    return a * b;
  else
    return a / b;
}

// Both operands may repeat along any axes (NumPy's rule). No raw float32 backward: the rule's
// sum_to serves both dtypes.
template <Arith kOp>
Variable broadcast_binary(const Variable& a, const Variable& b, const char* op) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Variable y = Variable::result(shape, {a, b}, op);
  const detail::OperandStrides<2> strides{broadcast_strides(a.shape(), shape),
                                          broadcast_strides(b.shape(), shape)};
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* av = a.value().data<T>();
    const T* bv = b.value().data<T>();
    T* yv = y.value().data<T>();
    detail::for_each_broadcast_element(shape, strides,
                                       [=](std::int64_t i, const std::array<std::int64_t, 2>& at) {
                                         yv[i] = combine<kOp>(av[at[0]], bv[at[1]]);
                                       });
  });
  if (y.needs_grad()) y.set_grad_rule(binary_rule<kOp>);
  return y;
}

template <Arith kOp>
Variable binary(const Variable& a, const Variable& b, const char* op) {
  if (!repeats_along_rows(a.shape(), b.shape())) return broadcast_binary<kOp>(a, b, op);
  Variable y = Variable::result(a.shape(), {a, b}, op);
  const std::int64_t size = a.value().size(), n = b.value().size();
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* av = a.value().data<T>();
    const T* bv = b.value().data<T>();
    T* yv = y.value().data<T>();
    for_each_broadcast(size, n, [=](std::int64_t i, std::int64_t j) {
      if constexpr (kOp == Arith::kAdd)
        yv[i] = av[i] + bv[j];
      else if constexpr (kOp == Arith::kSub)
        yv[i] = av[i] - bv[j];
      else if constexpr (kOp == Arith::kMul)
        yv[i] = av[i] * bv[j];
      else
        yv[i] = av[i] / bv[j];
    });
  });
  if (y.needs_grad()) {
    if (y.dtype() == DType::f32) y.set_backward(binary_backward<kOp>);
    y.set_grad_rule(binary_rule<kOp>);
  }
  return y;
}

}  // namespace

Variable add(const Variable& a, const Variable& b) {
  return binary<Arith::kAdd>(a, b, "add");
}

Variable sub(const Variable& a, const Variable& b) {
  return binary<Arith::kSub>(a, b, "sub");
}

Variable mul(const Variable& a, const Variable& b) {
  return binary<Arith::kMul>(a, b, "mul");
}

Variable div(const Variable& a, const Variable& b) {
  return binary<Arith::kDiv>(a, b, "div");
}

Variable add(const Variable& a, double b) {
  return detail::unary(
      a, "add_scalar", [b](auto x) { return x + static_cast<decltype(x)>(b); },
      [](auto, auto) { return 1.0f; },
      [](const Variable&, const Variable&, const Variable& grad) { return grad; });
}

Variable mul(const Variable& a, double b) {
  return detail::unary(
      a, "mul_scalar", [b](auto x) { return x * static_cast<decltype(x)>(b); },
      [b](auto x, auto) { return static_cast<decltype(x)>(b); },
      [b](const Variable&, const Variable&, const Variable& grad) { return mul(grad, b); });
}

Variable exp(const Variable& x) {
  return detail::unary(
      x, "exp", [](auto v) { return std::exp(v); }, [](auto, auto y) { return y; },
      [](const Variable&, const Variable& y, const Variable& grad) { return mul(grad, y); });
}

Variable log(const Variable& x) {
  return detail::unary(
      x, "log", [](auto v) { return std::log(v); }, [](auto v, auto) { return 1.0f / v; },
      [](const Variable& x, const Variable&, const Variable& grad) { return div(grad, x); });
}

Variable square(const Variable& x) {
  return detail::unary(
      x, "square", [](auto v) { return v * v; }, [](auto v, auto) { return 2.0f * v; },
      [](const Variable& x, const Variable&, const Variable& grad) {
        return mul(grad, mul(x, 2.0f));
      });
}

Variable abs(const Variable& x) {
  const auto derivative = [](auto v, auto) {
    return detail::select(v > 0.0f, 1.0f, detail::select(v < 0.0f, -1.0f, 0.0f));
  };
  return detail::unary(
      x, "abs", [](auto v) { return std::abs(v); }, derivative, detail::piecewise_rule(derivative));
}

Variable clip(const Variable& x, float low, float high) {
  if (!(low <= high))
    throw InvalidArgument(fmt::format("clip: low {} is above high {}", low, high));
  const auto derivative = [low, high](auto v, auto) {
    return detail::select((v >= low) & (v <= high), 1.0f, 0.0f);
  };
  return detail::unary(
      x, "clip",
      [low, high](auto v) {
        using T = decltype(v);
        return std::clamp(v, static_cast<T>(low), static_cast<T>(high));
      },
      derivative, detail::piecewise_rule(derivative));
}

}  // namespace descent
