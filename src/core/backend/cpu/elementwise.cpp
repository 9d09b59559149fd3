// The cpu element-wise kernels: OpenMP loops (above kParallelGrain) whose functions are template
// arguments, so each compiles to a plain loop with no per-element indirect call. Sums run in a
// fixed order whatever the thread count, so results are reproducible.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "core/backend/cpu/broadcast_loop.h"
#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/cpu/fast_math.h"
#include "core/backend/cpu/select.h"
#include "core/ops/broadcast.h"
#include "core/parallel.h"

namespace descent {
namespace {

using cpu::select;

template <class T>
T combine(BinaryOp op, T a, T b) {
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

// Calls body(op) with op a compile-time BinaryOp, so the loop inside has no switch per element.
template <class Body>
void with_binary(BinaryOp op, Body body) {
  switch (op) {
    case BinaryOp::add:
      return body(std::integral_constant<BinaryOp, BinaryOp::add>{});
    case BinaryOp::sub:
      return body(std::integral_constant<BinaryOp, BinaryOp::sub>{});
    case BinaryOp::mul:
      return body(std::integral_constant<BinaryOp, BinaryOp::mul>{});
    case BinaryOp::div:
      return body(std::integral_constant<BinaryOp, BinaryOp::div>{});
  }
}

// Calls f(i, j) for every element i of a (`size` values) with j = i mod n its element of b.
template <class F>
void for_each_row_element(std::int64_t size, std::int64_t n, F f) {
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

// store(j, Σ_rows term(i, j)) over the elements i of a that use b[j].
template <class T, class Term, class Store>
void sum_over_rows(std::int64_t size, std::int64_t n, Term term, Store store) {
  if (n == size) {
    parallel_for(size, size, [&](std::int64_t i) { store(i, term(i, i)); });
    return;
  }
  const std::int64_t rows = size / n;
  constexpr std::int64_t kColumns = 256;
  if (n >= kColumns) {
    // Wide b: threads take column blocks and walk all rows.
    const std::int64_t blocks = (n + kColumns - 1) / kColumns;
    parallel_for(blocks, size, [&](std::int64_t block) {
      const std::int64_t j0 = block * kColumns, len = std::min(kColumns, n - j0);
      T acc[kColumns] = {};
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t k = 0; k < len; ++k)
          acc[k] += term(r * n + j0 + k, j0 + k);
      for (std::int64_t k = 0; k < len; ++k)
        store(j0 + k, acc[k]);
    });
    return;
  }
  // Narrow b (a bias, a single value): partial sums over fixed groups of rows, then the groups.
  const std::int64_t group_rows = std::max<std::int64_t>(1, 4096 / n);
  const std::int64_t groups = (rows + group_rows - 1) / group_rows;
  Tensor partial({groups, n},
                 dtype_of<T>());  // from the pool: a steady-state step allocates nothing
  T* p = partial.data<T>();
  parallel_for(groups, size, [&](std::int64_t g) {
    T* acc = p + g * n;
    std::fill_n(acc, n, T{0});
    const std::int64_t end = std::min(rows, (g + 1) * group_rows);
    for (std::int64_t r = g * group_rows; r < end; ++r)
      for (std::int64_t j = 0; j < n; ++j)
        acc[j] += term(r * n + j, j);
  });
  for (std::int64_t j = 0; j < n; ++j) {
    T total = 0;
    for (std::int64_t g = 0; g < groups; ++g)
      total += p[g * n + j];
    store(j, total);
  }
}

// Calls body(forward, derivative) with the function's forward f(x) and derivative f'(x, y) as
// lambdas (the parameters captured in the type float32 training has always used).
template <class Body>
void with_unary(const UnaryFunction& f, Body body) {
  const double a = f.a;
  const float fa = static_cast<float>(f.a), fb = static_cast<float>(f.b);
  switch (f.op) {
    case UnaryOp::add_scalar:
      return body([a](auto x) { return x + static_cast<decltype(x)>(a); },
                  [](auto, auto) { return 1.0f; });
    case UnaryOp::mul_scalar:
      return body([a](auto x) { return x * static_cast<decltype(x)>(a); },
                  [a](auto x, auto) { return static_cast<decltype(x)>(a); });
    case UnaryOp::exp:
      return body([](auto v) { return cpu::exp(v); }, [](auto, auto y) { return y; });
    case UnaryOp::log:
      return body([](auto v) { return std::log(v); }, [](auto v, auto) { return 1.0f / v; });
    case UnaryOp::square:
      return body([](auto v) { return v * v; }, [](auto v, auto) { return 2.0f * v; });
    case UnaryOp::abs:
      return body(
          [](auto v) { return std::abs(v); },
          [](auto v, auto) { return select(v > 0.0f, 1.0f, select(v < 0.0f, -1.0f, 0.0f)); });
    case UnaryOp::clip:
      return body(
          [fa, fb](auto v) {
            using T = decltype(v);
            return std::clamp(v, static_cast<T>(fa), static_cast<T>(fb));
          },
          [fa, fb](auto v, auto) { return select((v >= fa) & (v <= fb), 1.0f, 0.0f); });
    case UnaryOp::relu:
      return body([](auto v) { return v > 0.0f ? v : decltype(v){0}; },
                  [](auto v, auto) { return select(v > 0.0f, 1.0f, 0.0f); });
    case UnaryOp::leaky_relu:
      return body([fa](auto v) { return v * select(v > 0.0f, 1.0f, fa); },
                  [fa](auto v, auto) { return select(v > 0.0f, 1.0f, fa); });
    case UnaryOp::sigmoid:
      // e = exp(-|x|) never overflows: σ(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below.
      return body(
          [](auto v) {
            const auto e = cpu::exp(-std::abs(v));
            return select(v >= 0.0f, decltype(v){1}, e) / (1.0f + e);
          },
          [](auto, auto y) { return y * (1.0f - y); });
    case UnaryOp::tanh:
      return body([](auto v) { return std::tanh(v); }, [](auto, auto y) { return 1.0f - y * y; });
    case UnaryOp::softplus:
      // log(1 + eˣ) = max(x, 0) + log1p(e^-|x|): no overflow, and exact in the tails.
      return body(
          [](auto v) {
            return (v > 0.0f ? v : decltype(v){0}) + std::log1p(cpu::exp(-std::abs(v)));
          },
          [](auto v, auto) {
            const auto e = cpu::exp(-std::abs(v));
            return select(v >= 0.0f, decltype(v){1}, e) / (1.0f + e);
          });
    case UnaryOp::erf:
      return body([](auto v) { return std::erf(v); },
                  [](auto v, auto) {
                    using T = decltype(v);
                    return T{2} / std::sqrt(std::numbers::pi_v<T>) * cpu::exp(-v * v);
                  });
    case UnaryOp::gelu:
      // Φ(x) = erfc(-x/√2) / 2 keeps its relative precision in the left tail, where 1 + erf loses
      // it.
      return body(
          [](auto v) {
            using T = decltype(v);
            return T{0.5} * v * cpu::erfc(-v / std::numbers::sqrt2_v<T>);
          },
          [](auto v, auto) {
            using T = decltype(v);
            const T pdf = cpu::exp(T{-0.5} * v * v) / std::sqrt(T{2} * std::numbers::pi_v<T>);
            return T{0.5} * cpu::erfc(-v / std::numbers::sqrt2_v<T>) + v * pdf;
          });
    case UnaryOp::gelu_tanh:
      return body(
          [](auto v) {
            using T = decltype(v);
            const T k = std::sqrt(T{2} / std::numbers::pi_v<T>);
            return T{0.5} * v * (T{1} + std::tanh(k * (v + T{0.044715} * v * v * v)));
          },
          [](auto v, auto) {
            using T = decltype(v);
            const T k = std::sqrt(T{2} / std::numbers::pi_v<T>);
            const T t = std::tanh(k * (v + T{0.044715} * v * v * v));
            return T{0.5} * (T{1} + t) +
                   T{0.5} * v * (T{1} - t * t) * k * (T{1} + T{3 * 0.044715} * v * v);
          });
    case UnaryOp::silu:
      return body(
          [](auto v) {
            using T = decltype(v);
            const T e = cpu::exp(-std::abs(v));
            return v * select(v >= T{0}, T{1}, e) / (T{1} + e);
          },
          [](auto v, auto) {
            using T = decltype(v);
            const T e = cpu::exp(-std::abs(v));
            const T s = select(v >= T{0}, T{1}, e) / (T{1} + e);
            return s * (T{1} + v * (T{1} - s));
          });
  }
}

class CpuElementwise final : public ElementwiseKernels {
 public:
  void binary_rows(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) const override {
    visit_dtype(y.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* av = a.data<T>();
      const T* bv = b.data<T>();
      T* yv = y.data<T>();
      with_binary(op, [&](auto kOp) {
        for_each_row_element(a.size(), b.size(), [=](std::int64_t i, std::int64_t j) {
          yv[i] = combine(kOp(), av[i], bv[j]);
        });
      });
    });
  }

  void binary_broadcast(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) const override {
    const detail::OperandStrides<2> strides{broadcast_strides(a.shape(), y.shape()),
                                            broadcast_strides(b.shape(), y.shape())};
    visit_dtype(y.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* av = a.data<T>();
      const T* bv = b.data<T>();
      T* yv = y.data<T>();
      with_binary(op, [&](auto kOp) {
        detail::for_each_broadcast_row(
            y.shape(), strides,
            [=](std::int64_t first, const std::array<std::int64_t, 2>& at,
                const std::array<std::int64_t, 2>& step, std::int64_t cols) {
              const T* ar = av + at[0];
              const T* br = bv + at[1];
              T* yr = yv + first;
              detail::with_step(step[0], [&](auto sa) {
                detail::with_step(step[1], [&](auto sb) {
                  for (std::int64_t j = 0; j < cols; ++j)
                    yr[j] = combine(kOp(), ar[j * sa], br[j * sb]);
                });
              });
            });
      });
    });
  }

