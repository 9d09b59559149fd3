// Optimizer on Variables: options and their validation, η and momentum, parameter groups,
// skipping parameters without a gradient, clipping, the parallel path and state_dict.
#include "optim/optimizer.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/adamw.h"
#include "optim/lion.h"
#include "optim/make_optimizer.h"
#include "optim/nadam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

Variable param(Shape shape, std::initializer_list<float> values) {
  return Variable(Tensor(std::move(shape), values), true);
}

void set_grad(Variable& v, std::initializer_list<float> values) {
  Tensor& g = v.mutable_grad();
  std::copy(values.begin(), values.end(), g.data());
}

// A smooth non-quadratic loss: g = w - 0.3 + 0.2·sin(3w) + 0.05·(index + 1).
void write_gradients(std::vector<Variable>& params) {
  for (Variable& p : params) {
    Tensor& g = p.mutable_grad();
    for (std::int64_t i = 0; i < g.size(); ++i) {
      const float w = p.value()[i];
      g[i] = w - 0.3f + 0.2f * std::sin(3 * w) + 0.05f * static_cast<float>(i + 1);
    }
  }
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no InvalidArgument";
}

TEST(OptimizerOptions, DesignatedInitializersAndDefaults) {
  Variable w = param({2}, {1, 2});
  Adam adam({w}, {.lr = 1e-3, .amsgrad = true});
  EXPECT_EQ(adam.name(), "adam");
  EXPECT_EQ(adam.lr(), 1e-3);
  EXPECT_EQ(adam.config()["amsgrad"], true);
  EXPECT_EQ(adam.config()["eps"], 1e-8);
  EXPECT_EQ(adam.config()["convention"], "pytorch");
  EXPECT_EQ(SGD({w}).lr(), 0.01);
  EXPECT_EQ(Adagrad({w}).config()["eps"], 1e-10);
  EXPECT_EQ(Adadelta({w}).lr(), 1.0);
  EXPECT_EQ(RMSprop({w}).config()["alpha"], 0.99);
  EXPECT_EQ(AdamW({w}).config()["weight_decay"], 1e-2);
  EXPECT_EQ(Adamax({w}).lr(), 2e-3);
  EXPECT_EQ(NAdam({w}).config()["momentum_decay"], 4e-3);
  EXPECT_EQ(Lion({w}).config()["betas"], nlohmann::json({0.9, 0.99}));
  EXPECT_EQ(Lion({w}).lr(), 1e-4);
}

TEST(OptimizerOptions, ConstructorsRejectOutOfDomainValues) {
  Variable w = param({1}, {1});
  EXPECT_THAT(error_of([&] { SGD({w}, {.lr = -1}); }),
              HasSubstr("learning rate must be finite and > 0, got -1"));
  EXPECT_THAT(error_of([&] { Adam({w}, {.lr = std::nan("")}); }), HasSubstr("learning rate"));
  EXPECT_THAT(error_of([&] {
                Adam({w}, {.betas = {0.9, 1.0}});
              }),
              HasSubstr("betas[1] must be in [0, 1), got 1"));
  EXPECT_THAT(error_of([&] { Adam({w}, {.eps = -1e-8}); }),
              HasSubstr("eps must be finite and >= 0"));
  EXPECT_THAT(error_of([&] { SGD({w}, {.momentum = -0.5}); }), HasSubstr("momentum"));
  EXPECT_THAT(error_of([&] { SGD({w}, {.nesterov = true}); }),
              HasSubstr("nesterov needs momentum > 0 and dampening 0"));
  EXPECT_THAT(error_of([&] { SGD({w}, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}); }),
              HasSubstr("nesterov"));
  EXPECT_THAT(error_of([&] { SGD({w}, {.dampening = 0.1, .convention = Convention::keras}); }),
              HasSubstr("Keras SGD has no dampening"));
  EXPECT_THAT(error_of([&] { Adagrad({w}, {.initial_accumulator_value = -1}); }),
              HasSubstr("initial_accumulator_value"));
  EXPECT_THAT(error_of([&] { Adadelta({w}, {.rho = 1.5}); }), HasSubstr("rho"));
  EXPECT_THAT(error_of([&] { RMSprop({w}, {.alpha = -0.1}); }), HasSubstr("alpha"));
  EXPECT_THAT(error_of([&] { NAdam({w}, {.momentum_decay = -1}); }), HasSubstr("momentum_decay"));
  EXPECT_THAT(error_of([&] { Lion({w}, {.weight_decay = -1}); }), HasSubstr("weight_decay"));
  EXPECT_THAT(error_of([&] { Adam({w}, {.clip = {.clipnorm = 0.0}}); }),
              HasSubstr("clipnorm must be finite and > 0, got 0"));
  EXPECT_THAT(error_of([&] { Adam({w}, {.clip = {.clipnorm = 1.0, .global_clipnorm = 1.0}}); }),
              HasSubstr("at most one of clipnorm and global_clipnorm"));
  EXPECT_THAT(error_of([&] { Adam({Variable()}); }), HasSubstr("undefined"));
  EXPECT_THAT(error_of([&] { Adam({w, w}); }), HasSubstr("already being optimized"));
}

