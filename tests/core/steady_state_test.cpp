// A training step that repeats allocates no new buffers: every Tensor it needs (values,
// gradients, im2col scratch) comes back from the pool that the previous step released into.
#include <gtest/gtest.h>

#include "core/buffer_pool.h"
#include "core/ops/activation.h"
#include "core/ops/conv2d.h"
#include "core/ops/matmul.h"
#include "core/ops/pool.h"
#include "core/ops/reduce.h"
#include "core/ops/view.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::random_tensor;

TEST(SteadyState, RepeatedForwardBackwardAllocatesNothingNew) {
  Rng rng(81);
  Variable kernel(random_tensor({4, 2, 3, 3}, rng), true),
      kernel_bias(random_tensor({4}, rng), true);
  Variable weights(random_tensor({4 * 4 * 4, 5}, rng), true), bias(random_tensor({5}, rng), true);
  const Tensor batch = random_tensor({3, 2, 8, 8}, rng);
  std::vector<Variable> params = {kernel, kernel_bias, weights, bias};

  auto step = [&] {
    for (Variable& p : params)
      p.zero_grad();
    Variable x(batch);
    Variable h = relu(conv2d(x, kernel, kernel_bias, {.stride = 1, .padding = 1}));  // (3, 4, 8, 8)
    Variable y = relu(dense(flatten(max_pool2d(h, 2)), weights, bias));              // (3, 5)
    Variable loss = mean(y);
    loss.backward();
    return loss.item();
  };

  // From an empty pool the first step must allocate: the counter is seen to move.
  BufferPool::trim();
  const std::uint64_t empty = BufferPool::fresh_allocations();
  const float first = step();
  ASSERT_GT(BufferPool::fresh_allocations(), empty);
  EXPECT_EQ(step(), first);
  const std::uint64_t before = BufferPool::fresh_allocations();
  EXPECT_EQ(step(), first);
  EXPECT_EQ(BufferPool::fresh_allocations(), before);
  EXPECT_NE(kernel.grad()[0], 0.0f);
}

}  // namespace
}  // namespace descent
