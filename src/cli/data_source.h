// The data a command trains or evaluates on, from its --data text:
//   fashion-mnist        Debian's dataset-fashion-mnist (60,000 train / 10,000 test images)
//   DIR                  a directory with the four Fashion-MNIST / MNIST IDX files (plain or .gz)
//   FILE.csv             a CSV file (--label names its target column; --test FILE.csv a test set)
//   FILE.npy             a NumPy features file (--label LABELS.npy its labels file)
//   moons | spirals | xor | tutorial | linear
//                        synthetic sets (train and test drawn with different seeds)
//   text:FILE | text     characters of a UTF-8 file (text alone: Debian's fortunes) for a language
//                        model: windows of `context` characters, the next character the target at
//                        every position; the first 90% of the text trains, the last 10% is the
//                        held-out test set (docs/text.md)
// and how its features are scaled (--scale): fitted on the training split as the data is loaded
// for training, or a run's fitted scaler applied as it is loaded again (evaluate, predict, every
// command that reads a run). Images keep their own scaling to [0, 1].
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/scaler.h"
#include "data/text.h"

namespace descent::cli {

struct DataSpec {
  std::string source = "fashion-mnist";
  std::string label;      // CSV target column (name or index), or the labels .npy file
  std::string test_path;  // CSV test file
  std::uint64_t seed = 42;
  std::string scale = "none";            // --scale: standard, minmax or none
  std::optional<Scaler> scaler;          // a run's fitted scaler: applied, never fitted again
  std::int64_t context = 0;              // text: the window length (the model's context)
  std::optional<Vocabulary> vocabulary;  // text: a run's vocabulary, applied, never rebuilt
};

// True for text:FILE and text.
bool is_text_data(const std::string& source);

struct LoadedData {
  Dataset train;
  std::optional<Dataset> test;
  std::string description;               // for a person: "fashion-mnist (60000 train, 10000 test)"
  std::optional<Scaler> scaler;          // the scaler applied to train and test
  std::optional<Vocabulary> vocabulary;  // text: the characters' token ids
};

// Loads the data and scales it: with spec.scaler, by that scaler; else with spec.scale other than
// none, by a scaler fitted on the training split, the samples that remain once the last
// `validation_split` of them is held out. InvalidArgument for an unknown --scale, or scaling
// asked of image data.
LoadedData load_data(const DataSpec& spec, double validation_split = 0.0);
// {"source", "label", "test", "seed", "scale"}, "scaler" (its fitted state) when it has one, and
// "context" for text. The vocabulary is not in it: a run keeps it in vocab.json.
nlohmann::json to_json(const DataSpec& spec);
// DataError when "scale" or "scaler" is not one descent writes.
DataSpec data_spec_from_json(const nlohmann::json& json);

}  // namespace descent::cli

namespace descent::cli {

// Gives `data` the model's input shape when only the layout differs (784 features read as
// (1, 28, 28) images); throws DataError when the sizes differ.
void conform_to_input(Dataset& data, const Shape& input_shape, const std::string& origin);

}  // namespace descent::cli
