#include "report/html_report.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "count_occurrences.h"
#include "report/html/chart_json.h"
#include "report/html/envelope.h"
#include "run_fixtures.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class HtmlReport : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("descent_html_report_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string page_for(const std::vector<fs::path>& dirs) {
    std::vector<RunInputs> runs;
    for (const fs::path& dir : dirs)
      runs.push_back(read_run_inputs(dir));
    return html_report(runs, "test report");
  }
  fs::path root_;
};

// The JSON of the page's <script type="application/json"> element.
nlohmann::json page_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const std::size_t begin = page.find(open);
  if (begin == std::string::npos) return nullptr;
  const std::size_t end = page.find("</script>", begin);
  return nlohmann::json::parse(page.substr(begin + open.size(), end - begin - open.size()));
}

// Where `needle` first appears, for checking the order of sections.
std::size_t at(const std::string& page, const std::string& needle) {
  const std::size_t position = page.find(needle);
  EXPECT_NE(position, std::string::npos) << "missing: " << needle;
  return position;
}

TEST_F(HtmlReport, ATrainingRunHasFiguresItsCurvesAndLastItsConfiguration) {
  testing::write_train_dir(root_ / "train");
  const std::string page = page_for({root_ / "train"});
  EXPECT_THAT(page, HasSubstr("<title>test report</title>"));
  EXPECT_LT(at(page, ">Training</h3>"), at(page, ">Configuration</h3>"));
  EXPECT_LT(at(page, "<figure class=\"chart"), at(page, ">Configuration</h3>"));
  // Folded: the settings are there for whoever opens them, not on the first screen.
  EXPECT_LT(at(page, ">Configuration</h3>"),
            at(page, "<details class=\"config\"><summary>config.json</summary>"));
  EXPECT_LT(at(page, "<details class=\"config\"><summary>config.json</summary>"),
            at(page, "optimizer.momentum"));
  EXPECT_THAT(page, HasSubstr("test accuracy"));
  const nlohmann::json data = page_data(page);
  // loss, accuracy (training against validation), η
  ASSERT_EQ(data["charts"].size(), 3u);
  EXPECT_EQ(data["charts"][0]["title"], "Loss");
  EXPECT_EQ(data["charts"][1]["title"], "accuracy");
  EXPECT_EQ(data["charts"][2]["title"], "Learning rate");
  EXPECT_EQ(testing::count_occurrences(page, "<figure class=\"chart"), 3u);
}

TEST_F(HtmlReport, ARangeTestShowsItsSuggestions) {
  testing::write_finder_dir(root_ / "find");
  const std::string page = page_for({root_ / "find"});
  const LrFinderResult finder = testing::fixture_finder();
  EXPECT_THAT(page, HasSubstr(">Learning-rate range test</h3>"));
  EXPECT_THAT(page, HasSubstr("Suggested η = <strong>"));
  EXPECT_THAT(page, HasSubstr(finder.suggested.rule + " (suggested)"));
  const nlohmann::json chart = page_data(page)["charts"][0];
  EXPECT_TRUE(chart["x_log"].get<bool>());
  EXPECT_EQ(chart["series"][0]["x"].size(), finder.lr.size());
  EXPECT_EQ(chart["points"].size(), finder.suggestions.size());
}

TEST_F(HtmlReport, ASweepShowsVerdictsTheBestEtaAndTheBound) {
  testing::write_sweep_dir(root_ / "sweep");
  const std::string page = page_for({root_ / "sweep"});
  for (const char* chip :
       {"v-good\">good", "v-low\">too low", "v-high\">too high", "v-diverged\">diverged"})
    EXPECT_THAT(page, HasSubstr(chip));
  EXPECT_THAT(page, HasSubstr("Best η = <strong>0.01</strong>"));
  EXPECT_THAT(page, HasSubstr("<tr class=\"best\">"));
  const nlohmann::json charts = page_data(page)["charts"];
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0]["series"].size(), 4u);  // one line per η
  EXPECT_TRUE(charts[0]["y_log"].get<bool>());
  bool bound = false;
  for (const auto& v : charts[1]["verticals"])
    bound = bound || v["label"] == "2/λmax = 0.25";
  EXPECT_TRUE(bound) << charts[1]["verticals"];
}

