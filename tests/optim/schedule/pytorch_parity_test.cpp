// Every PyTorch 1.13 scheduler, stepped by tools/fixtures/gen_schedules.py, against lr(t) and
// momentum(t) of the same schedule built by make_schedule().
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "optim/schedule/make_schedule.h"
#include "schedule_test_util.h"

namespace descent {
namespace {

using schedule_test::close;
using schedule_test::fixture;

std::unique_ptr<Schedule> build(const nlohmann::json& c) {
  return make_schedule(c["name"].get<std::string>(), c["params"], c["initial_lr"].get<double>(),
                       c["total_steps"].get<std::int64_t>());
}

TEST(PyTorchParity, FixtureCoversEverySchedulerAndVariant) {
  std::set<std::string> names;
  for (const auto& c : fixture()["cases"])
    names.insert(c["name"].get<std::string>());
  for (const char* n :
       {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
        "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
        "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  EXPECT_GE(fixture()["cases"].size(), 30u);
  EXPECT_EQ(fixture()["torch"].get<std::string>().substr(0, 4), "1.13");
}

TEST(PyTorchParity, LearningRateAndMomentumMatchSteppedPyTorch) {
  for (const auto& c : fixture()["cases"]) {
    if (c.contains("metrics")) continue;
    SCOPED_TRACE(c["label"].get<std::string>());
    const auto s = build(c);
    const auto& lrs = c["lr"];
    ASSERT_GE(lrs.size(), 101u);
    for (std::size_t t = 0; t < lrs.size(); ++t) {
      ASSERT_TRUE(close(s->lr(static_cast<std::int64_t>(t)), lrs[t].get<double>())) << "t=" << t;
    }
    if (c.contains("momentum")) {
      const auto& moms = c["momentum"];
      for (std::size_t t = 0; t < moms.size(); ++t) {
        const auto m = s->momentum(static_cast<std::int64_t>(t));
        ASSERT_TRUE(m.has_value()) << "t=" << t;
        ASSERT_TRUE(close(*m, moms[t].get<double>())) << "t=" << t;
      }
    } else {
      EXPECT_FALSE(s->momentum(0).has_value());
    }
  }
}

TEST(PyTorchParity, ReduceLROnPlateauMatchesPyTorchOnMetricSequences) {
  int cases = 0;
  for (const auto& c : fixture()["cases"]) {
    if (!c.contains("metrics")) continue;
    ++cases;
    SCOPED_TRACE(c["label"].get<std::string>());
    const auto s = build(c);
    const auto& metrics = c["metrics"];
    const auto& lrs = c["lr"];
    ASSERT_TRUE(close(s->lr(0), lrs[0].get<double>()));
    for (std::size_t e = 0; e < metrics.size(); ++e) {
      const auto t = static_cast<std::int64_t>(e + 1);
      s->observe(t, metrics[e].get<double>());
      ASSERT_TRUE(close(s->lr(t), lrs[e + 1].get<double>())) << "epoch " << e;
    }
  }
  EXPECT_EQ(cases, 4);
}

TEST(PyTorchParity, PlateauStateRestoredMidSequenceContinuesIdentically) {
  for (const auto& c : fixture()["cases"]) {
    if (!c.contains("metrics")) continue;
    SCOPED_TRACE(c["label"].get<std::string>());
    const auto& metrics = c["metrics"];
    const std::size_t half = metrics.size() / 2;
    auto first = build(c);
    for (std::size_t e = 0; e < half; ++e) {
      first->observe(static_cast<std::int64_t>(e + 1), metrics[e].get<double>());
    }
    // Through text, as a checkpoint would store it.
    StateDict saved;
    saved.meta = nlohmann::json::parse(first->state_dict().meta.dump());
    auto second = build(c);
    second->load_state_dict(saved);
    for (std::size_t e = half; e < metrics.size(); ++e) {
      const auto t = static_cast<std::int64_t>(e + 1);
      first->observe(t, metrics[e].get<double>());
      second->observe(t, metrics[e].get<double>());
      ASSERT_EQ(first->lr(t), second->lr(t)) << "epoch " << e;
      ASSERT_TRUE(close(second->lr(t), c["lr"][e + 1].get<double>()));
    }
    // The η history before the restore point is kept too.
    for (std::int64_t t = 0; t <= static_cast<std::int64_t>(metrics.size()); ++t) {
      ASSERT_EQ(first->lr(t), second->lr(t)) << "t=" << t;
    }
  }
}

TEST(PyTorchParity, ConfigRebuildsAnEqualSchedule) {
  for (const auto& c : fixture()["cases"]) {
    SCOPED_TRACE(c["label"].get<std::string>());
    const auto s = build(c);
    const auto again = make_schedule(s->name(), nlohmann::json::parse(s->config().dump()),
                                     c["initial_lr"].get<double>(), 0);
    EXPECT_EQ(again->config(), s->config());
    for (std::int64_t t = 0; t < static_cast<std::int64_t>(c["lr"].size()); ++t) {
      ASSERT_EQ(again->lr(t), s->lr(t)) << "t=" << t;
    }
  }
}

}  // namespace
}  // namespace descent
