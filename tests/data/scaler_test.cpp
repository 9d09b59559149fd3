#include "data/scaler.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

// 40 rows of three features, as a tabular file has them: `small` in [0, 1], `large` in the
// thousands (like wine's proline), `constant` always 7. The last 10 rows, a validation tail of
// 0.25, have `large` near 100,000: a scaler fitted on them as well would be far off.
Dataset forty_rows() {
  Dataset d;
  d.sample_shape = {3};
  for (int i = 0; i < 40; ++i) {
    const float large = i < 30 ? 1000.0f + 37.0f * i : 100000.0f + i;
    d.values.insert(d.values.end(), {0.25f * (i % 5), large, 7.0f});
    d.labels.push_back(i % 5 >= 3);
  }
  d.num_classes = 2;
  return d;
}

TEST(Scaler, StandardIsFittedOnTheTrainingPartOnly) {
  const Scaler s = Scaler::fit(ScaleMethod::standard, forty_rows(), 30);
  EXPECT_EQ(s.method(), ScaleMethod::standard);
  const nlohmann::json state = s.to_json();
  EXPECT_EQ(state["kind"], "standardize");
  // By hand (numpy's x[:30].mean(0), x[:30].std(0) agree): small cycles 0, .25, .5, .75, 1, so
  // its mean is .5 and its variance .25² · 2; large is 1000 + 37·i for i = 0 … 29, so its mean
  // is 1000 + 37 · 14.5 and its std 37 · sqrt((30² − 1) / 12); constant gets std 1 (scikit-learn).
  EXPECT_DOUBLE_EQ(state["mean"][0].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(state["mean"][1].get<double>(), 1536.5);
  EXPECT_DOUBLE_EQ(state["mean"][2].get<double>(), 7.0);
  EXPECT_NEAR(state["std"][0].get<double>(), std::sqrt(0.125), 1e-12);
  EXPECT_NEAR(state["std"][1].get<double>(), 37.0 * std::sqrt(899.0 / 12.0), 1e-9);
  EXPECT_EQ(state["std"][2].get<double>(), 1.0);
}

TEST(Scaler, StandardScalesEveryRowWithTheTrainingFigures) {
  const Scaler s = Scaler::fit(ScaleMethod::standard, forty_rows(), 30);
  Dataset d = forty_rows();
  s.transform(d, "rows.csv");
  // Row 0 of the training part: small 0 and large 1000, each (x − mean) / std.
  EXPECT_FLOAT_EQ(d.values[0], static_cast<float>(-0.5 / std::sqrt(0.125)));
  EXPECT_FLOAT_EQ(d.values[1], static_cast<float>(-536.5 / (37.0 * std::sqrt(899.0 / 12.0))));
  EXPECT_EQ(d.values[2], 0.0f);  // the constant column: 0, not NaN
  // A tail row keeps its distance: (100030 − 1536.5) / 320.25 ≈ 307.5, far outside [−3, 3].
  EXPECT_GT(d.values[30 * 3 + 1], 300.0f);
  for (float v : d.values)
    EXPECT_TRUE(std::isfinite(v));
}

TEST(Scaler, MinMaxIsFittedOnTheTrainingPartOnly) {
  const Scaler s = Scaler::fit(ScaleMethod::minmax, forty_rows(), 30);
  EXPECT_EQ(s.method(), ScaleMethod::minmax);
  const nlohmann::json state = s.to_json();
  EXPECT_EQ(state["kind"], "minmax");
  EXPECT_EQ(state["min"], (nlohmann::json{0.0, 1000.0, 7.0}));
  EXPECT_EQ(state["max"], (nlohmann::json{1.0, 1000.0 + 37.0 * 29, 7.0}));
  Dataset d = forty_rows();
  s.transform(d, "rows.csv");
  EXPECT_EQ(d.values[3 * 29 + 1], 1.0f);  // the training part's largest `large`
  EXPECT_EQ(d.values[2], 0.0f);           // constant: the low end of the range, not NaN
}

TEST(Scaler, RoundTripsThroughJsonByKind) {
  for (ScaleMethod method : {ScaleMethod::standard, ScaleMethod::minmax}) {
    const Scaler s = Scaler::fit(method, forty_rows(), 30);
    const Scaler t = Scaler::from_json(s.to_json());
    EXPECT_EQ(t.method(), method);
    Dataset a = forty_rows(), b = forty_rows();
    s.transform(a, "a");
    t.transform(b, "b");
    EXPECT_EQ(a.values, b.values);
  }
  EXPECT_THROW(Scaler::from_json(nlohmann::json{{"kind", "robust"}}), DataError);
  EXPECT_THROW(Scaler::from_json(nlohmann::json::array()), DataError);
  EXPECT_THROW(Scaler::from_json(nlohmann::json{{"kind", "standardize"}}), DataError);
}

TEST(Scaler, OtherFeatureCountIsADataErrorNamingTheData) {
  const Scaler s = Scaler::fit(ScaleMethod::standard, forty_rows(), 30);
  Dataset narrow;
  narrow.sample_shape = {2};
  narrow.values = {1, 2};
  narrow.labels = {0};
  narrow.num_classes = 2;
  try {
    s.transform(narrow, "other.csv");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("other.csv: samples of 2 features, but the standard scaling was "
                          "fitted on 3"));
  }
}

TEST(Scaler, RefusesNothingToFitAndCountsOutsideTheData) {
  EXPECT_THROW(Scaler::fit(ScaleMethod::none, forty_rows(), 30), InvalidArgument);
  EXPECT_THROW(Scaler::fit(ScaleMethod::standard, forty_rows(), 0), InvalidArgument);
  EXPECT_THROW(Scaler::fit(ScaleMethod::minmax, forty_rows(), 41), InvalidArgument);
}

TEST(ScaleMethod, NamesAreExact) {
  EXPECT_EQ(scale_method_from_name("standard"), ScaleMethod::standard);
  EXPECT_EQ(scale_method_from_name("minmax"), ScaleMethod::minmax);
  EXPECT_EQ(scale_method_from_name("none"), ScaleMethod::none);
  EXPECT_EQ(scale_method_from_name("Standard"), std::nullopt);
  EXPECT_EQ(scale_method_from_name("standardize"), std::nullopt);
  EXPECT_EQ(scale_method_from_name(""), std::nullopt);
  for (ScaleMethod method : {ScaleMethod::none, ScaleMethod::standard, ScaleMethod::minmax})
    EXPECT_EQ(scale_method_from_name(to_string(method)), method);
}

}  // namespace
}  // namespace descent