TEST_F(HtmlReport, SharpnessShowsTheBoundWithMomentum) {
  testing::write_sharpness_dir(root_ / "sharp");
  const std::string page = page_for({root_ / "sharp"});
  EXPECT_THAT(page, HasSubstr(">Sharpness bound</h3>"));
  EXPECT_THAT(page, HasSubstr("<td>2/λmax</td><td>0.25</td>"));
  EXPECT_THAT(page, HasSubstr("<td>2(1+μ)/λmax</td><td>0.475</td>"));
  EXPECT_EQ(page_data(page)["charts"].size(), 1u);
}

TEST_F(HtmlReport, ATuneStartsWithTheChosenEtaThenItsStagesInOrder) {
  testing::write_tune_dir(root_ / "tune");
  const std::string page = page_for({root_ / "tune"});
  const std::size_t chosen = at(page, "η = <strong>0.01</strong>");
  EXPECT_LT(at(page, ">Chosen learning rate</h3>"), chosen);
  EXPECT_THAT(page, HasSubstr("lowest final validation loss of the sweep"));
  EXPECT_LT(chosen, at(page, ">Stage find-lr/</h3>"));
  EXPECT_LT(at(page, ">Stage find-lr/</h3>"), at(page, ">Stage sweep/</h3>"));
  EXPECT_LT(at(page, ">Stage sweep/</h3>"), at(page, ">Stage final/</h3>"));
  EXPECT_LT(at(page, ">Stage final/</h3>"), at(page, ">Stage sharpness/</h3>"));
  // The sweep stage has no bound of its own: the sharpness stage's (μ = 0.9) is drawn.
  bool bound = false;
  const nlohmann::json data = page_data(page);
  for (const auto& chart : data["charts"])
    for (const auto& v : chart["verticals"])
      bound = bound || v["label"] == "2(1+μ)/λmax = 0.475";
  EXPECT_TRUE(bound);
}

// What a tune's reader wants first is the answer and its evidence; the flags come last, folded.
TEST_F(HtmlReport, ATuneOpensWithTheAnswerAndEndsWithItsConfiguration) {
  testing::write_tune_dir(root_ / "tune");
  const std::string page = page_for({root_ / "tune"});
  const std::size_t main = at(page, "<main>");
  // The first section of the run is the chosen η, and the first chart the range test's.
  EXPECT_EQ(page.find("<h3", main), at(page, "<h3 id=\"s2\">Chosen learning rate</h3>"));
  EXPECT_LT(at(page, "η = <strong>0.01</strong>"), at(page, "<figure class=\"chart"));
  const nlohmann::json data = page_data(page);
  ASSERT_FALSE(data["charts"].empty());
  EXPECT_THAT(data["charts"][0]["title"].get<std::string>(), HasSubstr("Learning-rate range test"));
  // The configuration section comes after the last chart, once, with every config.json folded.
  const std::size_t configuration = at(page, ">Configuration</h3>");
  EXPECT_LT(page.rfind("<figure class=\"chart"), configuration);
  EXPECT_EQ(testing::count_occurrences(page, ">Configuration</h"), 1u);
  for (const char* name : {"config.json", "find-lr/config.json", "sweep/config.json",
                           "final/config.json", "sharpness/config.json"})
    EXPECT_LT(configuration,
              at(page, std::string("<details class=\"config\"><summary>") + name + "</summary>"))
        << name;
  EXPECT_THAT(page, Not(HasSubstr("<details open")));
}

