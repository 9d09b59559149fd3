// A run's history as its files hold it: each step's loss and η in history.json and steps.csv, and a
// checkpoint's history read back exactly.
#include "train/history.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/schedule/step_lr.h"
#include "optim/sgd.h"
#include "read_file.h"
#include "temp_dir.h"
#include "train/model.h"

namespace descent {
namespace {

// Six steps whose η halves every two steps, so that no step's η equals its loss.
History scheduled_run() {
  Model model(2);
  model.add(Dense(3, {.activation = "tanh", .input_shape = {2}}));
  model.add(Dense(2));
  model.compile<SGD>({.lr = 0.2}, "sparse_categorical_crossentropy", {});
  return model.fit(moons(48, 0.1, 4), {.epochs = 2,
                                       .batch_size = 16,
                                       .verbose = 0,
                                       .schedule = std::make_shared<StepLR>(
                                           0.2, StepLROptions{.step_size = 2, .gamma = 0.5})});
}

TEST(History, JsonHoldsEachStepsLossAndLearningRate) {
  const History history = scheduled_run();
  ASSERT_EQ(history.steps.size(), 6u);
  const nlohmann::json json = history.to_json();
  const auto& steps = json.at("steps");
  for (std::size_t i = 0; i < history.steps.size(); ++i) {
    EXPECT_EQ(steps.at("step").at(i), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(steps.at("epoch").at(i), i < 3 ? 1 : 2);
    EXPECT_DOUBLE_EQ(steps.at("loss").at(i).get<double>(), history.steps[i].loss);
    EXPECT_DOUBLE_EQ(steps.at("lr").at(i).get<double>(), 0.2 * std::pow(0.5, i / 2));
  }
  const History back = History::from_json(json);
  ASSERT_EQ(back.steps.size(), history.steps.size());
  for (std::size_t i = 0; i < history.steps.size(); ++i) {
    EXPECT_EQ(back.steps[i].loss, history.steps[i].loss);
    EXPECT_EQ(back.steps[i].lr, history.steps[i].lr);
  }
  EXPECT_EQ(back.epochs.back().get("loss"), history.epochs.back().get("loss"));
}

TEST(History, StepsCsvHasOneRowPerStepWithItsLearningRate) {
  const History history = scheduled_run();
  testing::TempDir dir;
  history.write_steps_csv(dir / "steps.csv");
  std::istringstream csv(testing::read_file(dir / "steps.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "step,epoch,loss,lr");
  int rows = 0;
  while (std::getline(csv, line)) {
    const double lr = std::stod(line.substr(line.rfind(',') + 1));
    EXPECT_DOUBLE_EQ(lr, 0.2 * std::pow(0.5, rows / 2)) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 6);
}

}  // namespace
}  // namespace descent
