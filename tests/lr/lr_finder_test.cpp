#include "lr/lr_finder.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

// moons: 2 features, 2 classes; a small MLP with dropout (a random stream the test consumes).
Model small_model(std::uint64_t seed = 3) {
  Model model(seed);
  model.add(Dense(16, {.activation = "relu", .input_shape = {2}}));
  model.add(Dropout(0.1f));
  model.add(Dense(2));
  return model;
}

void compile_sgd(Model& model, double lr = 0.05, double momentum = 0.9) {
  model.compile(std::make_unique<SGD>(model.trainable_variables(),
                                      SGDOptions{.lr = lr, .momentum = momentum}),
                make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
}

void compile_adam(Model& model) {
  model.compile(std::make_unique<Adam>(model.trainable_variables(), AdamOptions{.lr = 3e-3}),
                make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
}

LrFinderOptions quiet(LrFinderOptions o) {
  o.verbose = 0;
  return o;
}

void expect_bitwise_equal(const StateDict& a, const StateDict& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, tensor] : a.tensors) {
    const Tensor& other = b.tensors.at(name);
    ASSERT_EQ(tensor.shape(), other.shape()) << name;
    EXPECT_EQ(std::memcmp(tensor.data(), other.data(), sizeof(float) * tensor.size()), 0) << name;
  }
}

TEST(FindLr, ExponentialGrowthFromStartToEnd) {
  const Dataset data = moons(640, 0.1, 1);
  Model model = small_model();
  compile_sgd(model);
  const LrFinderResult r =
      find_lr(model, data, quiet({.start = 1e-4, .end = 1e-2, .iters = 20, .batch_size = 16}));
  ASSERT_EQ(r.lr.size(), 20u);
  EXPECT_DOUBLE_EQ(r.lr.front(), 1e-4);
  EXPECT_NEAR(r.lr.back(), 1e-2, 1e-15);
  for (std::size_t k = 0; k < r.lr.size(); ++k)
    EXPECT_NEAR(r.lr[k], 1e-4 * std::pow(100.0, k / 19.0), 1e-15);
  EXPECT_EQ(r.loss.size(), 20u);
  EXPECT_EQ(r.smoothed.size(), 20u);
  EXPECT_TRUE(r.val_loss.empty());
  EXPECT_EQ(r.stopped, "reached the end η = 0.01 after 20 steps");
  EXPECT_DOUBLE_EQ(r.smoothed.front(), r.loss.front());  // bias correction: no pull towards 0
}

TEST(FindLr, LinearGrowth) {
  const Dataset data = moons(640, 0.1, 1);
  Model model = small_model();
  compile_sgd(model);
  const LrFinderResult r =
      find_lr(model, data,
              quiet({.start = 1e-3, .end = 2e-2, .iters = 20, .linear = true, .batch_size = 16}));
  ASSERT_EQ(r.lr.size(), 20u);
  for (std::size_t k = 0; k < r.lr.size(); ++k)
    EXPECT_NEAR(r.lr[k], 1e-3 + 1.9e-2 * k / 19.0, 1e-15);
}

TEST(FindLr, RunsAllItsStepsOverSeveralEpochsOfSmallData) {
  const Dataset data = moons(100, 0.1, 1);  // 7 batches of 16
  Model model = small_model();
  compile_sgd(model);
  const LrFinderResult r =
      find_lr(model, data, quiet({.start = 1e-4, .end = 1e-2, .iters = 100, .batch_size = 16}));
  EXPECT_EQ(r.options.iters, 100);
  ASSERT_EQ(r.lr.size(), 100u);
  EXPECT_EQ(r.epochs, 15);  // ceil(100 / 7)
  EXPECT_NEAR(r.lr.back(), 1e-2, 1e-15);
  EXPECT_EQ(r.to_json()["options"]["epochs"], 15);
  EXPECT_EQ(range_test_epochs(100, 16, 100), 15);
  EXPECT_EQ(range_test_epochs(100, 1000, 3), 3);  // one full batch an epoch
  EXPECT_THROW(range_test_steps(1, 16, 100), InvalidArgument);
}

TEST(FindLr, StopsWhenTheSmoothedLossPassesFourTimesItsMinimum) {
  const Dataset data = moons(2000, 0.1, 1);
  Model model = small_model();
  compile_sgd(model, 0.05, 0.0);
  const LrFinderResult r =
      find_lr(model, data, quiet({.start = 1e-3, .end = 1e7, .iters = 100, .batch_size = 16}));
  ASSERT_LT(r.lr.size(), 100u) << r.stopped;
  // Every step but the last stays within 4× the minimum so far; the last one breaks the rule.
  double lowest = INFINITY;
  for (std::size_t i = 0; i + 1 < r.smoothed.size(); ++i) {
    ASSERT_TRUE(std::isfinite(r.smoothed[i]));
    EXPECT_LE(r.smoothed[i], 4 * lowest);
    lowest = std::min(lowest, r.smoothed[i]);
  }
  const double last = r.smoothed.back();
  EXPECT_TRUE(!std::isfinite(last) || last > 4 * lowest) << last << " vs " << lowest;
  EXPECT_THAT(r.stopped,
              ::testing::AnyOf(HasSubstr("passed 4 × its minimum"), HasSubstr("the loss became")));
  ASSERT_FALSE(r.suggestions.empty());
  EXPECT_EQ(r.suggested.rule, "valley");
  EXPECT_LT(r.suggested.lr, r.lr.back());
}