TEST(OptimizerLearningRate, SetLrTakesEffectFromTheNextStep) {
  Variable w = param({2}, {1, -1});
  SGD sgd({w}, {.lr = 0.5});
  set_grad(w, {1, 2});
  sgd.step();
  EXPECT_FLOAT_EQ(w.value()[0], 0.5f);
  EXPECT_FLOAT_EQ(w.value()[1], -2.0f);
  sgd.set_lr(0.25);
  EXPECT_EQ(sgd.lr(), 0.25);
  sgd.step();  // the gradient is still written
  EXPECT_FLOAT_EQ(w.value()[0], 0.25f);
  EXPECT_FLOAT_EQ(w.value()[1], -2.5f);
  EXPECT_THAT(error_of([&] { sgd.set_lr(0); }), HasSubstr("got 0"));
  EXPECT_THAT(error_of([&] { sgd.set_lr(INFINITY); }), HasSubstr("learning rate"));
  EXPECT_EQ(sgd.lr(), 0.25);
  EXPECT_EQ(sgd.iterations(), 2);
  EXPECT_EQ(sgd.config()["lr"], 0.25);
}

TEST(OptimizerMomentum, ExposesTheCoefficientThatSchedulesCycle) {
  Variable w = param({1}, {1});
  SGD sgd({w}, {.momentum = 0.9, .nesterov = true});
  EXPECT_EQ(sgd.momentum(), 0.9);
  sgd.set_momentum(0.8);
  EXPECT_EQ(sgd.momentum(), 0.8);
  EXPECT_THAT(error_of([&] { sgd.set_momentum(0); }), HasSubstr("nesterov"));
  EXPECT_EQ(sgd.momentum(), 0.8);

  Adam adam({w}, {.betas = {0.85, 0.99}});
  EXPECT_EQ(adam.momentum(), 0.85);
  adam.set_momentum(0.95);
  EXPECT_EQ(adam.config()["betas"], nlohmann::json({0.95, 0.99}));
  EXPECT_THROW(adam.set_momentum(1.0), InvalidArgument);
  EXPECT_EQ(RMSprop({w}, {.momentum = 0.3}).momentum(), 0.3);
  EXPECT_EQ(Lion({w}).momentum(), 0.9);
  EXPECT_EQ(NAdam({w}).momentum(), 0.9);
  EXPECT_EQ(Adamax({w}).momentum(), 0.9);

  Adagrad adagrad({w});
  EXPECT_FALSE(adagrad.momentum().has_value());
  EXPECT_THAT(error_of([&] { adagrad.set_momentum(0.9); }), HasSubstr("adagrad has no momentum"));
  EXPECT_FALSE(Adadelta({w}).momentum().has_value());
}