  void binary_rows_grad_a(BinaryOp op, const Tensor& dy, const Tensor& b,
                          GradOut da) const override {
    visit_dtype(dy.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g = dy.data<T>();
      const T* bv = b.data<T>();
      write_grad<T>(da, [&](auto store) {
        with_binary(op, [&](auto kOp) {
          for_each_row_element(dy.size(), b.size(), [=](std::int64_t i, std::int64_t j) {
            if constexpr (kOp() == BinaryOp::add || kOp() == BinaryOp::sub) {
              (void)j;
              store(i, g[i]);
            } else if constexpr (kOp() == BinaryOp::mul) {
              store(i, g[i] * bv[j]);
            } else {
              store(i, g[i] / bv[j]);
            }
          });
        });
      });
    });
  }

  void binary_rows_grad_b(BinaryOp op, const Tensor& dy, const Tensor& a, const Tensor& b,
                          GradOut db) const override {
    visit_dtype(dy.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g = dy.data<T>();
      const T* av = a.data<T>();
      const T* bv = b.data<T>();
      write_grad<T>(db, [&](auto store) {
        with_binary(op, [&](auto kOp) {
          sum_over_rows<T>(
              dy.size(), b.size(),
              [=](std::int64_t i, std::int64_t j) {
                if constexpr (kOp() == BinaryOp::add) {
                  (void)j;
                  return g[i];
                } else if constexpr (kOp() == BinaryOp::sub) {
                  (void)j;
                  return -g[i];
                } else if constexpr (kOp() == BinaryOp::mul) {
                  (void)j;
                  return g[i] * av[i];
                } else {
                  return -g[i] * av[i] / (bv[j] * bv[j]);
                }
              },
              store);
        });
      });
    });
  }

  void accumulate(const Tensor& value, GradOut out) const override {
    visit_dtype(value.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* v = value.data<T>();
      const std::int64_t n = value.size();
      write_grad<T>(
          out, [&](auto store) { parallel_for(n, n, [=](std::int64_t i) { store(i, v[i]); }); });
    });
  }

  void unary(const UnaryFunction& f, const Tensor& x, Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      T* yv = y.data<T>();
      const std::int64_t n = x.size();
      with_unary(f, [&](auto forward, auto) {
        parallel_for(n, n, [=](std::int64_t i) { yv[i] = forward(xv[i]); });
      });
    });
  }

  void unary_derivative(const UnaryFunction& f, const Tensor& x, const Tensor& y,
                        Tensor& d) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* yv = y.data<T>();
      T* dv = d.data<T>();
      const std::int64_t n = x.size();
      with_unary(f, [&](auto, auto derivative) {
        parallel_for(n, n,
                     [=](std::int64_t i) { dv[i] = static_cast<T>(derivative(xv[i], yv[i])); });
      });
    });
  }

  void unary_grad(const UnaryFunction& f, const Tensor& x, const Tensor& y, const Tensor& dy,
                  GradOut dx) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* yv = y.data<T>();
      const T* g = dy.data<T>();
      const std::int64_t n = x.size();
      write_grad<T>(dx, [&](auto store) {
        with_unary(f, [&](auto, auto derivative) {
          parallel_for(n, n, [=](std::int64_t i) {
            store(i, static_cast<T>(g[i] * derivative(xv[i], yv[i])));
          });
        });
      });
    });
  }
};

}  // namespace

const ElementwiseKernels& cpu_elementwise() {
  static const CpuElementwise kernels;
  return kernels;
}

}  // namespace descent
