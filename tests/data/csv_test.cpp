#include "data/csv.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "temp_dir.h"

namespace descent {
namespace {

using testing::TempDir;

void expect_data_error(const std::function<void()>& f, const std::string& message) {
  try {
    f();
    FAIL() << "no DataError '" << message << "'";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(Csv, IntegerLabelsMakeAClassificationSet) {
  TempDir tmp;
  const auto file = tmp.write("d.csv", "x,y,class\n1.5,-2,0\n3,4e1,2\n\n  5 , 6 ,1\r\n");
  const Dataset d = read_csv(file);
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.sample_shape, (Shape{2}));
  EXPECT_EQ(d.values, (std::vector<float>{1.5f, -2, 3, 40, 5, 6}));
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{0, 2, 1}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_TRUE(d.class_names.empty());
  EXPECT_NO_THROW(d.validate("d.csv"));
}

TEST(Csv, LabelColumnByNameOrIndex) {
  TempDir tmp;
  const auto file = tmp.write("d.csv", "a,target,b\n1,0.5,2\n3,1.5,4\n");
  for (const std::string label : {"target", "1", "-2"}) {
    const Dataset d = read_csv(file, {.label = label});
    EXPECT_EQ(d.values, (std::vector<float>{1, 2, 3, 4})) << label;
    EXPECT_EQ(d.targets, (std::vector<float>{0.5f, 1.5f})) << label;
    EXPECT_EQ(d.target_width, 1);
    EXPECT_FALSE(d.is_classification());
  }
  // The default is the last column (integers: classes).
  EXPECT_EQ(read_csv(file).labels, (std::vector<std::int32_t>{2, 4}));
  // A column named "0" is found by its name before the index 0.
  const auto named = tmp.write("n.csv", "1,0\n7,8\n");
  EXPECT_EQ(read_csv(named, {.label = "0"}).values, (std::vector<float>{7}));
}

TEST(Csv, TextLabelsBecomeNamedClasses) {
  TempDir tmp;
  const auto file =
      tmp.write("iris.csv",
                "\xEF\xBB\xBF\"sepal.length\",\"variety\"\n5.1,\"Setosa\"\n7,Virginica\n"
                "6.4,Versicolor\n4.9,Setosa\n");
  const Dataset d = read_csv(file, {.label = "variety"});
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"Setosa", "Versicolor", "Virginica"}));
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{0, 2, 1, 0}));
  EXPECT_NO_THROW(d.validate("iris.csv"));
}

TEST(Csv, TaskCanBeForced) {
  TempDir tmp;
  const auto file = tmp.write("d.csv", "x,y\n1,0\n2,3\n");
  const Dataset reg = read_csv(file, {.task = CsvTask::kRegression});
  EXPECT_EQ(reg.targets, (std::vector<float>{0, 3}));
  // Large integers are quantities unless classification is asked for.
  const auto big = tmp.write("b.csv", "x,y\n1,1500\n2,3\n");
  EXPECT_FALSE(read_csv(big).is_classification());
  EXPECT_EQ(read_csv(big, {.task = CsvTask::kClassification}).num_classes, 1501);
  expect_data_error(
      [&] {
        read_csv(tmp.write("f.csv", "x,y\n1,0\n2,0.5\n"), {.task = CsvTask::kClassification});
      },
      "f.csv:3: label column 'y': '0.5' is not a class index");
  expect_data_error(
      [&] { read_csv(tmp.write("t.csv", "x,y\n1,cat\n"), {.task = CsvTask::kRegression}); },
      "t.csv:2: label column 'y': 'cat' is not a number");
}

TEST(Csv, OtherDelimiterAndQuotes) {
  TempDir tmp;
  const auto file = tmp.write("d.tsv", "\"a;b\";\"say \"\"hi\"\"\";y\n1;2;0\n");
  const Dataset d = read_csv(file, {.delimiter = ';'});
  EXPECT_EQ(d.values, (std::vector<float>{1, 2}));
  expect_data_error([&] { read_csv(tmp.write("q.csv", "a,y\n\"1,0\n")); },
                    "q.csv:2: unterminated quoted field");
}

TEST(Csv, RaggedRowNamesFileAndLine) {
  TempDir tmp;
  const auto file = tmp.write("data.csv", "a,b,c,d,e\n1,2,3,4,0\n1,2,3,4,0\n\n1,2,3,0\n");
  expect_data_error([&] { read_csv(file); }, "data.csv:5: expected 5 fields, found 4");
}

TEST(Csv, NonNumericAndEmptyCells) {
  TempDir tmp;
  expect_data_error([&] { read_csv(tmp.write("d.csv", "width,y\n1,0\nabc,1\n")); },
                    "d.csv:3: column 'width': 'abc' is not a number");
  expect_data_error([&] { read_csv(tmp.write("d.csv", "width,y\n1x,0\n")); },
                    "d.csv:2: column 'width': '1x' is not a number");
  expect_data_error([&] { read_csv(tmp.write("d.csv", "width,y\n,0\n")); },
                    "d.csv:2: column 'width' is empty");
  expect_data_error([&] { read_csv(tmp.write("d.csv", "width,y\n1,a\n2,\n")); },
                    "d.csv:3: label column 'y' is empty");
}

TEST(Csv, NonFiniteValues) {
  TempDir tmp;
  expect_data_error([&] { read_csv(tmp.write("d.csv", "a,y\n1,0\nnan,1\n")); },
                    "d.csv:3: column 'a' is nan");
  expect_data_error([&] { read_csv(tmp.write("d.csv", "a,y\n-inf,0\n")); },
                    "d.csv:2: column 'a' is -inf");
  expect_data_error([&] { read_csv(tmp.write("d.csv", "a,y\n1e300,0\n")); },
                    "d.csv:2: column 'a' is 1e300");
  expect_data_error([&] { read_csv(tmp.write("d.csv", "a,y\n1,0.5\n2,inf\n")); },
                    "d.csv:3: label column 'y' is inf");
}

TEST(Csv, EmptyFileAndMissingParts) {
  TempDir tmp;
  expect_data_error([&] { read_csv(tmp.write("e.csv", "")); }, "e.csv: empty file (no header row)");
  expect_data_error([&] { read_csv(tmp.write("e.csv", "\n \r\n")); }, "e.csv: empty file");
  expect_data_error([&] { read_csv(tmp.write("h.csv", "a,b\n")); },
                    "h.csv: no data rows after the header");
  expect_data_error([&] { read_csv(tmp.write("o.csv", "a\n1\n")); },
                    "o.csv:1: the header has 1 column");
  const auto file = tmp.write("d.csv", "a,b\n1,0\n");
  expect_data_error([&] { read_csv(file, {.label = "species"}); },
                    "d.csv: no label column named 'species' (columns: a, b)");
  expect_data_error([&] { read_csv(file, {.label = "2"}); },
                    "d.csv: label column index 2 is outside the 2 columns");
  EXPECT_THROW(read_csv(tmp / "missing.csv"), IoError);
}

}  // namespace
}  // namespace descent