// One step with β1 = 0.9, then β1 = 0.5: the second step's moment and bias correction both use
// 0.5 (torch.optim.Adam reads β1 from the group at every step). A first step alone cannot tell:
// its bias-corrected moment m/(1 − β1) is g whatever β1 is.
TEST(OptimizerMomentum, ChangedBeta1IsUsedByTheNextStep) {
  const double lr = 0.1, g1 = 0.5, g2 = -0.2;
  std::vector<double> changed = {1.0}, kept = {1.0};
  BasicAdam<double> adam({.lr = lr}), reference({.lr = lr});
  std::vector<double> g = {g1};
  adam.step(changed, g);
  reference.step(kept, g);
  adam.set_momentum(0.5);
  g = {g2};
  adam.step(changed, g);
  reference.step(kept, g);

  const double m = 0.5 * (0.1 * g1) + 0.5 * g2;
  const double v = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
  const double w1 = 1.0 - lr / 0.1 * (0.1 * g1) / (std::sqrt(0.001 * g1 * g1 / 0.001) + 1e-8);
  const double w2 = w1 - lr / (1 - 0.5 * 0.5) * m / (std::sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
  EXPECT_NEAR(changed[0], w2, 1e-12);
  EXPECT_GT(std::abs(changed[0] - kept[0]), 1e-3);
}

TEST(OptimizerGroups, GroupLearningRateIsTheOptimizerRateTimesItsScale) {
  Variable w1 = param({2}, {1, 2}), w2 = param({2}, {3, 4});
  Variable r1 = param({2}, {1, 2}), r2 = param({2}, {3, 4});
  Adam grouped({w1}, {.lr = 0.1});
  grouped.add_param_group({w2}, 0.5);
  Adam a1({r1}, {.lr = 0.1}), a2({r2}, {.lr = 0.1 * 0.5});
  EXPECT_EQ(grouped.num_param_groups(), 2u);
  EXPECT_EQ(grouped.lr_scale(1), 0.5);
  EXPECT_THROW(grouped.lr_scale(2), InvalidArgument);
  EXPECT_EQ(grouped.params().size(), 2u);
  for (int t = 0; t < 3; ++t) {
    for (Variable* v : {&w1, &w2, &r1, &r2})
      set_grad(*v, {0.3f * static_cast<float>(t + 1), -0.7f});
    grouped.step();
    a1.step();
    a2.step();
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(w1.value()[i], r1.value()[i]);
    EXPECT_EQ(w2.value()[i], r2.value()[i]);
  }
  EXPECT_THAT(error_of([&] { grouped.add_param_group({w1}); }), HasSubstr("already"));
  EXPECT_THAT(error_of([&] { grouped.add_param_group({param({1}, {0})}, 0); }),
              HasSubstr("lr_scale must be finite and > 0, got 0"));
}

// A group's λ is the rule's times its weight_decay_scale, for decoupled decay and L2 alike.
TEST(OptimizerGroups, GroupWeightDecayIsTheRulesTimesItsScale) {
  for (const char* name : {"adamw", "sgd", "lion"}) {
    SCOPED_TRACE(name);
    Variable w1 = param({2}, {1, 2}), w2 = param({2}, {3, 4});
    Variable r1 = param({2}, {1, 2}), r2 = param({2}, {3, 4});
    auto grouped = make_optimizer(name, {w1}, {{"lr", 0.1}, {"weight_decay", 0.4}});
    grouped->add_param_group({w2}, 1.0, 0.25);
    auto full = make_optimizer(name, {r1}, {{"lr", 0.1}, {"weight_decay", 0.4}});
    auto quarter = make_optimizer(name, {r2}, {{"lr", 0.1}, {"weight_decay", 0.1}});
    EXPECT_EQ(grouped->weight_decay_scale(0), 1.0);
    EXPECT_EQ(grouped->weight_decay_scale(1), 0.25);
    for (int t = 0; t < 3; ++t) {
      for (Variable* v : {&w1, &w2, &r1, &r2})
        set_grad(*v, {0.3f * static_cast<float>(t + 1), -0.7f});
      grouped->step();
      full->step();
      quarter->step();
    }
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(w1.value()[i], r1.value()[i]);
      EXPECT_FLOAT_EQ(w2.value()[i], r2.value()[i]);
    }
    EXPECT_THAT(error_of([&] { grouped->add_param_group({param({1}, {0})}, 1.0, -1); }),
                HasSubstr("weight_decay_scale must be finite and >= 0, got -1"));
    EXPECT_THAT(error_of([&] { grouped->add_param_group({param({1}, {0})}, 1.0, NAN); }),
                HasSubstr("weight_decay_scale must be finite and >= 0, got nan"));
  }
}

