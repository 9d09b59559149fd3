#include "data/scaling.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Calls fn(const float* row) for each of the first n samples, converting byte storage one row at
// a time.
template <typename Fn>
void for_each_row(const Dataset& data, std::int64_t n, Fn fn) {
  const std::int64_t s = data.sample_size();
  if (data.size() == 0) throw InvalidArgument("cannot fit a scaler on an empty data set");
  if (n < 1 || n > data.size())
    throw InvalidArgument(
        fmt::format("cannot fit a scaler on {} of the {} samples", n, data.size()));
  std::vector<float> row(s);
  for (std::int64_t i = 0; i < n; ++i) {
    if (data.stored_as_bytes()) {
      for (std::int64_t j = 0; j < s; ++j)
        row[j] = static_cast<float>(data.bytes[i * s + j]) * data.byte_scale;
      fn(row.data());
    } else {
      fn(data.values.data() + i * s);
    }
  }
}

std::vector<double> finite_array(const json& state, const char* key, std::string_view kind) {
  const auto it = state.find(key);
  if (it == state.end() || !it->is_array() || it->empty())
    throw DataError(
        fmt::format("{} scaler state: \"{}\" is missing or not a non-empty array", kind, key));
  std::vector<double> out;
  for (const json& v : *it) {
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      throw DataError(
          fmt::format("{} scaler state: \"{}\" holds a value that is not a finite "
                      "number",
                      kind, key));
    out.push_back(v.get<double>());
  }
  return out;
}

double finite_number(const json& state, const char* key, std::string_view kind) {
  const auto it = state.find(key);
  if (it == state.end() || !it->is_number() || !std::isfinite(it->get<double>()))
    throw DataError(
        fmt::format("{} scaler state: \"{}\" is missing or not a finite number", kind, key));
  return it->get<double>();
}

void check_kind(const json& state, std::string_view kind) {
  if (!state.is_object() || !state.contains("kind") || state["kind"] != kind)
    throw DataError(fmt::format("scaler state is not of kind \"{}\"", kind));
}

void write_json(const fs::path& path, const json& state) {
  std::ofstream out(path);
  out << state.dump(2) << '\n';
  out.flush();
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw IoError(fmt::format("cannot open {}", path.string()));
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw DataError(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
  }
}

