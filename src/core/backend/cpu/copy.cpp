// The cpu copy kernels: block copies, and dropout's mask drawn serially and applied in parallel.
#include <algorithm>

#include "core/backend/cpu/cpu_backend.h"
#include "core/parallel.h"

namespace descent {
namespace {

class CpuCopy final : public CopyKernels {
 public:
  void copy_rows(const Tensor& from, Rows from_rows, Tensor& to, Rows to_rows, std::int64_t rows,
                 std::int64_t count) const override {
    visit_dtype(from.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* source = from.data<T>() + from_rows.offset;
      T* target = to.data<T>() + to_rows.offset;
      for (std::int64_t o = 0; o < rows; ++o)
        std::copy_n(source + o * from_rows.stride, count, target + o * to_rows.stride);
    });
  }

  // In parallel over the first axis, each slab walked by for_each_strided.
  void gather(const Tensor& view, GradOut out) const override {
    const std::int64_t n = view.size();
    if (n == 0) return;
    const Shape& shape = view.shape();
    const Strides strides = view.strides();
    const std::int64_t rows = shape.empty() ? 1 : shape[0];
    const std::int64_t row_stride = shape.empty() ? 0 : strides[0];
    const Shape row_shape(shape.begin() + (shape.empty() ? 0 : 1), shape.end());
    const Strides row_strides(strides.begin() + (strides.empty() ? 0 : 1), strides.end());
    visit_dtype(view.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* source = view.strided_data<T>();
      write_grad<T>(out, [&](auto store) {
        parallel_for(rows, n, [&](std::int64_t r) {
          const T* from = source + r * row_stride;
          const std::int64_t to = r * (n / rows);
          for_each_strided(row_shape, row_strides,
                           [&](std::int64_t i, std::int64_t o) { store(to + i, from[o]); });
        });
      });
    });
  }

  void dropout_mask(Rng& rng, float rate, float scale, Tensor& mask) const override {
    const std::int64_t n = mask.size();
    for (std::int64_t i = 0; i < n; ++i)
      mask[i] = rng.uniform() < rate ? 0.0f : scale;
  }

  void apply_mask(const Tensor& x, const Tensor& mask, Tensor& y) const override {
    const std::int64_t n = x.size();
    const float* xv = x.data();
    const float* m = mask.data();
    float* yv = y.data();
    parallel_for(n, n, [=](std::int64_t i) { yv[i] = xv[i] * m[i]; });
  }

  void apply_mask_grad(const Tensor& dy, const Tensor& mask, GradOut dx) const override {
    const std::int64_t size = mask.size();
    const float* g = dy.data();
    const float* m = mask.data();
    write_grad<float>(dx, [&](auto store) {
      parallel_for(size, size, [=](std::int64_t i) { store(i, g[i] * m[i]); });
    });
  }
};

}  // namespace

const CopyKernels& cpu_copy() {
  static const CpuCopy kernels;
  return kernels;
}

}  // namespace descent