// decay_all is the Optimizer's, for decoupled decay only, and rebuilds from config().
TEST(OptimizerGroups, DecayAllIsAHyperparameterOfDecoupledRules) {
  auto adamw = make_optimizer("adamw", {}, {{"decay_all", true}});
  EXPECT_TRUE(adamw->decay_all());
  EXPECT_EQ(adamw->config()["decay_all"], true);
  EXPECT_TRUE(make_optimizer("adamw", {}, adamw->config())->decay_all());
  EXPECT_FALSE(
      make_optimizer("adamw", {}, nlohmann::json::object())->config().contains("decay_all"));
  EXPECT_TRUE(
      make_optimizer("sgd", {}, {{"convention", "keras"}, {"decay_all", true}})->decay_all());
  EXPECT_EQ(error_of([] {
              make_optimizer("sgd", {}, {{"decay_all", true}});
            }),
            "sgd: hyperparameter 'decay_all' is for decoupled weight decay; sgd's weight decay "
            "is L2 here, which decays every parameter");
  EXPECT_EQ(error_of([] {
              make_optimizer("adamw", {}, {{"decay_all", "yes"}});
            }),
            "adamw: hyperparameter 'decay_all' must be true or false, got \"yes\"");
}

TEST(OptimizerStep, SkipsParametersWhoseGradientWasNotWritten) {
  Variable w = param({2}, {1, 2}), frozen = param({2}, {5, 6});
  Adam adam({w, frozen}, {.lr = 0.1});
  set_grad(w, {1, 1});
  adam.step();
  EXPECT_NE(w.value()[0], 1.0f);
  EXPECT_EQ(frozen.value()[0], 5.0f);
  EXPECT_EQ(frozen.value()[1], 6.0f);
  EXPECT_EQ(adam.rule().states()[1].step, 0);
  EXPECT_TRUE(adam.rule().states()[1].slots.empty());
  adam.zero_grad();
  EXPECT_FALSE(w.has_grad());
  const float before = w.value()[0];
  adam.step();
  EXPECT_EQ(w.value()[0], before);
  EXPECT_EQ(adam.iterations(), 2);
  EXPECT_EQ(adam.rule().states()[0].step, 1);
}

TEST(OptimizerClipping, ClipvalueClampsEachElement) {
  Variable w = param({3}, {0, 0, 0});
  SGD sgd({w}, {.lr = 1.0, .clip = {.clipvalue = 0.5}});
  set_grad(w, {2, -0.25, -3});
  sgd.step();
  EXPECT_FLOAT_EQ(w.value()[0], -0.5f);
  EXPECT_FLOAT_EQ(w.value()[1], 0.25f);
  EXPECT_FLOAT_EQ(w.value()[2], 0.5f);
  EXPECT_FLOAT_EQ(w.grad()[0], 0.5f);  // clipped in place
}

TEST(OptimizerClipping, ClipnormScalesEachTensorOnItsOwn) {
  Variable a = param({2}, {0, 0}), b = param({2}, {0, 0});
  SGD sgd({a, b}, {.lr = 1.0, .clip = {.clipnorm = 1.0}});
  set_grad(a, {3, 4});      // norm 5 -> scaled to norm 1
  set_grad(b, {0.3, 0.4});  // norm 0.5 -> unchanged
  sgd.step();
  EXPECT_FLOAT_EQ(a.value()[0], -0.6f);
  EXPECT_FLOAT_EQ(a.value()[1], -0.8f);
  EXPECT_FLOAT_EQ(b.value()[0], -0.3f);
  EXPECT_FLOAT_EQ(b.value()[1], -0.4f);
}

