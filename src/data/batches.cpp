#include "data/batches.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "core/ceil_div.h"
#include "core/error.h"

namespace descent {

BatchOrder::BatchOrder(std::int64_t n, std::int64_t batch_size, bool shuffle, Rng& rng)
    : batch_size_(batch_size), shuffle_(shuffle), rng_(&rng) {
  if (n < 0) throw InvalidArgument(fmt::format("number of samples {} is negative", n));
  if (batch_size < 1)
    throw InvalidArgument(fmt::format("batch size {} is not positive", batch_size));
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0);
}

void BatchOrder::start_epoch() {
  std::iota(order_.begin(), order_.end(), 0);
  if (!shuffle_) return;
  // Fisher-Yates with Rng::below, not std::shuffle, whose draws differ between libraries.
  for (std::int64_t i = size() - 1; i > 0; --i)
    std::swap(order_[i], order_[rng_->below(static_cast<std::uint64_t>(i) + 1)]);
}

std::int64_t BatchOrder::num_batches() const {
  return ceil_div(size(), batch_size_);
}

std::span<const std::int64_t> BatchOrder::batch(std::int64_t b) const {
  if (b < 0 || b >= num_batches())
    throw InvalidArgument(fmt::format("batch {} of an epoch of {} batches", b, num_batches()));
  const std::int64_t begin = b * batch_size_;
  const std::int64_t end = begin + std::min(batch_size_, size() - begin);  // no overflow
  return std::span<const std::int64_t>(order_).subspan(begin, end - begin);
}

}  // namespace descent
