// Keras's schedules against what Keras's own tests assert they return
// (tests/fixtures/keras_golden.json, from keras-team/keras
// keras/src/optimizers/schedules/learning_rate_schedule_test.py): the same schedules, built by
// make_schedule() from Keras's argument names, at the same steps, within Keras's atol 1e-6 and
// rtol 1e-6. Keras's tests state these values as expressions, not numbers Keras printed.
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture_file.h"
#include "optim/schedule/make_schedule.h"

namespace descent {
namespace {

using nlohmann::json;

TEST(KerasGoldenSchedules, EveryScheduleReturnsWhatKerasTestsAssert) {
  const json doc = test_fixtures::read("keras_golden.json");
  ASSERT_FALSE(doc.at("schedules").empty());
  for (const json& c : doc.at("schedules")) {
    SCOPED_TRACE(c.at("test").get<std::string>());
    json params = c.at("arguments");
    // PiecewiseConstantDecay has no initial rate: its values are the rates.
    const double initial_lr = params.value("initial_learning_rate", 1.0);
    params.erase("initial_learning_rate");
    const auto schedule = make_schedule(c.at("schedule").get<std::string>(), params, initial_lr, 0);
    const json& steps = c.at("steps");
    const json& expected = c.at("expected");
    const double rtol = c.at("rtol"), atol = c.at("atol");
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const double lr = schedule->lr(steps[i].get<std::int64_t>()), e = expected[i];
      EXPECT_LE(std::abs(lr - e), atol + rtol * std::abs(e))
          << "step " << steps[i] << ": " << lr << ", Keras expects " << e << " ("
          << c.at("keras_expected").get<std::string>() << ")";
    }
  }
}

}  // namespace
}  // namespace descent