TEST(OptimizerClipping, GlobalClipnormUsesTheTotalNormOfParametersWithGradients) {
  Variable a = param({2}, {0, 0}), b = param({1}, {0}), none = param({1}, {0});
  SGD sgd({a, b, none}, {.lr = 1.0, .clip = {.global_clipnorm = 2.0}});
  set_grad(a, {3, 4});
  set_grad(b, {12});  // total norm 13
  sgd.step();
  const double factor = 2.0 / (13.0 + 1e-6);
  EXPECT_FLOAT_EQ(a.value()[0], static_cast<float>(-3 * factor));
  EXPECT_FLOAT_EQ(a.value()[1], static_cast<float>(-4 * factor));
  EXPECT_FLOAT_EQ(b.value()[0], static_cast<float>(-12 * factor));
  EXPECT_EQ(none.value()[0], 0.0f);
  set_grad(a, {0.3, 0.4});  // norm below the limit: untouched
  set_grad(b, {0});
  const float before = a.value()[0];
  sgd.step();
  EXPECT_FLOAT_EQ(a.value()[0], before - 0.3f);
}

// Above kParallelGrain the element loops and the clipping norm run on OpenMP threads; each
// element must come out as it does in a small tensor that holds the same values.
TEST(OptimizerParallel, LargeTensorMatchesSmallTensorsElementByElement) {
  const std::int64_t n = 3 * kParallelGrain + 17;
  const int period = 101;
  Tensor big({n});
  for (std::int64_t i = 0; i < n; ++i)
    big[i] = 0.01f * static_cast<float>(i % period) - 0.5f;
  Tensor small({period});
  for (int i = 0; i < period; ++i)
    small[i] = big[i];
  Variable vb(big, true), vs(small, true);
  const nlohmann::json hp = {{"lr", 0.01}, {"amsgrad", true}, {"weight_decay", 0.1}};
  auto ob = make_optimizer("adam", {vb}, hp), os = make_optimizer("adam", {vs}, hp);
  for (int t = 0; t < 3; ++t) {
    Tensor& gb = vb.mutable_grad();
    Tensor& gs = vs.mutable_grad();
    for (std::int64_t i = 0; i < n; ++i)
      gb[i] = std::sin(vb.value()[i] * 7.0f);
    for (int i = 0; i < period; ++i)
      gs[i] = std::sin(vs.value()[i] * 7.0f);
    ob->step();
    os->step();
  }
  for (std::int64_t i = 0; i < n; i += 997)
    ASSERT_EQ(vb.value()[i], vs.value()[i % period]) << i;

  // The chunked norm of a large gradient agrees with a serial double sum.
  Variable clipped(Tensor({n}, 0.0f), true);
  SGD sgd({clipped}, {.lr = 1.0, .clip = {.global_clipnorm = 1.0}});
  double sum = 0;
  Tensor& g = clipped.mutable_grad();
  for (std::int64_t i = 0; i < n; ++i) {
    g[i] = 0.001f * static_cast<float>(i % 13);
    sum += static_cast<double>(g[i]) * g[i];
  }
  const float g5 = g[5];
  sgd.step();
  EXPECT_NEAR(clipped.value()[5], -g5 / (std::sqrt(sum) + 1e-6), 1e-9);
}

