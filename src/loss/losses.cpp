#include "loss/losses.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

std::unique_ptr<Loss> make_loss(std::string_view name, bool from_logits) {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (const auto at = key.find("cross_entropy"); at != std::string::npos)
    key.replace(at, 13, "crossentropy");

  const CrossentropyOptions options{.from_logits = from_logits};
  if (key == "binary_crossentropy" || key == "bce")
    return std::make_unique<BinaryCrossentropy>(options);
  if (key == "categorical_crossentropy" || key == "cce")
    return std::make_unique<CategoricalCrossentropy>(options);
  if (key == "sparse_categorical_crossentropy" || key == "scce")
    return std::make_unique<SparseCategoricalCrossentropy>(options);

  std::unique_ptr<Loss> loss;
  if (key == "mean_squared_error" || key == "mse") loss = std::make_unique<MeanSquaredError>();
  if (key == "mean_absolute_error" || key == "mae") loss = std::make_unique<MeanAbsoluteError>();
  if (!loss)
    throw InvalidArgument(
        fmt::format("unknown loss '{}' (known: mean_squared_error/mse, mean_absolute_error/mae, "
                    "binary_crossentropy/bce, categorical_crossentropy/cce, "
                    "sparse_categorical_crossentropy/scce)",
                    name));
  if (from_logits)
    throw InvalidArgument(
        fmt::format("loss '{}' takes predictions as they are; from_logits applies only to the "
                    "cross-entropy losses",
                    name));
  return loss;
}

}  // namespace descent
