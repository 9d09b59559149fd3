// The factory: names, parameter parsing and its errors, defaults from total_steps, and the
// validation of every schedule's parameters (one clear InvalidArgument line each).
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "optim/schedule/make_schedule.h"
#include "schedule_test_util.h"

namespace descent {
namespace {

using nlohmann::json;
using testing::HasSubstr;

std::string schedule_error(std::string_view name, const json& params, double lr = 0.1,
                           std::int64_t total = 0) {
  try {
    make_schedule(name, params, lr, total);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

TEST(MakeSchedule, KnowsEveryScheduleByName) {
  const auto names = schedule_names();
  EXPECT_EQ(names.size(), 21u);
  // Minimal parameters for each.
  const json minimal = {
      {"Constant", json::object()},
      {"StepLR", {{"step_size", 3}}},
      {"MultiStepLR", {{"milestones", {2, 5}}}},
      {"ConstantLR", json::object()},
      {"LinearLR", json::object()},
      {"ExponentialLR", {{"gamma", 0.9}}},
      {"PolynomialLR", json::object()},
      {"CosineAnnealingLR", {{"T_max", 10}}},
      {"CosineAnnealingWarmRestarts", {{"T_0", 10}}},
      {"CyclicLR", {{"max_lr", 1.0}}},
      {"OneCycleLR", {{"total_steps", 100}}},
      {"SequentialLR",
       {{"schedules",
         {{{"name", "Constant"}}, {{"name", "ExponentialLR"}, {"params", {{"gamma", 0.5}}}}}},
        {"milestones", {3}}}},
      {"ChainedScheduler", {{"schedules", {{{"name", "Constant"}}}}}},
      {"ReduceLROnPlateau", json::object()},
      {"ExponentialDecay", {{"decay_steps", 10}, {"decay_rate", 0.5}}},
      {"PiecewiseConstantDecay", {{"boundaries", {10}}, {"values", {0.1, 0.01}}}},
      {"PolynomialDecay", {{"decay_steps", 10}}},
      {"InverseTimeDecay", {{"decay_steps", 10}, {"decay_rate", 0.5}}},
      {"CosineDecay", {{"decay_steps", 10}}},
      {"CosineDecayRestarts", {{"first_decay_steps", 10}}},
      {"KerasLegacyDecay", {{"decay", 0.01}}},
  };
  for (const auto name : names) {
    SCOPED_TRACE(std::string(name));
    ASSERT_TRUE(minimal.contains(std::string(name)));
    const auto s = make_schedule(name, minimal[std::string(name)], 0.1, 0);
    EXPECT_EQ(s->name(), name);
    EXPECT_GT(s->lr(0), 0.0);
    // state_dict → load into an equal schedule works; the state is plain JSON.
    const auto again = make_schedule(name, s->config(), 0.1, 0);
    again->load_state_dict(s->state_dict());
    EXPECT_TRUE(s->state_dict().tensors.empty());
  }
}

TEST(MakeSchedule, UnknownNameListsTheKnownOnes) {
  const auto msg = schedule_error("Cosine", json::object());
  EXPECT_THAT(msg, HasSubstr("unknown schedule 'Cosine'"));
  EXPECT_THAT(msg, HasSubstr("CosineAnnealingLR"));
  EXPECT_THAT(msg, HasSubstr("ReduceLROnPlateau"));
}

TEST(MakeSchedule, UnknownParameterIsNamed) {
  EXPECT_THAT(schedule_error("StepLR", {{"step_size", 3}, {"stepsize", 4}}),
              HasSubstr("StepLR: unknown parameter 'stepsize' (known: step_size, gamma)"));
  EXPECT_THAT(schedule_error("Constant", {{"lr", 1}}), HasSubstr("unknown parameter 'lr'"));
  EXPECT_THAT(schedule_error("SequentialLR", {{"schedules", {{{"name", "Constant"}, {"parms", 1}}}},
                                              {"milestones", json::array()}}),
              HasSubstr("unknown key 'parms'"));
}

TEST(MakeSchedule, WrongTypesAndMissingParametersAreNamed) {
  EXPECT_THAT(schedule_error("StepLR", {{"step_size", "3"}}),
              HasSubstr("StepLR: parameter 'step_size' must be an integer, got \"3\""));
  EXPECT_THAT(schedule_error("StepLR", {{"step_size", 2.5}}), HasSubstr("must be an integer"));
  EXPECT_EQ(make_schedule("StepLR", {{"step_size", 2.0}}, 0.1, 0)->config()["step_size"], 2);
  EXPECT_THAT(schedule_error("StepLR", {{"step_size", 3}, {"gamma", true}}),
              HasSubstr("'gamma' must be a number"));
  EXPECT_THAT(schedule_error("ExponentialDecay",
                             {{"decay_steps", 3}, {"decay_rate", 0.5}, {"staircase", 1}}),
              HasSubstr("'staircase' must be true or false"));
  EXPECT_THAT(schedule_error("MultiStepLR", {{"milestones", 3}}), HasSubstr("must be a list"));
  EXPECT_THAT(schedule_error("StepLR", json::object()),
              HasSubstr("StepLR: missing parameter 'step_size'"));
  EXPECT_THAT(schedule_error("StepLR", json::array()), HasSubstr("must be a JSON object"));
  EXPECT_THAT(schedule_error("OneCycleLR", json::object()),
              HasSubstr("missing parameter 'total_steps'"));
  EXPECT_THAT(schedule_error("CyclicLR", {{"max_lr", 1.0}, {"mode", "triangle"}}),
              HasSubstr("unknown mode 'triangle'"));
  EXPECT_THAT(schedule_error("OneCycleLR", {{"total_steps", 10}, {"anneal_strategy", "cosine"}}),
              HasSubstr("unknown anneal_strategy 'cosine'"));
  EXPECT_THAT(schedule_error("ReduceLROnPlateau", {{"threshold_mode", "relative"}}),
              HasSubstr("unknown threshold_mode 'relative'"));
}

TEST(MakeSchedule, TotalStepsFillsOneCycleAndCosineAnnealing) {
  const auto one = make_schedule("OneCycleLR", json::object(), 0.1, 250);
  EXPECT_EQ(one->config()["total_steps"], 250);
  EXPECT_DOUBLE_EQ(one->config()["max_lr"].get<double>(), 0.1);
  EXPECT_THROW(one->lr(251), InvalidArgument);
  const auto cos = make_schedule("CosineAnnealingLR", json::object(), 0.1, 80);
  EXPECT_EQ(cos->config()["T_max"], 80);
  // Inside SequentialLR, a schedule gets the steps left after its milestone.
  const auto seq =
      make_schedule("SequentialLR",
                    {{"schedules", {{{"name", "LinearLR"}}, {{"name", "CosineAnnealingLR"}}}},
                     {"milestones", {5}}},
                    0.1, 100);
  EXPECT_EQ(seq->config()["schedules"][1]["params"]["T_max"], 95);
  EXPECT_NEAR(seq->lr(100), 0.0, 1e-15);
}

// Each row: schedule, parameters, part of the expected message.
struct BadCase {
  const char* name;
  const char* params;
  const char* message;
};

TEST(MakeSchedule, EveryInvalidParameterGivesOneClearLine) {
  const BadCase cases[] = {
      {"StepLR", R"({"step_size": 0})", "StepLR: step_size must be >= 1, got 0"},
      {"StepLR", R"({"step_size": 5, "gamma": 0})", "StepLR: gamma must be > 0, got 0"},
      {"MultiStepLR", R"({"milestones": [5, 3]})", "milestones must be strictly increasing"},
      {"MultiStepLR", R"({"milestones": []})", "MultiStepLR: milestones is empty"},
      {"ConstantLR", R"({"factor": 0})", "ConstantLR: factor must be in (0, 1], got 0"},
      {"ConstantLR", R"({"factor": 1.5})", "factor must be in (0, 1]"},
      {"ConstantLR", R"({"total_iters": 0})", "total_iters must be >= 1"},
      {"LinearLR", R"({"start_factor": 0})", "start_factor must be in (0, 1]"},
      {"LinearLR", R"({"end_factor": 2})", "end_factor must be in [0, 1]"},
      {"ExponentialLR", R"({"gamma": -0.5})", "ExponentialLR: gamma must be > 0"},
      {"PolynomialLR", R"({"power": -1})", "power must be > 0"},
      {"CosineAnnealingLR", R"({"T_max": 0})", "T_max must be >= 1"},
      {"CosineAnnealingLR", R"({"T_max": 5, "eta_min": -1})", "eta_min must be >= 0"},
      {"CosineAnnealingWarmRestarts", R"({"T_0": 0})", "T_0 must be >= 1"},
      {"CosineAnnealingWarmRestarts", R"({"T_0": 5, "T_mult": 0})", "T_mult must be >= 1"},
      {"CyclicLR", R"({"max_lr": 0})", "max_lr must be a finite learning rate > 0"},
      {"CyclicLR", R"({"max_lr": 1, "step_size_up": 0})", "step_size_up must be >= 1"},
      {"CyclicLR", R"({"max_lr": 1, "step_size_down": 0})", "step_size_down must be >= 1"},
      {"CyclicLR", R"({"max_lr": 1, "base_momentum": 0.95})", "base_momentum must be in [0, 0.9]"},
      {"OneCycleLR", R"({"total_steps": 100, "pct_start": 1.0})", "pct_start must be in (0, 1)"},
      {"OneCycleLR", R"({"total_steps": 100, "div_factor": 0})", "div_factor must be > 0"},
      {"OneCycleLR", R"({"total_steps": 3, "pct_start": 0.2})", "leaves phase 1 empty"},
      {"OneCycleLR", R"({"total_steps": 10, "pct_start": 0.6, "three_phase": true})",
       "leaves phase 3 empty"},
      {"SequentialLR", R"({"schedules": [{"name": "Constant"}], "milestones": []})",
       "needs at least 2 schedules"},
      {"SequentialLR",
       R"({"schedules": [{"name": "Constant"}, {"name": "Constant"}], "milestones": [1, 2]})",
       "2 schedules need 1 milestones, got 2"},
      {"SequentialLR",
       R"({"schedules": [{"name": "Constant"}, {"name": "Constant"}], "milestones": [0]})",
       "milestones must be strictly increasing and >= 1"},
      {"SequentialLR", R"({"schedules": [{"params": {}}], "milestones": []})",
       "schedule spec must be"},
      {"ChainedScheduler", R"({"schedules": []})", "needs at least 1 schedule"},
      {"ReduceLROnPlateau", R"({"factor": 1.0})", "factor must be in (0, 1)"},
      {"ReduceLROnPlateau", R"({"mode": "lowest"})", "unknown mode 'lowest'"},
      {"ReduceLROnPlateau", R"({"inner": {"name": "StepLR"}})",
       "StepLR: missing parameter 'step_size'"},
      {"ExponentialDecay", R"({"decay_steps": 0, "decay_rate": 0.5})", "decay_steps must be >= 1"},
      {"PiecewiseConstantDecay", R"({"boundaries": [5], "values": [1]})",
       "values needs one more entry than boundaries (1), got 1"},
      {"PiecewiseConstantDecay", R"({"boundaries": [5], "values": [1, -1]})",
       "values[1] must be a finite learning rate > 0"},
      {"PolynomialDecay", R"({"decay_steps": 10, "end_learning_rate": -1})",
       "end_learning_rate must be >= 0"},
      {"InverseTimeDecay", R"({"decay_steps": 10, "decay_rate": -1})", "decay_rate must be >= 0"},
      {"CosineDecay", R"({"decay_steps": 10, "warmup_steps": -1})", "warmup_steps must be >= 0"},
      {"CosineDecayRestarts", R"({"first_decay_steps": 10, "m_mul": 0})", "m_mul must be > 0"},
      {"KerasLegacyDecay", R"({"decay": -0.1})", "decay must be >= 0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.name) + " " + c.params);
    const auto msg = schedule_error(c.name, json::parse(c.params));
    EXPECT_THAT(msg, HasSubstr(c.message));
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  EXPECT_THAT(schedule_error("StepLR", {{"step_size", 3}}, -0.1),
              HasSubstr("StepLR: initial lr must be a finite learning rate > 0, got -0.1"));
  EXPECT_THAT(schedule_error("StepLR", {{"step_size", 3}}, std::nan("")), HasSubstr("initial lr"));
}

TEST(MakeSchedule, NegativeStepIsRejected) {
  for (const auto name : {"Constant", "LinearLR", "ConstantLR", "PolynomialLR"}) {
    EXPECT_THROW(make_schedule(name, json::object(), 0.1, 0)->lr(-1), InvalidArgument) << name;
  }
}

}  // namespace
}  // namespace descent
