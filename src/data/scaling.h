// Feature scaling fitted on the training set and applied unchanged to every other set, as
// scikit-learn's StandardScaler and MinMaxScaler do. Each feature (each position of a sample)
// gets its own affine map x' = (x - shift) * scale + offset. The fitted state round-trips through
// JSON (to_json / from_json, save / load), so a trained model can scale new inputs the same way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "data/dataset.h"

namespace descent {

// The per-feature affine map shared by the scalers.
class FeatureScaler {
 public:
  bool fitted() const { return !scale_.empty(); }
  std::int64_t num_features() const { return static_cast<std::int64_t>(scale_.size()); }
  // Replaces the features of `data` by their scaled values, stored as floats (byte storage is
  // converted). Throws InvalidArgument when not fitted or the sample size differs.
  void transform(Dataset& data) const;
  // Scales x in place; x holds whole samples ({k, sample_shape...} or {k, features}).
  void transform(Tensor& x) const;

 protected:
  void apply(std::span<float> x) const;
  std::vector<float> shift_;  // subtracted first, so values near it keep their precision
  std::vector<float> scale_;
  std::vector<float> offset_;
};

// Standardization: x' = (x - mean) / std per feature, with the population standard deviation
// (ddof 0); a constant feature gets std 1, as in scikit-learn.
class Standardizer : public FeatureScaler {
 public:
  // Fits on every sample of `data`, or on its first `samples` (the training split ahead of a
  // validation tail); throws InvalidArgument on an empty set or a count outside [1, size()].
  void fit(const Dataset& data);
  void fit(const Dataset& data, std::int64_t samples);
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& stddev() const { return std_; }

  // {"kind": "standardize", "mean": [...], "std": [...]}
  nlohmann::json to_json() const;
  // Throws DataError naming the field when the document is not a fitted Standardizer.
  static Standardizer from_json(const nlohmann::json& state);
  void save(const std::filesystem::path& path) const;
  static Standardizer load(const std::filesystem::path& path);

 private:
  void set(std::vector<double> mean, std::vector<double> std);
  std::vector<double> mean_;
  std::vector<double> std_;
};

// Min-max scaling to [low, high]: x' = low + (x - min) * (high - low) / (max - min) per
// feature; a constant feature maps to low (scikit-learn treats its range as 1).
class MinMaxScaler : public FeatureScaler {
 public:
  // Throws InvalidArgument unless low < high (both finite).
  explicit MinMaxScaler(double low = 0.0, double high = 1.0);
  // As Standardizer::fit.
  void fit(const Dataset& data);
  void fit(const Dataset& data, std::int64_t samples);
  const std::vector<double>& data_min() const { return min_; }
  const std::vector<double>& data_max() const { return max_; }

  // {"kind": "minmax", "low": l, "high": h, "min": [...], "max": [...]}
  nlohmann::json to_json() const;
  static MinMaxScaler from_json(const nlohmann::json& state);
  void save(const std::filesystem::path& path) const;
  static MinMaxScaler load(const std::filesystem::path& path);

 private:
  void set(std::vector<double> min, std::vector<double> max);
  double low_, high_;
  std::vector<double> min_;
  std::vector<double> max_;
};

}  // namespace descent
