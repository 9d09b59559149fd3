#include "data/scaling.h"

#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.h"
#include "temp_dir.h"

namespace descent {
namespace {

using testing::TempDir;

// Rows {1, 10}, {3, 10}, {5, 10}: feature 1 is constant.
Dataset three_rows() {
  Dataset d;
  d.sample_shape = {2};
  d.values = {1, 10, 3, 10, 5, 10};
  d.labels = {0, 1, 0};
  d.num_classes = 2;
  return d;
}

TEST(Standardizer, FitsMeanAndPopulationStd) {
  Standardizer s;
  EXPECT_FALSE(s.fitted());
  s.fit(three_rows());
  ASSERT_TRUE(s.fitted());
  EXPECT_DOUBLE_EQ(s.mean()[0], 3.0);
  EXPECT_DOUBLE_EQ(s.mean()[1], 10.0);
  EXPECT_DOUBLE_EQ(s.stddev()[0], std::sqrt(8.0 / 3.0));
  EXPECT_DOUBLE_EQ(s.stddev()[1], 1.0);  // a constant feature keeps scale 1
  Dataset d = three_rows();
  s.transform(d);
  const float z = static_cast<float>(2.0 / std::sqrt(8.0 / 3.0));
  EXPECT_FLOAT_EQ(d.values[0], -z);
  EXPECT_FLOAT_EQ(d.values[2], 0.0f);
  EXPECT_FLOAT_EQ(d.values[4], z);
  EXPECT_FLOAT_EQ(d.values[1], 0.0f);
}

TEST(Standardizer, AppliesTrainingStatisticsToOtherSets) {
  Standardizer s;
  s.fit(three_rows());
  Dataset other;
  other.sample_shape = {2};
  other.values = {3, 12};
  other.targets = {1};
  other.target_width = 1;
  s.transform(other);
  EXPECT_FLOAT_EQ(other.values[0], 0.0f);
  EXPECT_FLOAT_EQ(other.values[1], 2.0f);
  // Tensors of whole samples scale the same way.
  Tensor x({2, 2}, {3, 12, 1, 10});
  s.transform(x);
  EXPECT_FLOAT_EQ(x[1], 2.0f);
  EXPECT_FLOAT_EQ(x[2], -static_cast<float>(2.0 / std::sqrt(8.0 / 3.0)));
}

TEST(Standardizer, ConvertsByteStorage) {
  Dataset d;
  d.sample_shape = {1};
  d.bytes = {0, 255};
  d.labels = {0, 1};
  d.num_classes = 2;
  Standardizer s;
  s.fit(d);
  EXPECT_DOUBLE_EQ(s.mean()[0], 0.5);
  s.transform(d);
  EXPECT_TRUE(d.bytes.empty());
  EXPECT_EQ(d.values, (std::vector<float>{-1.0f, 1.0f}));
  EXPECT_NO_THROW(d.validate("scaled"));
}

TEST(Standardizer, StateRoundTripsThroughJson) {
  Standardizer s;
  s.fit(three_rows());
  const Standardizer t = Standardizer::from_json(s.to_json());
  EXPECT_EQ(t.mean(), s.mean());
  EXPECT_EQ(t.stddev(), s.stddev());
  TempDir tmp;
  s.save(tmp / "scaler.json");
  const Standardizer u = Standardizer::load(tmp / "scaler.json");
  Dataset a = three_rows(), b = three_rows();
  s.transform(a);
  u.transform(b);
  EXPECT_EQ(a.values, b.values);
}

TEST(Standardizer, RejectsBadState) {
  using json = nlohmann::json;
  EXPECT_THROW(Standardizer::from_json(json{{"kind", "minmax"}}), DataError);
  EXPECT_THROW(Standardizer::from_json(json{{"kind", "standardize"}, {"mean", {1.0}}}), DataError);
  EXPECT_THROW(
      Standardizer::from_json(json{{"kind", "standardize"}, {"mean", {1.0}}, {"std", {0.0}}}),
      DataError);
  EXPECT_THROW(
      Standardizer::from_json(json{{"kind", "standardize"}, {"mean", {1.0, 2.0}}, {"std", {1.0}}}),
      DataError);
  EXPECT_THROW(
      Standardizer::from_json(json{{"kind", "standardize"}, {"mean", {"a"}}, {"std", {1.0}}}),
      DataError);
  TempDir tmp;
  const auto bad = tmp.write("bad.json", "{\"kind\": ");
  try {
    Standardizer::load(bad);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json: not valid JSON"), std::string::npos);
  }
  const auto wrong = tmp.write("wrong.json", R"({"kind": "standardize", "mean": [1]})");
  try {
    Standardizer::load(wrong);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("wrong.json: standardize scaler state: \"std\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Standardizer::load(tmp / "missing.json"), IoError);
}

TEST(Standardizer, RejectsMisuse) {
  Standardizer s;
  Dataset d = three_rows();
  EXPECT_THROW(s.transform(d), InvalidArgument);
  EXPECT_THROW(s.to_json(), InvalidArgument);
  Dataset empty;
  empty.sample_shape = {2};
  EXPECT_THROW(s.fit(empty), InvalidArgument);
  s.fit(d);
  Dataset wide;
  wide.sample_shape = {3};
  wide.values = {1, 2, 3};
  EXPECT_THROW(s.transform(wide), InvalidArgument);
  Tensor x({2, 3});
  EXPECT_THROW(s.transform(x), InvalidArgument);
}

TEST(MinMaxScaler, MapsTheTrainingRangeOntoTheTarget) {
  MinMaxScaler m;
  m.fit(three_rows());
  EXPECT_DOUBLE_EQ(m.data_min()[0], 1.0);
  EXPECT_DOUBLE_EQ(m.data_max()[0], 5.0);
  Dataset d = three_rows();
  m.transform(d);
  EXPECT_EQ(d.values, (std::vector<float>{0, 0, 0.5f, 0, 1, 0}));  // constant -> low

  MinMaxScaler wide(-1.0, 1.0);
  wide.fit(three_rows());
  Tensor x({2, 2}, {3, 10, 9, 10});
  wide.transform(x);
  EXPECT_FLOAT_EQ(x[0], 0.0f);
  EXPECT_FLOAT_EQ(x[1], -1.0f);
  EXPECT_FLOAT_EQ(x[2], 3.0f);  // outside the training range stays outside
}

TEST(MinMaxScaler, StateRoundTripsAndIsChecked) {
  MinMaxScaler m(-2.0, 2.0);
  m.fit(three_rows());
  TempDir tmp;
  m.save(tmp / "m.json");
  const MinMaxScaler n = MinMaxScaler::load(tmp / "m.json");
  Dataset a = three_rows(), b = three_rows();
  m.transform(a);
  n.transform(b);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.values[0], -2.0f);

  nlohmann::json state = m.to_json();
  state["min"][0] = 9.0;
  EXPECT_THROW(MinMaxScaler::from_json(state), DataError);
  state = m.to_json();
  state["high"] = -5.0;
  EXPECT_THROW(MinMaxScaler::from_json(state), DataError);
  EXPECT_THROW(MinMaxScaler(1.0, 1.0), InvalidArgument);
  EXPECT_THROW(MinMaxScaler(0.0, INFINITY), InvalidArgument);
}

}  // namespace
}  // namespace descent
