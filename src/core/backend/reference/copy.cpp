#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

class ReferenceCopy final : public CopyKernels {
 public:
  void copy_rows(const Tensor& from, Rows from_rows, Tensor& to, Rows to_rows, std::int64_t rows,
                 std::int64_t count) const override {
    reference::count_kernel_call();
    // Element by element: the rest of `to` may not be written yet.
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t j = 0; j < count; ++j) {
        const std::int64_t i = to_rows.offset + r * to_rows.stride + j;
        const double v = from.at(from_rows.offset + r * from_rows.stride + j);
        if (to.dtype() == DType::f32)
          to.data<float>()[i] = static_cast<float>(v);
        else
          to.data<double>()[i] = v;
      }
  }

  void gather(const Tensor& view, GradOut out) const override {
    reference::count_kernel_call();
    std::vector<double> values(view.size());
    for (std::int64_t i = 0; i < view.size(); ++i)
      values[i] = view.at(i);  // Tensor::at follows the strides
    store(out.tensor, values, out.accumulate);
  }

  void dropout_mask(Rng& rng, float rate, float scale, Tensor& mask) const override {
    reference::count_kernel_call();
    std::vector<double> out(mask.size());
    for (std::int64_t i = 0; i < mask.size(); ++i)
      out[i] = rng.uniform() < rate ? 0.0 : scale;
    store(mask, out);
  }

  void apply_mask(const Tensor& x, const Tensor& mask, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(x.size());
    for (std::int64_t i = 0; i < x.size(); ++i)
      out[i] = x.at(i) * mask.at(i);
    store(y, out);
  }

  void apply_mask_grad(const Tensor& dy, const Tensor& mask, GradOut dx) const override {
    reference::count_kernel_call();
    std::vector<double> out(dy.size());
    for (std::int64_t i = 0; i < dy.size(); ++i)
      out[i] = dy.at(i) * mask.at(i);
    store(dx.tensor, out, dx.accumulate);
  }
};

}  // namespace

const CopyKernels& reference_copy() {
  static const ReferenceCopy kernels;
  return kernels;
}

}  // namespace descent