TEST(FindLr, ADivergenceFactorCloserToOneStopsEarlier) {
  const Dataset data = moons(2000, 0.1, 1);
  Model a = small_model(), b = small_model();
  compile_sgd(a, 0.05, 0.0);
  compile_sgd(b, 0.05, 0.0);
  const LrFinderOptions wide{.start = 1e-3, .end = 1e7, .batch_size = 16};
  LrFinderOptions narrow = wide;
  narrow.diverge_factor = 1.5;
  const LrFinderResult ra = find_lr(a, data, quiet(wide)), rb = find_lr(b, data, quiet(narrow));
  EXPECT_LT(rb.lr.size(), ra.lr.size());
  EXPECT_THAT(rb.stopped, HasSubstr("passed 1.5 × its minimum"));
}

TEST(FindLr, ValidationLossAtEveryStep) {
  const Dataset data = moons(640, 0.1, 1), validation = moons(200, 0.1, 2);
  Model model = small_model();
  compile_sgd(model);
  const LrFinderResult r = find_lr(
      model, data,
      quiet({.start = 1e-4, .end = 1, .iters = 30, .batch_size = 16, .validation = &validation}));
  ASSERT_EQ(r.val_loss.size(), r.lr.size());
  for (double v : r.val_loss)
    EXPECT_TRUE(std::isfinite(v));
  EXPECT_NE(r.val_loss.front(), r.val_loss.back());
  EXPECT_TRUE(r.to_json()["curve"].contains("val_loss"));
}

// The weights, the optimizer's moments and step count, η and the random streams that pick the
// next fit's batch order and dropout masks: all as before, so a fit after the range test is the
// fit without it, bit for bit.
TEST(FindLr, ALaterFitIsBitwiseTheFitWithoutTheRangeTest) {
  const Dataset data = moons(640, 0.1, 1);
  for (const bool adam : {false, true}) {
    Model tested = small_model(), untouched = small_model();
    for (Model* m : {&tested, &untouched})
      adam ? compile_adam(*m) : compile_sgd(*m);
    // Some state first: a fit has advanced the moments and the random streams.
    for (Model* m : {&tested, &untouched})
      m->fit(data, {.epochs = 1, .batch_size = 32, .verbose = 0});
    const double lr = tested.optimizer().lr();

    find_lr(tested, data, quiet({.start = 1e-5, .end = 100, .iters = 40, .batch_size = 16}));
    EXPECT_EQ(tested.optimizer().lr(), lr);
    EXPECT_EQ(tested.optimizer().iterations(), untouched.optimizer().iterations());
    expect_bitwise_equal(tested.weights(), untouched.weights());
    expect_bitwise_equal(tested.optimizer().state_dict(), untouched.optimizer().state_dict());
    EXPECT_EQ(tested.optimizer().state_dict().meta, untouched.optimizer().state_dict().meta);

    const History after = tested.fit(data, {.epochs = 2, .batch_size = 32, .verbose = 0});
    const History without = untouched.fit(data, {.epochs = 2, .batch_size = 32, .verbose = 0});
    expect_bitwise_equal(tested.weights(), untouched.weights());
    ASSERT_EQ(after.steps.size(), without.steps.size());
    for (std::size_t i = 0; i < after.steps.size(); ++i)
      ASSERT_EQ(after.steps[i].loss, without.steps[i].loss) << (adam ? "adam" : "sgd") << i;
  }
}

TEST(FindLr, RestoresTheModelWhenTheLossBlowsUp) {
  const Dataset data = moons(2000, 0.1, 1);
  Model model = small_model();
  compile_sgd(model);
  const StateDict before = model.weights();
  // Only a non-finite loss stops this test: fit() ends on it before any callback sees it.
  const LrFinderResult r = find_lr(
      model, data, quiet({.start = 1e-4, .end = 1e30, .diverge_factor = 1e300, .batch_size = 16}));
  EXPECT_LT(r.lr.size(), 100u);
  EXPECT_FALSE(std::isfinite(r.loss.back()));
  EXPECT_TRUE(std::isnan(r.smoothed.back()));
  EXPECT_THAT(r.stopped, HasSubstr("the loss became"));
  expect_bitwise_equal(model.weights(), before);
  EXPECT_EQ(model.optimizer().lr(), 0.05);
  EXPECT_FALSE(model.stop_training);
}

