#include "loss/metric.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "core/error.h"
#include "loss/accuracy.h"
#include "loss/regression_metrics.h"

namespace descent {

void MeanMetric::reset() {
  total_ = 0.0;
  count_ = 0.0;
}

double MeanMetric::result() const {
  return count_ > 0.0 ? total_ / count_ : 0.0;
}

nlohmann::json MeanMetric::state() const {
  return {{"total", total_}, {"count", count_}};
}

void MeanMetric::load_state(const nlohmann::json& state) {
  total_ = state.at("total").get<double>();
  count_ = state.at("count").get<double>();
}

void MeanMetric::accumulate(double total, double count) {
  total_ += total;
  count_ += count;
}

std::unique_ptr<Metric> make_metric(std::string_view name, const Loss& loss) {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string loss_name = loss.name();
  const float binary_threshold = loss.from_logits() ? 0.0f : 0.5f;

  if (key == "accuracy" || key == "acc") {
    if (loss_name == "sparse_categorical_crossentropy")
      return std::make_unique<SparseCategoricalAccuracy>(key);
    if (loss_name == "categorical_crossentropy") return std::make_unique<CategoricalAccuracy>(key);
    if (loss_name == "binary_crossentropy")
      return std::make_unique<BinaryAccuracy>(binary_threshold, key);
    return std::make_unique<Accuracy>(key);
  }
  if (key == "binary_accuracy") return std::make_unique<BinaryAccuracy>(binary_threshold, key);
  if (key == "categorical_accuracy") return std::make_unique<CategoricalAccuracy>(key);
  if (key == "sparse_categorical_accuracy") return std::make_unique<SparseCategoricalAccuracy>(key);

  static const std::regex top_k(R"((sparse_)?top_?(k|\d+)(_categorical)?(_accuracy)?)");
  if (std::smatch m; std::regex_match(key, m, top_k)) {
    const std::int64_t k = m[2] == "k" ? 5 : std::stoll(m[2].str());
    return std::make_unique<TopKAccuracy>(k);
  }

  if (key == "mae" || key == "mean_absolute_error")
    return std::make_unique<MeanAbsoluteErrorMetric>(key);
  if (key == "mse" || key == "mean_squared_error")
    return std::make_unique<MeanSquaredErrorMetric>(key);
  if (key == "rmse" || key == "root_mean_squared_error")
    return std::make_unique<RootMeanSquaredErrorMetric>(key);

  throw InvalidArgument(fmt::format(
      "unknown metric '{}' (known: accuracy/acc, binary_accuracy, categorical_accuracy, "
      "sparse_categorical_accuracy, top_k_accuracy/top5/top_<k>_accuracy, "
      "mae/mean_absolute_error, mse/mean_squared_error, rmse/root_mean_squared_error)",
      name));
}

std::vector<std::unique_ptr<Metric>> make_metrics(const std::vector<std::string>& names,
                                                  const Loss& loss) {
  std::vector<std::unique_ptr<Metric>> metrics;
  for (const std::string& name : names)
    metrics.push_back(make_metric(name, loss));
  return metrics;
}

}  // namespace descent