// A 100,000-step run: the page carries each series' envelope, not every step, and a single spike
// keeps its full height.
TEST_F(HtmlReport, ALongRunEmbedsTheEnvelopeOfEachSeries) {
  History history = testing::fixture_history(1, 100000, 0.05, 0.001);
  history.steps[54321].loss = 50.0;
  testing::write_json(root_ / "long" / "history.json", history.to_json());
  const std::string page = page_for({root_ / "long"});
  const nlohmann::json data = page_data(page);
  ASSERT_FALSE(data["charts"].empty());
  for (const auto& chart : data["charts"])
    for (const auto& series : chart["series"]) {
      EXPECT_LE(series["x"].size(), html::kMaxChartPoints) << series["label"];
      EXPECT_EQ(series["x"].size(), series["y"].size()) << series["label"];
    }
  const nlohmann::json& loss = data["charts"][0]["series"][0];
  ASSERT_EQ(data["charts"][0]["title"], "Loss");
  double highest = 0;
  std::size_t at_step = 0;
  for (std::size_t i = 0; i < loss["y"].size(); ++i)
    if (loss["y"][i].is_number() && loss["y"][i].get<double>() > highest) {
      highest = loss["y"][i].get<double>();
      at_step = i;
    }
  EXPECT_EQ(highest, 50.0);
  EXPECT_EQ(loss["x"][at_step], 54322);  // steps count from 1
  EXPECT_LT(page.size(), 1'000'000u);
}

TEST_F(HtmlReport, SeveralDirectoriesGoInTheGivenOrder) {
  testing::write_sweep_dir(root_ / "b-sweep");
  testing::write_train_dir(root_ / "a-train");
  const std::string page = page_for({root_ / "b-sweep", root_ / "a-train"});
  EXPECT_LT(at(page, ">b-sweep</h2>"), at(page, ">a-train</h2>"));
  EXPECT_EQ(page_data(page)["charts"].size(), 5u);
}

TEST_F(HtmlReport, HostileNamesAndValuesStayText) {
  // A directory named "<script>alert(1)</script>" (the "/" makes it two levels).
  const fs::path dir = root_ / "<script>alert(1)</script>";
  testing::write_train_dir(dir);
  nlohmann::json config = testing::fixture_config("train", 0.1);
  config["model"] = "</script><img src=x onerror=\"document.body.dataset.pwned=1\">";
  config["<b>key</b>"] = "it's \"quoted\" & <i>tagged</i>";
  testing::write_json(dir / "config.json", config);
  // A metric whose name is markup reaches table headers and chart titles.
  History history = testing::fixture_history(2, 20, 0.1, 0.05);
  for (Logs& logs : history.epochs)
    logs.set("<img src=x onerror=alert(2)>", 0.5);
  testing::write_json(dir / "history.json", history.to_json());

  const std::string page = page_for({dir});
  for (const char* raw : {"<script>alert", "<img", "<b>key", "<i>tagged", "onerror=\"document"})
    EXPECT_THAT(page, Not(HasSubstr(raw)));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page, HasSubstr("&lt;/script&gt;&lt;img src=x onerror=&quot;document"));
  EXPECT_THAT(page, HasSubstr("it&#39;s &quot;quoted&quot; &amp; &lt;i&gt;tagged&lt;/i&gt;"));
  // Four script elements (guard, uPlot, data, drawing), each closed once.
  EXPECT_EQ(testing::count_occurrences(page, "</script>"), 4u);
  const nlohmann::json data = page_data(page);
  bool titled = false;
  for (const auto& chart : data["charts"])
    titled = titled || chart["title"] == "<img src=x onerror=alert(2)>";
  EXPECT_TRUE(titled) << "the hostile metric name survives as text in the chart data";
}

