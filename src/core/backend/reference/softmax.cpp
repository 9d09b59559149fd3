#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

// Calls f(offsets) for each row along `axis`: the offsets of its values, in order.
template <class F>
void for_each_row_along(const Shape& shape, int axis, F f) {
  std::int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k)
    outer *= shape[k];
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < shape.size(); ++k)
    inner *= shape[k];
  const std::int64_t n = shape[axis];
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      std::vector<std::int64_t> offsets;
      for (std::int64_t j = 0; j < n; ++j)
        offsets.push_back((o * n + j) * inner + i);
      f(offsets);
    }
}

class ReferenceSoftmax final : public SoftmaxKernels {
 public:
  void softmax(bool log, const Tensor& x, int axis, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(x.size()));
    for_each_row_along(x.shape(), axis, [&](const std::vector<std::int64_t>& row) {
      double top = -std::numeric_limits<double>::infinity();
      for (std::int64_t i : row)
        top = std::max(top, x.at(i));
      double total = 0.0;
      for (std::int64_t i : row)
        total += std::exp(x.at(i) - top);
      for (std::int64_t i : row)
        out[i] = log ? (x.at(i) - top) - std::log(total) : std::exp(x.at(i) - top) / total;
    });
    store(y, out);
  }

  void causal_softmax(const Tensor& x, Tensor& y) const override {
    reference::count_kernel_call();
    const std::int64_t keys = x.shape().back(), queries = x.shape()[x.shape().size() - 2];
    std::vector<double> out(static_cast<std::size_t>(x.size()), 0.0);
    for (std::int64_t row = 0; row < x.size() / keys; ++row) {
      const std::int64_t first = row * keys, seen = std::min(row % queries + 1, keys);
      double top = -std::numeric_limits<double>::infinity();
      for (std::int64_t s = 0; s < seen; ++s)
        top = std::max(top, x.at(first + s));
      double total = 0.0;
      for (std::int64_t s = 0; s < seen; ++s)
        total += std::exp(x.at(first + s) - top);
      for (std::int64_t s = 0; s < seen; ++s)
        out[first + s] = std::exp(x.at(first + s) - top) / total;
    }
    store(y, out);
  }

  void softmax_grad(bool log, const Tensor& y, const Tensor& dy, int axis,
                    GradOut dx) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(y.size()));
    for_each_row_along(y.shape(), axis, [&](const std::vector<std::int64_t>& row) {
      double dot = 0.0;
      for (std::int64_t i : row)
        dot += log ? dy.at(i) : dy.at(i) * y.at(i);
      for (std::int64_t i : row)
        out[i] = log ? dy.at(i) - std::exp(y.at(i)) * dot : y.at(i) * (dy.at(i) - dot);
    });
    store(dx.tensor, out, dx.accumulate);
  }
};

}  // namespace

const SoftmaxKernels& reference_softmax() {
  static const ReferenceSoftmax kernels;
  return kernels;
}

}  // namespace descent
