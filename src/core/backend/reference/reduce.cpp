#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/backend/reference/broadcast_offset.h"
#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::broadcast_offset;
using reference::store;

// The input offsets that reduce into each result value: x's offset i goes to the result whose
// index is i with the reduced axes dropped, which is where i broadcasts from in r.kept.
std::vector<std::vector<std::int64_t>> groups_of(const Tensor& x, const Reduction& r) {
  std::vector<std::vector<std::int64_t>> groups(static_cast<std::size_t>(shape_size(r.kept)));
  for (std::int64_t i = 0; i < x.size(); ++i)
    groups[broadcast_offset(i, x.shape(), r.kept)].push_back(i);
  return groups;
}

double reduce_values(const ReduceFunction& f, const std::vector<double>& v) {
  const auto n = static_cast<double>(v.size());
  double sum = 0.0;
  for (double value : v)
    sum += value;
  switch (f.op) {
    case ReduceOp::sum:
      return sum;
    case ReduceOp::mean:
      return sum / n;
    case ReduceOp::max:
    case ReduceOp::min: {
      double best = v[0];
      for (double value : v) {
        if (std::isnan(value)) return value;
        best = f.op == ReduceOp::max ? std::max(best, value) : std::min(best, value);
      }
      return best;
    }
    case ReduceOp::variance: {
      double squares = 0.0;
      for (double value : v)
        squares += (value - sum / n) * (value - sum / n);
      return squares / (n - static_cast<double>(f.correction));
    }
    case ReduceOp::logsumexp: {
      double top = -std::numeric_limits<double>::infinity();
      for (double value : v)
        top = std::max(top, value);
      const double shift = std::isfinite(top) ? top : 0.0;
      double exps = 0.0;
      for (double value : v)
        exps += std::exp(value - shift);
      return shift + std::log(exps);
    }
  }
  return sum;
}

class ReferenceReduce final : public ReduceKernels {
 public:
  void sum_all(const Tensor& x, std::int64_t divisor, Tensor& y) const override {
    reference::count_kernel_call();
    double sum = 0.0;
    for (std::int64_t i = 0; i < x.size(); ++i)
      sum += x.at(i);
    store(y, {sum / static_cast<double>(divisor)});
  }

  void sum_all_grad(const Tensor& dy, std::int64_t divisor, GradOut dx) const override {
    reference::count_kernel_call();
    const std::vector<double> out(static_cast<std::size_t>(dx.tensor.size()),
                                  dy.at(0) / static_cast<double>(divisor));
    store(dx.tensor, out, dx.accumulate);
  }

  void reduce(const ReduceFunction& f, const Tensor& x, const Reduction& r,
              Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out;
    for (const std::vector<std::int64_t>& group : groups_of(x, r)) {
      std::vector<double> values;
      for (std::int64_t i : group)
        values.push_back(x.at(i));
      out.push_back(reduce_values(f, values));
    }
    store(y, out);
  }

  void tie_shares(const Tensor& x, const Tensor& y, const Reduction& r,
                  Tensor& share) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(x.size()), 0.0);
    const std::vector<std::vector<std::int64_t>> groups = groups_of(x, r);
    for (std::size_t o = 0; o < groups.size(); ++o) {
      double ties = 0;
      for (std::int64_t i : groups[o])
        ties += x.at(i) == y.at(static_cast<std::int64_t>(o)) ? 1 : 0;
      for (std::int64_t i : groups[o])
        if (x.at(i) == y.at(static_cast<std::int64_t>(o))) out[i] = 1.0 / ties;
    }
    store(share, out);
  }

  void broadcast_to(const Tensor& x, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(y.size()));
    for (std::int64_t i = 0; i < y.size(); ++i)
      out[i] = x.at(broadcast_offset(i, y.shape(), x.shape()));
    store(y, out);
  }

  void sum_to(const Tensor& x, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(y.size()), 0.0);
    for (std::int64_t i = 0; i < x.size(); ++i)
      out[broadcast_offset(i, x.shape(), y.shape())] += x.at(i);
    store(y, out);
  }
};

}  // namespace

const ReduceKernels& reference_reduce() {
  static const ReferenceReduce kernels;
  return kernels;
}

}  // namespace descent