// Rethrows a from_json error with the file name in front.
template <typename Scaler>
Scaler load_from(const fs::path& path) {
  const json state = read_json(path);
  try {
    return Scaler::from_json(state);
  } catch (const DataError& e) {
    throw DataError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace

void FeatureScaler::apply(std::span<float> x) const {
  const auto d = static_cast<std::int64_t>(scale_.size());
  const auto total = static_cast<std::int64_t>(x.size());
  const std::int64_t rows = total / d;
  float* p = x.data();
  parallel_for(rows, total, [&](std::int64_t i) {
    for (std::int64_t j = 0; j < d; ++j)
      p[i * d + j] = (p[i * d + j] - shift_[j]) * scale_[j] + offset_[j];
  });
}

void FeatureScaler::transform(Dataset& data) const {
  if (!fitted()) throw InvalidArgument("the scaler is not fitted");
  if (data.sample_size() != num_features())
    throw InvalidArgument(fmt::format("the scaler was fitted on {} features, the data set has {}",
                                      num_features(), data.sample_size()));
  if (data.stored_as_bytes()) {
    data.values.resize(data.bytes.size());
    for (std::size_t i = 0; i < data.bytes.size(); ++i)
      data.values[i] = static_cast<float>(data.bytes[i]) * data.byte_scale;
    data.bytes = {};
  }
  apply(data.values);
}

void FeatureScaler::transform(Tensor& x) const {
  if (!fitted()) throw InvalidArgument("the scaler is not fitted");
  if (x.rank() < 1 || x.size() != x.dim(0) * num_features())
    throw InvalidArgument(fmt::format("a tensor of shape {} does not hold samples of {} features",
                                      shape_string(x.shape()), num_features()));
  apply(x.values());
}

void Standardizer::fit(const Dataset& data) {
  fit(data, data.size());
}

void Standardizer::fit(const Dataset& data, std::int64_t samples) {
  const std::int64_t s = data.sample_size();
  std::vector<double> mean(s, 0.0), var(s, 0.0);
  for_each_row(data, samples, [&](const float* row) {
    for (std::int64_t j = 0; j < s; ++j)
      mean[j] += row[j];
  });
  const auto n = static_cast<double>(samples);
  for (double& m : mean)
    m /= n;
  for_each_row(data, samples, [&](const float* row) {
    for (std::int64_t j = 0; j < s; ++j)
      var[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
  });
  for (double& v : var)
    v = std::sqrt(v / n);
  set(std::move(mean), std::move(var));
}

void Standardizer::set(std::vector<double> mean, std::vector<double> std) {
  mean_ = std::move(mean);
  std_ = std::move(std);
  shift_.resize(mean_.size());
  scale_.resize(mean_.size());
  offset_.assign(mean_.size(), 0.0f);
  for (std::size_t j = 0; j < mean_.size(); ++j) {
    if (!(std_[j] > 0.0)) std_[j] = 1.0;
    shift_[j] = static_cast<float>(mean_[j]);
    scale_[j] = static_cast<float>(1.0 / std_[j]);
  }
}

json Standardizer::to_json() const {
  if (!fitted()) throw InvalidArgument("the standardizer is not fitted");
  return {{"kind", "standardize"}, {"mean", mean_}, {"std", std_}};
}

Standardizer Standardizer::from_json(const json& state) {
  check_kind(state, "standardize");
  std::vector<double> mean = finite_array(state, "mean", "standardize");
  std::vector<double> std = finite_array(state, "std", "standardize");
  if (mean.size() != std.size())
    throw DataError(fmt::format("standardize scaler state: {} means but {} standard deviations",
                                mean.size(), std.size()));
  if (std::any_of(std.begin(), std.end(), [](double v) { return v <= 0.0; }))
    throw DataError("standardize scaler state: a standard deviation is not positive");
  Standardizer out;
  out.set(std::move(mean), std::move(std));
  return out;
}

void Standardizer::save(const fs::path& path) const {
  write_json(path, to_json());
}

Standardizer Standardizer::load(const fs::path& path) {
  return load_from<Standardizer>(path);
}

MinMaxScaler::MinMaxScaler(double low, double high) : low_(low), high_(high) {
  if (!std::isfinite(low) || !std::isfinite(high) || !(low < high))
    throw InvalidArgument(fmt::format("min-max range [{}, {}] is empty", low, high));
}

void MinMaxScaler::fit(const Dataset& data) {
  fit(data, data.size());
}

void MinMaxScaler::fit(const Dataset& data, std::int64_t samples) {
  const std::int64_t s = data.sample_size();
  std::vector<double> min(s, std::numeric_limits<double>::infinity());
  std::vector<double> max(s, -std::numeric_limits<double>::infinity());
  for_each_row(data, samples, [&](const float* row) {
    for (std::int64_t j = 0; j < s; ++j) {
      min[j] = std::min<double>(min[j], row[j]);
      max[j] = std::max<double>(max[j], row[j]);
    }
  });
  set(std::move(min), std::move(max));
}

void MinMaxScaler::set(std::vector<double> min, std::vector<double> max) {
  min_ = std::move(min);
  max_ = std::move(max);
  shift_.resize(min_.size());
  scale_.resize(min_.size());
  offset_.assign(min_.size(), static_cast<float>(low_));
  for (std::size_t j = 0; j < min_.size(); ++j) {
    const double range = max_[j] > min_[j] ? max_[j] - min_[j] : 1.0;
    shift_[j] = static_cast<float>(min_[j]);
    scale_[j] = static_cast<float>((high_ - low_) / range);
  }
}

json MinMaxScaler::to_json() const {
  if (!fitted()) throw InvalidArgument("the min-max scaler is not fitted");
  return {{"kind", "minmax"}, {"low", low_}, {"high", high_}, {"min", min_}, {"max", max_}};
}

MinMaxScaler MinMaxScaler::from_json(const json& state) {
  check_kind(state, "minmax");
  const double low = finite_number(state, "low", "minmax");
  const double high = finite_number(state, "high", "minmax");
  if (!(low < high))
    throw DataError(fmt::format("minmax scaler state: range [{}, {}] is empty", low, high));
  std::vector<double> min = finite_array(state, "min", "minmax");
  std::vector<double> max = finite_array(state, "max", "minmax");
  if (min.size() != max.size())
    throw DataError(
        fmt::format("minmax scaler state: {} minima but {} maxima", min.size(), max.size()));
  for (std::size_t j = 0; j < min.size(); ++j)
    if (min[j] > max[j])
      throw DataError(
          fmt::format("minmax scaler state: feature {} has min {} > max {}", j, min[j], max[j]));
  MinMaxScaler out(low, high);
  out.set(std::move(min), std::move(max));
  return out;
}

void MinMaxScaler::save(const fs::path& path) const {
  write_json(path, to_json());
}

MinMaxScaler MinMaxScaler::load(const fs::path& path) {
  return load_from<MinMaxScaler>(path);
}

}  // namespace descent
