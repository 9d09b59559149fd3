#include <vector>

#include "core/backend/reference/broadcast_offset.h"
#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::broadcast_offset;
using reference::store;

class ReferenceIndex final : public IndexKernels {
 public:
  void index_select(const Tensor& x, std::span<const std::int64_t> index, const IndexedAxis& axis,
                    Tensor& y) const override {
    reference::count_kernel_call();
    const auto picks = static_cast<std::int64_t>(index.size());
    std::vector<double> out(y.size());
    for (std::int64_t o = 0; o < axis.outer; ++o)
      for (std::int64_t i = 0; i < picks; ++i)
        for (std::int64_t j = 0; j < axis.inner; ++j)
          out[(o * picks + i) * axis.inner + j] =
              x.at((o * axis.size + index[static_cast<std::size_t>(i)]) * axis.inner + j);
    store(y, out);
  }

  void scatter_add(const Tensor& source, std::span<const std::int64_t> index,
                   const IndexedAxis& axis, Tensor& y) const override {
    reference::count_kernel_call();
    const auto picks = static_cast<std::int64_t>(index.size());
    std::vector<double> out(y.size(), 0.0);
    for (std::int64_t o = 0; o < axis.outer; ++o)
      for (std::int64_t i = 0; i < picks; ++i)
        for (std::int64_t j = 0; j < axis.inner; ++j)
          out[(o * axis.size + index[static_cast<std::size_t>(i)]) * axis.inner + j] +=
              source.at((o * picks + i) * axis.inner + j);
    store(y, out);
  }

  void where(const Tensor& condition, const Tensor& a, const Tensor& b, Tensor& y) const override {
    reference::count_kernel_call();
    const Shape& shape = y.shape();
    std::vector<double> out(y.size());
    for (std::int64_t i = 0; i < y.size(); ++i)
      out[i] = condition.at(broadcast_offset(i, shape, condition.shape())) != 0.0
                   ? a.at(broadcast_offset(i, shape, a.shape()))
                   : b.at(broadcast_offset(i, shape, b.shape()));
    store(y, out);
  }

  void lower_triangular(std::int64_t diagonal, Tensor& mask) const override {
    reference::count_kernel_call();
    const std::int64_t rows = mask.dim(0), cols = mask.dim(1);
    std::vector<double> out(mask.size());
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c)
        out[r * cols + c] = c <= r + diagonal ? 1.0 : 0.0;
    store(mask, out);
  }
};

}  // namespace

const IndexKernels& reference_index() {
  static const ReferenceIndex kernels;
  return kernels;
}

}  // namespace descent
