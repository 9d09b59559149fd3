#include "cli/data_source.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "core/special_file.h"
#include "data/csv.h"
#include "data/idx.h"
#include "data/npy.h"
#include "data/synthetic.h"

namespace descent::cli {
namespace {

namespace fs = std::filesystem;

std::optional<Dataset> synthetic(const std::string& name, std::int64_t n, std::uint64_t seed) {
  if (name == "moons") return moons(n, 0.1, seed);
  if (name == "spirals") return two_spirals(n, 0.05, seed);
  if (name == "xor") return xor_set(n, 0.05, seed);
  if (name == "tutorial") return tutorial_two_class(seed);
  if (name == "linear") {
    const std::array<double, 3> coefficients{2.0, -3.0, 0.5};
    return linear_regression(n, coefficients, 1.0, 0.1, seed);
  }
  return std::nullopt;
}

std::string describe(const std::string& name, const LoadedData& data) {
  const std::string scaled =
      data.scaler ? fmt::format(", {} scaling", to_string(data.scaler->method())) : "";
  return data.test ? fmt::format("{} ({} train, {} test{})", name, data.train.size(),
                                 data.test->size(), scaled)
                   : fmt::format("{} ({} samples{})", name, data.train.size(), scaled);
}

ScaleMethod scale_method(const DataSpec& spec) {
  const auto method = scale_method_from_name(spec.scale);
  if (!method)
    throw InvalidArgument(
        fmt::format("--scale must be standard, minmax or none, got '{}'", spec.scale));
  return *method;
}

// Pixels are already in [0, 1]; a per-pixel scaler would only blow up the always-black borders.
void refuse_scaling_images(const DataSpec& spec) {
  if (scale_method(spec) != ScaleMethod::none)
    throw InvalidArgument(fmt::format(
        "--scale {} applies to CSV, .npy and synthetic data; the images of {} keep their scaling "
        "to [0, 1]",
        spec.scale, spec.source));
}

// The fitted scaler applied to every set: spec's own, else one fitted on the training split.
void scale(LoadedData& data, const DataSpec& spec, double validation_split) {
  const ScaleMethod method = scale_method(spec);
  if (spec.scaler)
    data.scaler = spec.scaler;
  else if (method != ScaleMethod::none)
    data.scaler = Scaler::fit(method, data.train, split_point(data.train.size(), validation_split));
  if (!data.scaler) return;
  data.scaler->transform(data.train, spec.source);
  if (data.test)
    data.scaler->transform(*data.test, spec.test_path.empty() ? spec.source : spec.test_path);
}

// A set with its own test set takes no --test: ignoring one silently would evaluate on data the
// user did not ask for.
void refuse_test_file(const DataSpec& spec) {
  if (!spec.test_path.empty())
    throw InvalidArgument(fmt::format(
        "--test takes a CSV test set for CSV data; {} has its own test set", spec.source));
}

// The share of a text, at its end, held out as the test set (nanoGPT's 90/10 split).
constexpr double kTextHeldOut = 0.1;
constexpr const char* kFortunesDirectory = "/usr/share/games/fortunes";

// Debian's fortunes corpus: the directory's text files (not the .dat and .u8 indexes of the
// fortune program), concatenated in name order.
std::u32string fortunes_corpus() {
  std::vector<fs::path> files;
  if (fs::is_directory(kFortunesDirectory))
    for (const fs::directory_entry& entry : fs::directory_iterator(kFortunesDirectory))
      if (entry.is_regular_file() && entry.path().extension() != ".dat" &&
          entry.path().extension() != ".u8")
        files.push_back(entry.path());
  if (files.empty())
    throw IoError(fmt::format(
        "--data text reads Debian's fortunes corpus from {}, which holds no text: install the "
        "fortunes package (scripts/setup.sh) or give --data text:FILE",
        kFortunesDirectory));
  std::sort(files.begin(), files.end());
  std::u32string text;
  for (const fs::path& file : files)
    text += read_utf8_file(file);
  return text;
}

LoadedData load_text(const DataSpec& spec) {
  const std::string path = spec.source.substr(std::min<std::size_t>(5, spec.source.size()));
  if (spec.source != "text" && path.empty())
    throw InvalidArgument(
        "--data text: needs a file name (text:FILE), or --data text for the fortunes corpus");
  if (!spec.label.empty())
    throw InvalidArgument(fmt::format(
        "--label does not apply to {}: the targets are the next characters", spec.source));
  refuse_test_file(spec);
  if (scale_method(spec) != ScaleMethod::none)
    throw InvalidArgument(fmt::format(
        "--scale {} applies to CSV, .npy and synthetic data, not to the characters of {}",
        spec.scale, spec.source));
  if (spec.context < 1)
    throw InvalidArgument(fmt::format(
        "--data {} needs a window length: train --model gpt:...,context=N on it", spec.source));
  if (!path.empty()) {
    refuse_special_file(path, "--data");
    if (!fs::exists(path)) throw IoError(fmt::format("text file {} does not exist", path));
  }
  const std::u32string text = path.empty() ? fortunes_corpus() : read_utf8_file(path);
  const std::string origin = path.empty() ? kFortunesDirectory : path;
  const auto split =
      static_cast<std::size_t>(std::floor(static_cast<double>(text.size()) * (1.0 - kTextHeldOut)));
  if (split < static_cast<std::size_t>(spec.context) + 1)
    throw DataError(fmt::format(
        "{}: {} characters are too few for a context of {}: the first 90% of the text, which "
        "trains, must hold at least {}",
        origin, text.size(), spec.context, spec.context + 1));

  LoadedData out;
  out.vocabulary = spec.vocabulary ? *spec.vocabulary : Vocabulary::of(text);
  const std::vector<std::int32_t> tokens = out.vocabulary->encode(text, origin);
  const std::span<const std::int32_t> all(tokens);
  out.train = text_windows(all.first(split), spec.context, out.vocabulary->size());
  Dataset held_out = text_windows(all.subspan(split), spec.context, out.vocabulary->size());
  if (held_out.size() > 0) out.test = std::move(held_out);
  out.description =
      fmt::format("{} ({} characters, {} distinct: {} train and {} held-out windows of {})",
                  spec.source, text.size(), out.vocabulary->size(), out.train.size(),
                  out.test ? out.test->size() : 0, spec.context);
  return out;
}

}  // namespace

bool is_text_data(const std::string& source) {
  return source == "text" || source.starts_with("text:");
}

LoadedData load_data(const DataSpec& spec, double validation_split) {
  scale_method(spec);  // an unknown --scale, before any file is read
  refuse_special_file(spec.source, "--data");
  refuse_special_file(spec.test_path, "--test");
  if (fs::path(spec.source).extension() == ".npy") refuse_special_file(spec.label, "--label");
  if (is_text_data(spec.source)) {
    LoadedData out = load_text(spec);
    out.train.validate(spec.source);
    if (out.test) out.test->validate(spec.source);
    return out;
  }
  LoadedData out;
  if (spec.source == "fashion-mnist" || (fs::is_directory(spec.source))) {
    refuse_test_file(spec);
    refuse_scaling_images(spec);
    TrainTestSplit split =
        spec.source == "fashion-mnist" ? load_fashion_mnist() : load_fashion_mnist(spec.source);
    out.train = std::move(split.train);
    out.test = std::move(split.test);
  } else if (auto train = synthetic(spec.source, 2000, spec.seed)) {
    refuse_test_file(spec);
    out.train = std::move(*train);
    out.test = synthetic(spec.source, 1000, spec.seed + 1);
  } else if (fs::path(spec.source).extension() == ".npy") {
    if (spec.label.empty())
      throw InvalidArgument(
          fmt::format("--data {} needs --label LABELS.npy (the labels file)", spec.source));
    if (!spec.test_path.empty())
      throw InvalidArgument("--test takes a CSV file; for .npy data use --validation-split");
    out.train = read_npy(spec.source, spec.label);
  } else if (fs::path(spec.source).extension() == ".csv" || fs::exists(spec.source)) {
    if (!fs::exists(spec.source))
      throw IoError(fmt::format("data file {} does not exist", spec.source));
    out.train = read_csv(spec.source, {.label = spec.label});
    if (!spec.test_path.empty()) {
      out.test = read_csv(spec.test_path, {.label = spec.label});
      if (out.test->sample_shape != out.train.sample_shape)
        throw DataError(fmt::format("{} has {} features but {} has {}", spec.test_path,
                                    out.test->sample_size(), spec.source, out.train.sample_size()));
    }
  } else {
    throw IoError(
        fmt::format("data '{}' not found: give fashion-mnist, a directory of IDX files, a CSV "
                    "file, an .npy file, text:FILE, text, or one of moons, "
                    "spirals, xor, tutorial, linear",
                    spec.source));
  }
  out.train.validate(spec.source);
  if (out.test) out.test->validate(spec.test_path.empty() ? spec.source : spec.test_path);
  scale(out, spec, validation_split);
  out.description = describe(spec.source, out);
  return out;
}

nlohmann::json to_json(const DataSpec& spec) {
  nlohmann::json out = {{"source", spec.source},
                        {"label", spec.label},
                        {"test", spec.test_path},
                        {"seed", spec.seed},
                        {"scale", spec.scale}};
  if (spec.scaler) out["scaler"] = spec.scaler->to_json();
  if (spec.context > 0) out["context"] = spec.context;
  return out;
}

DataSpec data_spec_from_json(const nlohmann::json& json) {
  DataSpec spec;
  spec.source = json.value("source", spec.source);
  spec.label = json.value("label", "");
  spec.test_path = json.value("test", "");
  spec.seed = json.value("seed", spec.seed);
  spec.scale = json.value("scale", spec.scale);  // runs from before --scale: none
  if (!scale_method_from_name(spec.scale))
    throw DataError(fmt::format("data.scale '{}' is not standard, minmax or none", spec.scale));
  if (json.contains("scaler")) spec.scaler = Scaler::from_json(json["scaler"]);
  spec.context = json.value("context", std::int64_t{0});
  if (spec.context < 0) throw DataError(fmt::format("data.context is {}", spec.context));
  return spec;
}

}  // namespace descent::cli

namespace descent::cli {

void conform_to_input(Dataset& data, const Shape& input_shape, const std::string& origin) {
  if (data.sample_shape == input_shape) return;
  if (data.sample_size() != shape_size(input_shape))
    throw DataError(fmt::format("{}: samples of shape {} do not fit the model's input {}", origin,
                                shape_string(data.sample_shape), shape_string(input_shape)));
  data.sample_shape = input_shape;
}

}  // namespace descent::cli
