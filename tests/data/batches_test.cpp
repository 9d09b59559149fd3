#include "data/batches.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

TEST(BatchOrder, KeepsTheLastPartialBatch) {
  Rng rng(1);
  BatchOrder order(10, 4, false, rng);
  order.start_epoch();
  ASSERT_EQ(order.num_batches(), 3);
  EXPECT_EQ(order.batch(0).size(), 4u);
  EXPECT_EQ(order.batch(2).size(), 2u);
  EXPECT_EQ(order.batch(2)[0], 8);
  EXPECT_EQ(order.batch(2)[1], 9);
  EXPECT_THROW(order.batch(3), InvalidArgument);
}

TEST(BatchOrder, CoversEveryIndexOncePerEpoch) {
  Rng rng(7);
  const std::int64_t n = 1003;
  BatchOrder order(n, 32, true, rng);
  std::vector<std::int64_t> previous;
  for (int epoch = 0; epoch < 3; ++epoch) {
    order.start_epoch();
    std::vector<int> seen(n, 0);
    std::vector<std::int64_t> visited;
    for (std::int64_t b = 0; b < order.num_batches(); ++b)
      for (std::int64_t i : order.batch(b)) {
        ++seen[i];
        visited.push_back(i);
      }
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
    EXPECT_FALSE(std::is_sorted(visited.begin(), visited.end()));
    EXPECT_NE(visited, previous);  // a new order every epoch
    previous = visited;
  }
}

TEST(BatchOrder, SameSeedSameOrder) {
  Rng a(42), b(42), c(43);
  BatchOrder oa(100, 10, true, a), ob(100, 10, true, b), oc(100, 10, true, c);
  for (int epoch = 0; epoch < 2; ++epoch) {
    oa.start_epoch();
    ob.start_epoch();
    oc.start_epoch();
    EXPECT_TRUE(std::ranges::equal(oa.order(), ob.order()));
    EXPECT_FALSE(std::ranges::equal(oa.order(), oc.order()));
  }
}

TEST(BatchOrder, EpochDependsOnlyOnTheStreamState) {
  // Restoring the Rng state reproduces the epoch, whatever the previous epochs were.
  Rng rng(5);
  BatchOrder order(50, 8, true, rng);
  order.start_epoch();
  const Rng::State saved = rng.state();
  order.start_epoch();
  const std::vector<std::int64_t> second(order.order().begin(), order.order().end());
  Rng other(99);
  other.set_state(saved);
  BatchOrder resumed(50, 8, true, other);
  resumed.start_epoch();
  EXPECT_TRUE(std::ranges::equal(resumed.order(), second));
}

TEST(BatchOrder, ReusesItsStorage) {
  Rng rng(3);
  BatchOrder order(64, 16, true, rng);
  order.start_epoch();
  const std::int64_t* p = order.order().data();
  order.start_epoch();
  EXPECT_EQ(order.order().data(), p);
}

TEST(BatchOrder, RejectsBadSizes) {
  Rng rng;
  EXPECT_THROW(BatchOrder(10, 0, true, rng), InvalidArgument);
  EXPECT_THROW(BatchOrder(-1, 4, true, rng), InvalidArgument);
  BatchOrder empty(0, 4, true, rng);
  empty.start_epoch();
  EXPECT_EQ(empty.num_batches(), 0);
}

}  // namespace
}  // namespace descent
