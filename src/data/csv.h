// CSV reader: a header row of column names, then one sample per row; one column is the target
// and every other column is a numeric feature. Fields are separated by `delimiter`; a field
// may be double-quoted ("" inside quotes is a quote); spaces around unquoted fields, CRLF line
// ends, a UTF-8 byte-order mark and blank lines are ignored.
//
// The task follows from the label column unless forced:
// - every value an integer in [0, 1000): classification, num_classes = largest + 1;
// - any value not a number: classification by name, classes numbered in sorted name order
//   (class_names holds the names);
// - otherwise (fractions, negative numbers, integers >= 1000): regression, target_width 1.
#pragma once

#include <filesystem>
#include <string>

#include "data/dataset.h"

namespace descent {

enum class CsvTask { kAuto, kClassification, kRegression };

struct CsvOptions {
  // The target column: a header name, or else a 0-based index written as a number ("-1" is the
  // last column). Empty: the last column. A name is looked up first, so a column named "2"
  // is found by its name.
  std::string label = "";
  CsvTask task = CsvTask::kAuto;
  char delimiter = ',';
};

// Reads `path` into a data set stored as floats with sample_shape {number of feature columns}.
// Throws IoError when the file cannot be read, and DataError naming the file (and the line and
// column where there is one) for: an empty file, a header with no data rows, a missing label
// column, a row with the wrong number of fields ("data.csv:17: expected 5 fields, found 4"), an
// empty or non-numeric feature cell, NaN or infinity in a feature or regression target, or a
// label column that does not fit a forced task.
Dataset read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

}  // namespace descent
