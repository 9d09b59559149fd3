// The feature scaling a user picks by name (`--scale standard|minmax|none`): a Standardizer or a
// MinMaxScaler (data/scaling.h) behind one type, fitted on a training split and kept as JSON in a
// run directory, so that every command that reads the run scales new inputs the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/scaling.h"

namespace descent {

enum class ScaleMethod { none, standard, minmax };

// "none", "standard", "minmax".
std::string_view to_string(ScaleMethod method);
// The method of that name; nullopt for any other text.
std::optional<ScaleMethod> scale_method_from_name(std::string_view name);

class Scaler {
 public:
  // Fits `method` (standard or minmax) on the first `samples` samples of `data`: the training
  // split, when a validation tail follows it. InvalidArgument for none, an empty set or a count
  // outside [1, data.size()].
  static Scaler fit(ScaleMethod method, const Dataset& data, std::int64_t samples);

  ScaleMethod method() const;
  std::int64_t num_features() const;
  // Scales the features of `data` in place (as floats). DataError naming `origin` when its
  // samples do not have the fitted number of features.
  void transform(Dataset& data, std::string_view origin) const;

  // The fitted scaler's own JSON (Standardizer::to_json or MinMaxScaler::to_json); from_json
  // reads either by its "kind" and throws DataError on anything else.
  nlohmann::json to_json() const;
  static Scaler from_json(const nlohmann::json& state);

 private:
  explicit Scaler(std::variant<Standardizer, MinMaxScaler> fitted) : fitted_(std::move(fitted)) {}
  const FeatureScaler& feature_scaler() const;
  std::variant<Standardizer, MinMaxScaler> fitted_;
};

}  // namespace descent
