// A parameter that the loss does not reach is left alone by fit: its gradient stays absent
// through the finiteness check and the optimizer skips it, weight decay and momentum included,
// as PyTorch skips a p.grad that is None.
#include <memory>

#include <gtest/gtest.h>

#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/sgd.h"
#include "train/model.h"

namespace descent {
namespace {

// Passes its input through and holds a weight it does not use, like a branch of a model that
// the input does not take.
class IdleBranch final : public Layer {
 public:
  std::string type() const override { return "IdleBranch"; }
  Shape build(const Shape& input_shape, Rng& /*rng*/) override { return input_shape; }
  Variable forward(const Variable& x, bool /*training*/) override { return x; }
  std::vector<Parameter> parameters() override { return {{name() + "/weight", weight_}}; }
  nlohmann::json config() const override { return {{"type", type()}}; }

 private:
  Variable weight_{Tensor({2}, {0.5f, -0.25f}), true};
};

TEST(UnreachedParameter, FitLeavesItAndItsOptimizerStateUntouched) {
  Model model(3);
  model.add(Dense(2, {.input_shape = {2}}));
  model.add(IdleBranch());
  model.compile(std::make_unique<SGD>(model.trainable_variables(),
                                      SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.1}),
                make_loss("sparse_categorical_crossentropy", true), {});
  const Variable idle = model.trainable_variables().back();
  model.fit(moons(64, 0.1, 1), {.epochs = 2, .batch_size = 16, .verbose = 0});

  EXPECT_EQ(idle.value()[0], 0.5f);
  EXPECT_EQ(idle.value()[1], -0.25f);
  const auto& states = model.optimizer().rule().states();
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(states[0].step, 8);  // the dense kernel: 4 batches × 2 epochs
  EXPECT_EQ(states[2].step, 0);
  EXPECT_TRUE(states[2].slots.empty());
}

}  // namespace
}  // namespace descent
