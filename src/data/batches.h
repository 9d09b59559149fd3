// BatchOrder: the order in which an epoch visits the samples, cut into mini-batches.
// As in Keras's fit(shuffle=True), the order is redrawn at the start of every epoch and the
// last, partial batch is kept. The permutation is one vector, allocated once and reused; each
// epoch starts it again from 0..n-1 before shuffling (Fisher-Yates), so an epoch's order
// depends only on the state of the random stream, which a checkpoint can save.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/random.h"

namespace descent {

class BatchOrder {
 public:
  // n samples in batches of batch_size. `rng` is kept by reference and must outlive this
  // object; it is used only when shuffle is true. Throws InvalidArgument when n < 0 or
  // batch_size < 1. The order is 0..n-1 until the first start_epoch().
  BatchOrder(std::int64_t n, std::int64_t batch_size, bool shuffle, Rng& rng);

  // Draws this epoch's order (a fresh permutation when shuffling; otherwise 0..n-1).
  void start_epoch();

  std::int64_t size() const { return static_cast<std::int64_t>(order_.size()); }
  std::int64_t batch_size() const { return batch_size_; }
  // ceil(n / batch_size); the last batch holds the remainder.
  std::int64_t num_batches() const;
  // The sample indices of batch b, 0 <= b < num_batches().
  std::span<const std::int64_t> batch(std::int64_t b) const;
  // The whole epoch's order.
  std::span<const std::int64_t> order() const { return order_; }

 private:
  std::vector<std::int64_t> order_;
  std::int64_t batch_size_;
  bool shuffle_;
  Rng* rng_;
};

}  // namespace descent