// Train N steps, save, go on M steps; a fresh optimizer that loads the save and does the same M
// steps from the same parameters must end bitwise equal.
TEST(OptimizerStateDict, RestoredOptimizerContinuesBitwiseEqual) {
  const std::vector<std::pair<std::string, nlohmann::json>> cases = {
      {"sgd", {{"lr", 0.1}, {"momentum", 0.9}, {"dampening", 0.2}}},
      {"adagrad", {{"lr", 0.1}, {"lr_decay", 0.01}, {"initial_accumulator_value", 0.1}}},
      {"adadelta", {{"weight_decay", 0.01}}},
      {"rmsprop", {{"momentum", 0.5}, {"centered", true}}},
      {"adam", {{"lr", 0.05}, {"amsgrad", true}}},
      {"adamw", {{"lr", 0.05}, {"convention", "keras"}}},
      {"adamax", {{"lr", 0.05}}},
      {"nadam", {{"lr", 0.05}}},
      {"lion", {{"lr", 0.01}, {"weight_decay", 0.1}}},
      {"dog", {{"weight_decay", 0.01}}},
      {"prodigy", {{"use_bias_correction", true}, {"weight_decay", 0.01}}},
      {"dadapt_sgd", {{"momentum", 0.9}, {"weight_decay", 0.01}}},
      {"dadapt_adam", {{"use_bias_correction", true}, {"weight_decay", 0.01}}},
      {"sgd_schedule_free", {{"lr", 0.1}, {"weight_decay", 0.01}, {"warmup_steps", 4}}},
      {"adamw_schedule_free", {{"lr", 0.05}, {"weight_decay", 0.01}, {"r", 1.0}}},
  };
  for (const auto& [name, hp] : cases) {
    SCOPED_TRACE(name);
    std::vector<Variable> params = {param({2, 2}, {0.1f, -0.4f, 0.7f, 1.2f}),
                                    param({3}, {-0.2f, 0.5f, 0.9f}), param({1}, {2.0f})};
    auto optimizer = make_optimizer(name, {params[0], params[1]}, hp);
    optimizer->add_param_group({params[2]}, 0.5, 0.0);
    for (int t = 0; t < 7; ++t) {
      optimizer->zero_grad();
      write_gradients(params);
      if (t == 2) params[1].zero_grad();  // one parameter a step behind
      optimizer->step();
    }
    optimizer->set_lr(optimizer->lr() * 0.5);
    if (optimizer->momentum()) optimizer->set_momentum(*optimizer->momentum() * 0.9);
    const StateDict saved = optimizer->state_dict();
    std::vector<Tensor> values;
    for (const Variable& p : params)
      values.push_back(p.value());

    auto run = [&](Optimizer& opt) {
      for (int t = 0; t < 5; ++t) {
        opt.zero_grad();
        write_gradients(params);
        opt.step();
      }
      std::vector<Tensor> out;
      for (const Variable& p : params)
        out.push_back(p.value());
      return out;
    };
    const std::vector<Tensor> continued = run(*optimizer);

    for (std::size_t i = 0; i < params.size(); ++i)
      params[i].value() = values[i];
    auto fresh = make_optimizer(name, {params[0], params[1]}, hp);
    fresh->add_param_group({params[2]}, 0.5);  // the saved weight-decay scale 0 replaces 1
    fresh->load_state_dict(saved);
    EXPECT_EQ(fresh->weight_decay_scale(1), 0.0);
    EXPECT_EQ(fresh->iterations(), 7);
    EXPECT_EQ(fresh->lr(), saved.meta["lr"].get<double>());
    const std::vector<Tensor> restored = run(*fresh);
    for (std::size_t i = 0; i < params.size(); ++i)
      for (std::int64_t k = 0; k < restored[i].size(); ++k)
        ASSERT_EQ(restored[i][k], continued[i][k]) << "parameter " << i << ", value " << k;
    EXPECT_EQ(fresh->state_dict().meta, optimizer->state_dict().meta);
  }
}

