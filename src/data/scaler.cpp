#include "data/scaler.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

std::string_view to_string(ScaleMethod method) {
  switch (method) {
    case ScaleMethod::standard:
      return "standard";
    case ScaleMethod::minmax:
      return "minmax";
    case ScaleMethod::none:
      break;
  }
  return "none";
}

std::optional<ScaleMethod> scale_method_from_name(std::string_view name) {
  for (ScaleMethod method : {ScaleMethod::none, ScaleMethod::standard, ScaleMethod::minmax})
    if (name == to_string(method)) return method;
  return std::nullopt;
}

Scaler Scaler::fit(ScaleMethod method, const Dataset& data, std::int64_t samples) {
  switch (method) {
    case ScaleMethod::standard: {
      Standardizer s;
      s.fit(data, samples);
      return Scaler(std::move(s));
    }
    case ScaleMethod::minmax: {
      MinMaxScaler s;
      s.fit(data, samples);
      return Scaler(std::move(s));
    }
    case ScaleMethod::none:
      break;
  }
  throw InvalidArgument("scaling 'none' has nothing to fit");
}

ScaleMethod Scaler::method() const {
  return std::holds_alternative<Standardizer>(fitted_) ? ScaleMethod::standard
                                                       : ScaleMethod::minmax;
}

const FeatureScaler& Scaler::feature_scaler() const {
  return std::visit([](const auto& s) -> const FeatureScaler& { return s; }, fitted_);
}

std::int64_t Scaler::num_features() const {
  return feature_scaler().num_features();
}

void Scaler::transform(Dataset& data, std::string_view origin) const {
  if (data.sample_size() != num_features())
    throw DataError(fmt::format("{}: samples of {} features, but the {} scaling was fitted on {}",
                                origin, data.sample_size(), to_string(method()), num_features()));
  feature_scaler().transform(data);
}

nlohmann::json Scaler::to_json() const {
  return std::visit([](const auto& s) { return s.to_json(); }, fitted_);
}

Scaler Scaler::from_json(const nlohmann::json& state) {
  const auto kind = state.find("kind");  // end() for anything but an object
  if (kind != state.end() && *kind == "standardize") return Scaler(Standardizer::from_json(state));
  if (kind != state.end() && *kind == "minmax") return Scaler(MinMaxScaler::from_json(state));
  throw DataError("scaler state: \"kind\" is missing or not \"standardize\" or \"minmax\"");
}

}  // namespace descent