// The DataError `html_report` throws for the directory.
std::string data_error(const fs::path& dir) {
  try {
    html_report({read_run_inputs(dir)}, "t");
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DataError for " << dir;
  return "";
}

TEST_F(HtmlReport, AFileOfTheWrongShapeIsADataErrorNamingFileAndField) {
  testing::write_sweep_dir(root_ / "sweep");
  nlohmann::json sweep = testing::fixture_sweep().to_json();
  sweep["runs"][2]["verdict"] = "great";
  testing::write_json(root_ / "sweep" / "sweep.json", sweep);
  EXPECT_THAT(data_error(root_ / "sweep"),
              HasSubstr("sweep.json: field 'runs[2].verdict' is 'great'"));

  testing::write_train_dir(root_ / "train");
  nlohmann::json history = testing::fixture_history(1, 5, 0.1, 0.1).to_json();
  history["steps"]["loss"].erase(0);
  testing::write_json(root_ / "train" / "history.json", history);
  EXPECT_THAT(data_error(root_ / "train"),
              HasSubstr("history.json: field 'steps' has columns of different lengths"));

  testing::write_finder_dir(root_ / "find");
  testing::write_json(root_ / "find" / "lr_finder.json", {{"curve", {{"lr", "fast"}}}});
  EXPECT_THAT(data_error(root_ / "find"),
              HasSubstr("lr_finder.json: field 'curve.lr' must be an array"));

  testing::write_sharpness_dir(root_ / "sharp");
  testing::write_json(root_ / "sharp" / "sharpness.json", {{"estimates", {1, 2}}});
  EXPECT_THAT(data_error(root_ / "sharp"), HasSubstr("sharpness.json: missing field 'lambda_max'"));
}

TEST_F(HtmlReport, WritesTheFileAndReplacesIt) {
  testing::write_train_dir(root_ / "train");
  const fs::path out = root_ / "report.html";
  std::ofstream(out) << "old";
  write_html_report(std::vector<fs::path>{root_ / "train"}, out, "t");
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("<!DOCTYPE html>"));
  EXPECT_FALSE(fs::exists(root_ / "report.html.tmp"));
}

TEST_F(HtmlReport, AnUnwritableOutputIsAnIoErrorNamingIt) {
  testing::write_train_dir(root_ / "train");
  const fs::path out = root_ / "missing-dir" / "report.html";
  try {
    write_html_report(std::vector<fs::path>{root_ / "train"}, out, "t");
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr(out.string()));
  }
}

TEST_F(HtmlReport, NoDirectoriesIsInvalid) {
  EXPECT_THROW(html_report({}, "t"), InvalidArgument);
}

TEST(ChartJson, RoundsValuesAndTurnsGapsIntoNull) {
  ChartSpec spec{.title = "t", .y_scale = Scale::log};
  spec.series.push_back(
      {.label = "a", .x = {1, 2, 3, 4}, .y = {0.123456789, std::nan(""), -1.0, 2.0}});
  const nlohmann::json json = html::chart_json(spec);
  EXPECT_EQ(json["series"][0]["y"], nlohmann::json::parse("[0.123457, null, null, 2.0]"));
  EXPECT_TRUE(json["y_log"].get<bool>());
  EXPECT_FALSE(json["x_log"].get<bool>());
  EXPECT_EQ(json["series"][0]["color"], "rgba(31,119,180,1)");
}

TEST(ChartJson, GroupsPointMarkersByLabelAndColour) {
  ChartSpec spec;
  const Color green{0, 1, 0}, red{1, 0, 0};
  spec.points = {{.x = 1, .y = 1, .label = "good", .color = green},
                 {.x = 2, .y = 2, .label = "", .color = green},
                 {.x = 3, .y = 3, .label = "diverged", .color = red}};
  const nlohmann::json points = html::chart_json(spec)["points"];
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0]["label"], "good");
  EXPECT_EQ(points[0]["x"], nlohmann::json::parse("[1.0, 2.0]"));
  EXPECT_EQ(points[1]["label"], "diverged");
}

}  // namespace
}  // namespace descent
