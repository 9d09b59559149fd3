#include "report/report_inputs.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "run_fixtures.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::write_json;

class ReportInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("descent_report_inputs_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

// The message of the exception `read_run_inputs(dir)` throws, which must be of type E.
template <typename E>
std::string error_of(const fs::path& dir) {
  try {
    read_run_inputs(dir);
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << dir;
  return "";
}

TEST_F(ReportInputs, RecognizesATrainingRun) {
  testing::write_train_dir(root_ / "train");
  const RunInputs run = read_run_inputs(root_ / "train");
  EXPECT_TRUE(run.history && run.config && run.results);
  EXPECT_FALSE(run.lr_finder || run.sweep || run.sharpness || run.is_tune());
  EXPECT_EQ(run.describe(), "training run");
}

TEST_F(ReportInputs, RecognizesEachKindOfRun) {
  testing::write_finder_dir(root_ / "find");
  testing::write_sweep_dir(root_ / "sweep");
  testing::write_sharpness_dir(root_ / "sharp");
  EXPECT_EQ(read_run_inputs(root_ / "find").describe(), "range test");
  EXPECT_EQ(read_run_inputs(root_ / "sweep").describe(), "sweep");
  EXPECT_EQ(read_run_inputs(root_ / "sharp").describe(), "sharpness");
}

TEST_F(ReportInputs, ReadsATuneDirectoryWithItsStagesInOrder) {
  testing::write_tune_dir(root_ / "tune");
  const RunInputs run = read_run_inputs(root_ / "tune");
  ASSERT_TRUE(run.is_tune());
  ASSERT_EQ(run.stages.size(), 4u);
  EXPECT_EQ(run.stages[0].name, "find-lr");
  EXPECT_EQ(run.stages[1].name, "sweep");
  EXPECT_EQ(run.stages[2].name, "final");
  EXPECT_EQ(run.stages[3].name, "sharpness");
  EXPECT_TRUE(run.stages[2].run.history.has_value());
  EXPECT_EQ(run.results->at("chosen_lr"), 0.01);
  EXPECT_EQ(run.describe(), "tune (find-lr, sweep, final, sharpness)");
}

TEST_F(ReportInputs, SkipsAStageThatATuneNeverReached) {
  testing::write_tune_dir(root_ / "tune");
  fs::remove_all(root_ / "tune" / "final");
  fs::create_directories(root_ / "tune" / "final");
  const RunInputs run = read_run_inputs(root_ / "tune");
  ASSERT_EQ(run.stages.size(), 3u);
  EXPECT_EQ(run.stages[2].name, "sharpness");
}

TEST_F(ReportInputs, AMissingDirectoryIsAnIoErrorNamingIt) {
  EXPECT_THAT(error_of<IoError>(root_ / "nowhere"), HasSubstr("nowhere does not exist"));
}

TEST_F(ReportInputs, AFileIsNotARunDirectory) {
  write_json(root_ / "history.json", {});
  EXPECT_THAT(error_of<IoError>(root_ / "history.json"), HasSubstr("is not a directory"));
}

TEST_F(ReportInputs, ADirectoryWithNothingToShowIsADataErrorNamingIt) {
  fs::create_directories(root_ / "empty");
  EXPECT_THAT(error_of<DataError>(root_ / "empty"),
              HasSubstr((root_ / "empty").string() + " holds nothing to report"));
  write_json(root_ / "only-config" / "config.json", {{"a", 1}});
  EXPECT_THAT(error_of<DataError>(root_ / "only-config"), HasSubstr("only-config holds nothing"));
}

TEST_F(ReportInputs, MalformedJsonIsADataErrorNamingTheFile) {
  testing::write_train_dir(root_ / "train");
  std::ofstream(root_ / "train" / "config.json") << "{\"model\": ";
  EXPECT_THAT(error_of<DataError>(root_ / "train"),
              HasSubstr((root_ / "train" / "config.json").string() + ": malformed JSON"));
}

TEST_F(ReportInputs, MalformedJsonInAStageNamesTheStageFile) {
  testing::write_tune_dir(root_ / "tune");
  std::ofstream(root_ / "tune" / "sweep" / "sweep.json") << "[1, 2";
  EXPECT_THAT(error_of<DataError>(root_ / "tune"), HasSubstr("sweep/sweep.json: malformed JSON"));
}

}  // namespace
}  // namespace descent
