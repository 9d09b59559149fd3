#include "train/text_generation.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

std::int32_t sample_token(std::span<const float> logits, const SamplingOptions& options, Rng& rng) {
  if (!(std::isfinite(options.temperature) && options.temperature > 0.0))
    throw InvalidArgument(
        fmt::format("the temperature must be finite and > 0, got {}", options.temperature));
  if (options.top_k < 0)
    throw InvalidArgument(fmt::format("top-k must be >= 0, got {}", options.top_k));
  if (logits.empty()) throw InvalidArgument("sampling needs at least one logit");
  const auto n = static_cast<std::int64_t>(logits.size());
  // Logits below the k-th highest are left out; ties with it stay in.
  float floor = -INFINITY;
  if (options.top_k > 0 && options.top_k < n) {
    std::vector<float> sorted(logits.begin(), logits.end());
    std::nth_element(sorted.begin(), sorted.begin() + (options.top_k - 1), sorted.end(),
                     std::greater<>());
    floor = sorted[static_cast<std::size_t>(options.top_k - 1)];
  }
  const double top = *std::max_element(logits.begin(), logits.end());
  std::vector<double> weights(logits.size(), 0.0);
  double total = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i)
    if (logits[i] >= floor) {
      weights[i] = std::exp((logits[i] - top) / options.temperature);
      total += weights[i];
    }
  double u = rng.uniform() * total;
  std::size_t last_kept = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] == 0.0) continue;
    last_kept = i;
    if (u < weights[i]) return static_cast<std::int32_t>(i);
    u -= weights[i];
  }
  return static_cast<std::int32_t>(last_kept);  // u reached the total by rounding
}

std::vector<std::int32_t> generate_tokens(Model& model, std::span<const std::int32_t> prompt,
                                          std::int64_t count, const SamplingOptions& options) {
  if (prompt.empty()) throw InvalidArgument("generation needs a prompt of at least one token");
  if (count < 0) throw InvalidArgument(fmt::format("cannot generate {} tokens", count));
  const Shape& input = model.input_shape();
  const Shape& output = model.output_shape();
  if (input.size() != 1 || output.size() != 2 || output[0] != input[0])
    throw InvalidArgument(fmt::format(
        "generation needs a language model (input (context), output (context, vocabulary)), "
        "got input {} and output {}",
        shape_string(input), shape_string(output)));
  const std::int64_t context = input[0], vocabulary = output[1];
  std::vector<std::int32_t> tokens(prompt.begin(), prompt.end());
  Rng rng(options.seed);
  Tensor window({1, context});
  for (std::int64_t step = 0; step < count; ++step) {
    const auto length = std::min<std::int64_t>(context, static_cast<std::int64_t>(tokens.size()));
    const std::int32_t* last = tokens.data() + tokens.size() - length;
    window.fill(0.0f);
    for (std::int64_t t = 0; t < length; ++t)
      window[t] = static_cast<float>(last[t]);
    const Tensor logits = model.predict(window, 1);
    const float* row = logits.data() + (length - 1) * vocabulary;
    tokens.push_back(sample_token({row, static_cast<std::size_t>(vocabulary)}, options, rng));
  }
  return {tokens.begin() + static_cast<std::ptrdiff_t>(prompt.size()), tokens.end()};
}

}  // namespace descent
