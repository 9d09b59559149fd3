// The cpu index kernels: slices gathered and scattered with block copies, and where's selection
// read through broadcast strides.
#include <algorithm>
#include <array>

#include "core/backend/cpu/broadcast_loop.h"
#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/cpu/select.h"
#include "core/ops/broadcast.h"

namespace descent {
namespace {

class CpuIndex final : public IndexKernels {
 public:
  void index_select(const Tensor& x, std::span<const std::int64_t> index, const IndexedAxis& axis,
                    Tensor& y) const override {
    const std::int64_t dim = axis.size, picks = static_cast<std::int64_t>(index.size());
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      T* yv = y.data<T>();
      for (std::int64_t o = 0; o < axis.outer; ++o)
        for (std::int64_t i = 0; i < picks; ++i) {
          const T* from = xv + (o * dim + index[static_cast<std::size_t>(i)]) * axis.inner;
          std::copy_n(from, axis.inner, yv + (o * picks + i) * axis.inner);
        }
    });
  }

  void scatter_add(const Tensor& source, std::span<const std::int64_t> index,
                   const IndexedAxis& axis, Tensor& y) const override {
    const std::int64_t size = axis.size, picks = static_cast<std::int64_t>(index.size());
    y.fill(0.0);
    visit_dtype(source.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* sv = source.data<T>();
      T* yv = y.data<T>();
      for (std::int64_t o = 0; o < axis.outer; ++o)
        for (std::int64_t i = 0; i < picks; ++i) {
          const T* from = sv + (o * picks + i) * axis.inner;
          T* to = yv + (o * size + index[static_cast<std::size_t>(i)]) * axis.inner;
          for (std::int64_t j = 0; j < axis.inner; ++j)
            to[j] += from[j];
        }
    });
  }

  void where(const Tensor& condition, const Tensor& a, const Tensor& b, Tensor& y) const override {
    const Shape& shape = y.shape();
    const detail::OperandStrides<3> strides{broadcast_strides(condition.shape(), shape),
                                            broadcast_strides(a.shape(), shape),
                                            broadcast_strides(b.shape(), shape)};
    visit_dtype(y.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* yv = y.data<T>();
      const T* av = a.data<T>();
      const T* bv = b.data<T>();
      visit_dtype(condition.dtype(), [&](auto mask_zero) {
        using M = decltype(mask_zero);
        const M* cv = condition.data<M>();
        detail::for_each_broadcast_row(
            shape, strides,
            [=](std::int64_t first, const std::array<std::int64_t, 3>& at,
                const std::array<std::int64_t, 3>& step, std::int64_t cols) {
              const M* cr = cv + at[0];
              const T* ar = av + at[1];
              const T* br = bv + at[2];
              T* yr = yv + first;
              detail::with_step(step[0], [&](auto sc) {
                detail::with_step(step[1], [&](auto sa) {
                  detail::with_step(step[2], [&](auto sb) {
                    for (std::int64_t j = 0; j < cols; ++j)  // both read: a select, not a branch
                      yr[j] = cpu::select(cr[j * sc] != M{0}, ar[j * sa], br[j * sb]);
                  });
                });
              });
            });
      });
    });
  }

  void lower_triangular(std::int64_t diagonal, Tensor& mask) const override {
    const std::int64_t rows = mask.dim(0), cols = mask.dim(1);
    visit_dtype(mask.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* m = mask.data<T>();
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c)
          m[r * cols + c] = c <= r + diagonal ? T{1} : T{0};
    });
  }
};

}  // namespace

const IndexKernels& cpu_index() {
  static const CpuIndex kernels;
  return kernels;
}

}  // namespace descent
