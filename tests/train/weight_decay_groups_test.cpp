// The weight-decay grouping Model::compile applies: with a decoupled rule (AdamW, Lion, ...) the
// parameters of rank < 2 (biases, normalization γ and β) go to a group without weight decay and
// every other parameter keeps it; L2 rules and decay_all keep every parameter decaying.
#include <memory>

#include <gtest/gtest.h>

#include "nn/activation_layer.h"
#include "nn/batch_normalization.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/flatten.h"
#include "nn/layer_normalization.h"
#include "optim/adamw.h"
#include "optim/make_optimizer.h"
#include "train/model.h"

namespace descent {
namespace {

Model conv_model() {
  Model model(3);
  model.add(Conv2D(4, 3, {.input_shape = {1, 5, 5}}));
  model.add(BatchNormalization());
  model.add(ActivationLayer("relu"));
  model.add(Flatten());
  model.add(Dense(8));
  model.add(LayerNormalization());
  model.add(Dense(2));
  return model;
}

// weight_decay_scale of each trainable variable, in the model's order.
std::vector<double> decay_scales(const Optimizer& optimizer) {
  std::vector<double> scales;
  for (std::size_t i = 0; i < optimizer.params().size(); ++i)
    scales.push_back(optimizer.weight_decay_scale(optimizer.param_group(i)));
  return scales;
}

std::vector<double> decay_of_rank_two_and_up(const Model& model) {
  std::vector<double> scales;
  for (const Variable& v : model.trainable_variables())
    scales.push_back(v.value().rank() >= 2 ? 1.0 : 0.0);
  return scales;
}

TEST(WeightDecayGroups, DecoupledRuleLeavesExactlyTheLowRankParametersUndecayed) {
  for (const char* name : {"adamw", "lion", "adamw_schedule_free"}) {
    SCOPED_TRACE(name);
    Model model = conv_model();
    // conv kernel and bias, γ β, dense kernel and bias, γ β, dense kernel and bias
    ASSERT_EQ(model.trainable_variables().size(), 10u);
    model.compile(make_optimizer(name, model.trainable_variables(), {{"weight_decay", 0.1}}),
                  make_loss("sparse_categorical_crossentropy"));
    const Optimizer& optimizer = model.optimizer();
    EXPECT_EQ(decay_scales(optimizer), decay_of_rank_two_and_up(model));
    EXPECT_EQ(optimizer.num_param_groups(), 2u);
    EXPECT_EQ(optimizer.lr_scale(1), 1.0);
    // The parameters keep their order: the optimizer's state indices are the model's.
    for (std::size_t i = 0; i < optimizer.params().size(); ++i)
      EXPECT_EQ(optimizer.params()[i].node(), model.trainable_variables()[i].node());
  }
}

TEST(WeightDecayGroups, KerasConventionDecouplesAndIsGroupedToo) {
  Model model = conv_model();
  model.compile(make_optimizer("sgd", model.trainable_variables(),
                               {{"weight_decay", 0.1}, {"convention", "keras"}}),
                make_loss("sparse_categorical_crossentropy"));
  EXPECT_EQ(decay_scales(model.optimizer()), decay_of_rank_two_and_up(model));
}

TEST(WeightDecayGroups, L2RulesAndDecayAllDecayEveryParameter) {
  const std::vector<double> all(10, 1.0);
  for (const auto& [name, hyperparameters] :
       {std::pair{"sgd", nlohmann::json{{"weight_decay", 0.1}}},
        std::pair{"adam", nlohmann::json{{"weight_decay", 0.1}}},
        std::pair{"adamw", nlohmann::json{{"weight_decay", 0.1}, {"decay_all", true}}}}) {
    SCOPED_TRACE(name);
    Model model = conv_model();
    model.compile(make_optimizer(name, model.trainable_variables(), hyperparameters),
                  make_loss("sparse_categorical_crossentropy"));
    EXPECT_EQ(decay_scales(model.optimizer()), all);
    EXPECT_EQ(model.optimizer().num_param_groups(), 1u);
  }
}

// A group the user made keeps its η scale in its no-decay twin; a group that does not decay is
// left as it is.
TEST(WeightDecayGroups, UserGroupsKeepTheirLearningRateScale) {
  Model model = conv_model();
  std::vector<Variable> vars = model.trainable_variables();
  auto optimizer = std::make_unique<AdamW>(std::vector<Variable>(vars.begin(), vars.begin() + 4));
  optimizer->add_param_group(std::vector<Variable>(vars.begin() + 4, vars.begin() + 8), 0.5);
  optimizer->add_param_group(std::vector<Variable>(vars.begin() + 8, vars.end()), 2.0, 0.0);
  model.compile(std::move(optimizer), make_loss("sparse_categorical_crossentropy"));
  const Optimizer& grouped = model.optimizer();
  ASSERT_EQ(grouped.num_param_groups(), 5u);  // 3 given, 2 twins
  EXPECT_EQ(grouped.param_group(1), 3u);      // conv bias: group 0's twin
  EXPECT_EQ(grouped.lr_scale(3), 1.0);
  EXPECT_EQ(grouped.param_group(5), 4u);  // dense bias: group 1's twin
  EXPECT_EQ(grouped.lr_scale(4), 0.5);
  EXPECT_EQ(grouped.weight_decay_scale(4), 0.0);
  EXPECT_EQ(grouped.param_group(9), 2u);  // the last bias stays in its non-decaying group
  EXPECT_EQ(grouped.lr_scale(2), 2.0);
}

}  // namespace
}  // namespace descent