// A state from before per-group weight decay decayed every group: it loads with scales of 1, in
// its own groups, also where the optimizer has since split off its 1-D parameters.
TEST(OptimizerStateDict, StateWithoutWeightDecayScalesLoadsAsSavedWithOnes) {
  Variable w = param({2, 2}, {1, 2, 3, 4}), b = param({2}, {3, 4});
  AdamW adamw({w});
  adamw.add_param_group({b}, 1.0, 0.0);
  StateDict state = adamw.state_dict();
  EXPECT_EQ(state.meta["weight_decay_scales"], nlohmann::json::array({1.0, 0.0}));
  state.meta.erase("weight_decay_scales");
  adamw.load_state_dict(state);
  EXPECT_EQ(adamw.weight_decay_scale(1), 1.0);

  AdamW old_run({w, b});  // one group, as every run was
  StateDict old_state = old_run.state_dict();
  old_state.meta.erase("weight_decay_scales");
  AdamW split({w, b});
  split.exclude_low_rank_from_weight_decay();
  ASSERT_EQ(split.num_param_groups(), 2u);
  split.load_state_dict(old_state);
  EXPECT_EQ(split.num_param_groups(), 1u);
  EXPECT_EQ(split.param_group(1), 0u);
  EXPECT_EQ(split.weight_decay_scale(0), 1.0);
  EXPECT_EQ(split.state_dict().meta["group_of"], nlohmann::json::array({0, 0}));

  // A current state keeps its layout checked.
  AdamW other({w, b});
  EXPECT_THAT(error_of([&] { other.load_state_dict(adamw.state_dict()); }),
              HasSubstr("laid out differently"));
  state.meta["weight_decay_scales"] = {1.0};
  EXPECT_THAT(error_of([&] { adamw.load_state_dict(state); }),
              HasSubstr("saved state has 1 weight-decay scales for 2 groups"));
}

TEST(OptimizerStateDict, SavesNamedMomentsShapedLikeTheirParameter) {
  Variable w = param({2, 2}, {1, 2, 3, 4});
  Adam adam({w}, {.amsgrad = true});
  set_grad(w, {1, 2, 3, 4});
  adam.step();
  const StateDict state = adam.state_dict();
  EXPECT_EQ(state.meta["name"], "adam");
  EXPECT_EQ(state.meta["params"][0]["step"], 1);
  ASSERT_TRUE(state.tensors.contains("state.0.exp_avg"));
  ASSERT_TRUE(state.tensors.contains("state.0.max_exp_avg_sq"));
  EXPECT_EQ(state.tensors.at("state.0.exp_avg_sq").shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(state.tensors.at("state.0.exp_avg")[3], 0.1f * 4);
}

TEST(OptimizerStateDict, LoadRejectsMismatchesAndChangesNothing) {
  Variable w = param({2}, {1, 2}), v = param({3}, {1, 2, 3});
  Adam adam({w}, {.lr = 0.1});
  set_grad(w, {1, 1});
  adam.step();
  const StateDict saved = adam.state_dict();

  Variable w2 = param({2}, {1, 2});
  SGD sgd({w2});
  EXPECT_THAT(error_of([&] { sgd.load_state_dict(saved); }),
              HasSubstr("cannot load the state of optimizer 'adam'"));
  Adam two({w2, v});
  EXPECT_THAT(error_of([&] { two.load_state_dict(saved); }), HasSubstr("1 parameters"));
  Adam wrong_shape({v}, {.lr = 0.3});
  EXPECT_THAT(error_of([&] { wrong_shape.load_state_dict(saved); }), HasSubstr("shape"));
  EXPECT_EQ(wrong_shape.lr(), 0.3);
  EXPECT_EQ(wrong_shape.iterations(), 0);

  StateDict missing = saved;
  missing.tensors.erase("state.0.exp_avg_sq");
  Adam target({w2}, {.lr = 0.3});
  EXPECT_THAT(error_of([&] { target.load_state_dict(missing); }), HasSubstr("lacks 'exp_avg_sq'"));
  EXPECT_EQ(target.lr(), 0.3);
  StateDict malformed = saved;
  malformed.meta.erase("iterations");
  EXPECT_THAT(error_of([&] { target.load_state_dict(malformed); }),
              HasSubstr("malformed optimizer state"));
}

}  // namespace
}  // namespace descent