TEST(FindLr, RejectsBadOptions) {
  const Dataset data = moons(640, 0.1, 1);
  Model model = small_model();
  compile_sgd(model);
  const auto rejects = [&](LrFinderOptions o, const std::string& what) {
    try {
      find_lr(model, data, quiet(o));
      ADD_FAILURE() << "expected InvalidArgument for " << what;
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(e.what(), HasSubstr(what));
    }
  };
  rejects({.start = 0}, "start η");
  rejects({.start = -1}, "start η");
  rejects({.start = NAN}, "start η");
  rejects({.start = 1, .end = 1}, "end η");
  rejects({.start = 1, .end = INFINITY}, "end η");
  rejects({.iters = 1}, "iters");
  rejects({.beta = 1}, "beta");
  rejects({.beta = -0.5}, "beta");
  rejects({.diverge_factor = 1}, "diverge factor");
  rejects({.batch_size = 0}, "batch size");
  rejects({.suggest = "fastest"}, "unknown suggestion rule 'fastest'");
  try {
    find_lr(model, moons(1, 0.1, 1), quiet({}));
    ADD_FAILURE() << "expected InvalidArgument for one sample";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("a range test needs at least 2"));
  }
  Model uncompiled = small_model();
  EXPECT_THROW(find_lr(uncompiled, data, quiet({})), InvalidArgument);
}

TEST(FindLr, NoSuggestionWhenTheLossDivergesAtOnceIsAnError) {
  const Dataset data = moons(640, 0.1, 1);
  Model model = small_model();
  compile_sgd(model);
  const StateDict before = model.weights();
  EXPECT_THROW(
      find_lr(model, data, quiet({.start = 1e12, .end = 1e20, .iters = 40, .batch_size = 16})),
      Diverged);
  expect_bitwise_equal(model.weights(), before);
}

// η from 1e-9 to 1e-8 on the full batch moves nothing: whatever the rules would read off the
// curve is no suggestion, and the optimizer's own η comes back as the fallback.
TEST(FindLr, AFlatCurveGivesNoClearSuggestionButTheFallback) {
  const Dataset data = moons(2000, 0.1, 1);
  Model model = small_model();
  compile_sgd(model, 0.05, 0.0);
  const LrFinderResult r =
      find_lr(model, data, quiet({.start = 1e-9, .end = 1e-8, .iters = 30, .batch_size = 2000}));
  EXPECT_FALSE(r.clear);
  EXPECT_EQ(r.suggested.rule, "fallback");
  EXPECT_DOUBLE_EQ(r.suggested.lr, 0.05);
  EXPECT_THAT(r.suggested.reason, HasSubstr("no clear suggestion"));
  EXPECT_EQ(r.to_json()["clear"], false);
  EXPECT_DOUBLE_EQ(model.optimizer().lr(), 0.05);  // restored, as always
}

TEST(FindLr, PicksTheAskedRule) {
  const Dataset data = moons(2000, 0.1, 1);
  for (const std::string rule : {"steep", "minimum", "valley"}) {
    Model model = small_model();
    compile_sgd(model, 0.05, 0.0);
    const LrFinderResult r =
        find_lr(model, data, quiet({.start = 1e-4, .end = 1e4, .batch_size = 16, .suggest = rule}));
    EXPECT_EQ(r.suggested.rule, rule);
    EXPECT_TRUE(r.clear) << rule;
    EXPECT_EQ(r.to_json()["suggested"]["rule"], rule);
    EXPECT_TRUE(r.to_json()["suggestions"].contains(rule));
  }
}

TEST(LrFinderResult, JsonAndCsv) {
  const Dataset data = moons(640, 0.1, 1);
  Model model = small_model();
  compile_sgd(model);
  const LrFinderResult r =
      find_lr(model, data, quiet({.start = 1e-4, .end = 10, .batch_size = 16}));
  const nlohmann::json j = r.to_json();
  EXPECT_EQ(j["options"]["mode"], "exp");
  EXPECT_EQ(j["options"]["iters"], 100);
  EXPECT_EQ(j["curve"]["step"].size(), r.lr.size());
  EXPECT_EQ(j["curve"]["step"][0], 1);
  EXPECT_FALSE(j["curve"].contains("val_loss"));
  EXPECT_EQ(j["stopped"], r.stopped);
  EXPECT_EQ(j["suggested"]["lr"].get<double>(), r.suggested.lr);

  const auto path = std::filesystem::temp_directory_path() /
                    ("descent_lr_finder_" + std::to_string(getpid()) + ".csv");
  r.write_csv(path);
  std::ifstream in(path);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header, "step,lr,loss,smoothed");
  EXPECT_THAT(first, ::testing::StartsWith("1,0.0001,"));
  std::filesystem::remove(path);
  EXPECT_THROW(r.write_csv("/nonexistent-dir/x.csv"), IoError);
}

}  // namespace
}  // namespace descent
