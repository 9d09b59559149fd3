// The cpu reduction kernels. Sums run in double in a fixed order, so results do not depend on the
// thread count.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/backend/cpu/cpu_backend.h"
#include "core/ops/broadcast.h"
#include "core/parallel.h"

namespace descent {
namespace {

// Calls f(o, first) for each result value o, `first` the offset of its first input value (add
// r.reduced_offsets for the others). Result values are split across threads; each is one call.
template <class F>
void for_each_reduced(const Reduction& r, F f) {
  const std::int64_t results = shape_size(r.kept);
  parallel_for(results, results * r.count, [&](std::int64_t o) {
    std::int64_t first = 0, rest = o;
    for (std::size_t k = r.kept_dims.size(); k-- > 0;) {
      first += (rest % r.kept_dims[k]) * r.kept_strides[k];
      rest /= r.kept_dims[k];
    }
    f(o, first);
  });
}

// Calls f(i, j) for every element i of a tensor of shape `big`, j the element of the tensor of
// shape `small` (which broadcasts to `big`) that it repeats. Row-major, in order.
template <class F>
void for_each_broadcast_pair(const Shape& big, const Shape& small, F f) {
  const std::size_t rank = big.size();
  const std::vector<std::int64_t> stride = broadcast_strides(small, big);
  const std::int64_t total = shape_size(big);
  if (total == 0) return;
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t j = 0;
  for (std::int64_t i = 0; i < total; ++i) {
    f(i, j);
    for (std::size_t axis = rank; axis-- > 0;) {  // odometer: the last axis moves fastest
      j += stride[axis];
      if (++index[axis] < big[axis]) break;
      j -= stride[axis] * big[axis];
      index[axis] = 0;
    }
  }
}

// Sum of the `count` values v[at[i]], in double.
template <class T>
double total_at(const T* v, const std::int64_t* at, std::int64_t count) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < count; ++i)
    sum += v[at[i]];
  return sum;
}

// y[o] = reduce(first, r.reduced_offsets, r.count), first pointing at o's first input value.
template <class Reduce>
void reduce_each(const Tensor& x, const Reduction& r, Tensor& y, Reduce reduce) {
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.data<T>();
    T* yv = y.data<T>();
    for_each_reduced(r, [&](std::int64_t o, std::int64_t first) {
      yv[o] = static_cast<T>(reduce(xv + first, r.reduced_offsets.data(), r.count));
    });
  });
}

template <bool kMax>
void reduce_extreme(const Tensor& x, const Reduction& r, Tensor& y) {
  reduce_each(x, r, y, [](const auto* v, const std::int64_t* at, std::int64_t n) {
    auto best = v[at[0]];
    for (std::int64_t i = 1; i < n && !std::isnan(best); ++i) {
      const auto value = v[at[i]];
      if (kMax ? !(value <= best) : !(value >= best)) best = value;  // a NaN replaces best
    }
    return best;
  });
}

class CpuReduce final : public ReduceKernels {
 public:
  void sum_all(const Tensor& x, std::int64_t divisor, Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* v = x.data<T>();
      double total = 0.0;
      for (std::int64_t i = 0; i < x.size(); ++i)
        total += v[i];
      // float32 scales by the float 1/divisor, as training always has.
      const T scale = T{1} / static_cast<T>(divisor);
      y.data<T>()[0] = static_cast<T>(total * scale);
    });
  }

  void sum_all_grad(const Tensor& dy, std::int64_t divisor, GradOut dx) const override {
    visit_dtype(dy.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T g = dy.data<T>()[0] * (T{1} / static_cast<T>(divisor));
      const std::int64_t n = dx.tensor.size();
      write_grad<T>(dx, [&](auto store) {
        for (std::int64_t i = 0; i < n; ++i)
          store(i, g);
      });
    });
  }

  void reduce(const ReduceFunction& f, const Tensor& x, const Reduction& r,
              Tensor& y) const override {
    switch (f.op) {
      case ReduceOp::sum:
        return reduce_each(x, r, y, [](const auto* v, const std::int64_t* at, std::int64_t n) {
          return total_at(v, at, n);
        });
      case ReduceOp::mean: {
        const double n = static_cast<double>(r.count);
        return reduce_each(x, r, y, [n](const auto* v, const std::int64_t* at, std::int64_t count) {
          return total_at(v, at, count) / n;
        });
      }
      case ReduceOp::max:
        return reduce_extreme<true>(x, r, y);
      case ReduceOp::min:
        return reduce_extreme<false>(x, r, y);
      case ReduceOp::variance: {
        const std::int64_t divisor = r.count - f.correction;
        return reduce_each(x, r, y,
                           [divisor](const auto* v, const std::int64_t* at, std::int64_t n) {
                             const double mean = total_at(v, at, n) / static_cast<double>(n);
                             double squares = 0.0;
                             for (std::int64_t i = 0; i < n; ++i) {
                               const double d = v[at[i]] - mean;
                               squares += d * d;
                             }
                             return squares / static_cast<double>(divisor);
                           });
      }
      case ReduceOp::logsumexp:
        return reduce_each(x, r, y, [](const auto* v, const std::int64_t* at, std::int64_t n) {
          using T = std::remove_cvref_t<decltype(*v)>;
          T top = -std::numeric_limits<T>::infinity();
          for (std::int64_t i = 0; i < n; ++i)
            top = std::max(top, v[at[i]]);
          // All -inf (or an inf): shifting by it would give inf - inf.
          const T shift = std::isfinite(top) ? top : T{0};
          T sum = 0;
          for (std::int64_t i = 0; i < n; ++i)
            sum += std::exp(v[at[i]] - shift);
          return shift + std::log(sum);
        });
    }
  }

  void tie_shares(const Tensor& x, const Tensor& y, const Reduction& r,
                  Tensor& share) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* yv = y.data<T>();
      T* sv = share.data<T>();
      for_each_reduced(r, [&](std::int64_t o, std::int64_t first) {
        std::int64_t ties = 0;
        for (std::int64_t off : r.reduced_offsets)
          ties += xv[first + off] == yv[o];
        for (std::int64_t off : r.reduced_offsets)
          if (xv[first + off] == yv[o]) sv[first + off] = T{1} / static_cast<T>(ties);
      });
    });
  }

  void broadcast_to(const Tensor& x, Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for_each_broadcast_pair(y.shape(), x.shape(),
                              [&](std::int64_t i, std::int64_t j) { out[i] = in[j]; });
    });
  }

  void sum_to(const Tensor& x, Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<double> total(static_cast<std::size_t>(y.size()), 0.0);
      const T* in = x.data<T>();
      for_each_broadcast_pair(x.shape(), y.shape(), [&](std::int64_t i, std::int64_t j) {
        total[static_cast<std::size_t>(j)] += in[i];
      });
      T* out = y.data<T>();
      for (std::size_t j = 0; j < total.size(); ++j)
        out[j] = static_cast<T>(total[j]);
    });
  }
};

}  // namespace

const ReduceKernels& cpu_reduce() {
  static const CpuReduce kernels;
  return kernels;
}

}  // namespace descent
