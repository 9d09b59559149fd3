#include "data/synthetic.h"

#include <cmath>
#include <numbers>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/random.h"

namespace descent {
namespace {

void check(std::int64_t n, double noise) {
  if (n < 0) throw InvalidArgument(fmt::format("number of samples {} is negative", n));
  if (!(noise >= 0.0) || !std::isfinite(noise))
    throw InvalidArgument(fmt::format("noise {} is not a finite value >= 0", noise));
}

Dataset points(std::int64_t n, std::int64_t dims) {
  Dataset data;
  data.sample_shape = {dims};
  data.values.reserve(n * dims);
  return data;
}

// Generators emit samples grouped by class; shuffling makes a split_tail validation set
// representative, as the samples of a real file would usually be.
Dataset shuffled(const Dataset& data, Rng& rng) {
  std::vector<std::int64_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t i = data.size() - 1; i > 0; --i)
    std::swap(order[i], order[rng.below(static_cast<std::uint64_t>(i) + 1)]);
  return subset(data, order);
}

void add_point(Dataset& data, double x, double y, std::int32_t label, double noise, Rng& rng) {
  data.values.push_back(static_cast<float>(x + noise * rng.normal()));
  data.values.push_back(static_cast<float>(y + noise * rng.normal()));
  data.labels.push_back(label);
}

}  // namespace

Dataset two_spirals(std::int64_t n, double noise, std::uint64_t seed) {
  check(n, noise);
  Rng rng(seed);
  Dataset data = points(n, 2);
  data.num_classes = 2;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t k = i < n - n / 2 ? 0 : 1;
    const double t = std::sqrt(rng.uniform());
    const double angle = 3.0 * std::numbers::pi * t + k * std::numbers::pi;
    add_point(data, t * std::cos(angle), t * std::sin(angle), k, noise, rng);
  }
  return shuffled(data, rng);
}

Dataset moons(std::int64_t n, double noise, std::uint64_t seed) {
  check(n, noise);
  Rng rng(seed);
  Dataset data = points(n, 2);
  data.num_classes = 2;
  const std::int64_t outer = n / 2, inner = n - outer;
  // linspace(0, pi, m): t_i = pi * i / (m - 1), a single point at 0.
  auto at = [](std::int64_t i, std::int64_t m) {
    return m > 1 ? std::numbers::pi * static_cast<double>(i) / static_cast<double>(m - 1) : 0.0;
  };
  for (std::int64_t i = 0; i < outer; ++i)
    add_point(data, std::cos(at(i, outer)), std::sin(at(i, outer)), 0, noise, rng);
  for (std::int64_t i = 0; i < inner; ++i)
    add_point(data, 1.0 - std::cos(at(i, inner)), 0.5 - std::sin(at(i, inner)), 1, noise, rng);
  return shuffled(data, rng);
}

Dataset xor_set(std::int64_t n, double noise, std::uint64_t seed) {
  check(n, noise);
  Rng rng(seed);
  Dataset data = points(n, 2);
  data.num_classes = 2;
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = rng.uniform(-1.0, 1.0), y = rng.uniform(-1.0, 1.0);
    add_point(data, x, y, (x > 0) != (y > 0) ? 1 : 0, noise, rng);
  }
  return data;
}

Dataset linear_regression(std::int64_t n, std::span<const double> coefficients, double bias,
                          double noise, std::uint64_t seed) {
  check(n, noise);
  if (coefficients.empty())
    throw InvalidArgument("linear_regression needs at least one coefficient");
  const auto d = static_cast<std::int64_t>(coefficients.size());
  Rng rng(seed);
  Dataset data = points(n, d);
  data.target_width = 1;
  data.targets.reserve(n);
  for (std::int64_t i = 0; i < n; ++i) {
    double y = bias;
    for (std::int64_t j = 0; j < d; ++j) {
      const double x = rng.normal();
      data.values.push_back(static_cast<float>(x));
      y += coefficients[j] * x;
    }
    data.targets.push_back(static_cast<float>(y + noise * rng.normal()));
  }
  return data;
}

Dataset tutorial_two_class(std::uint64_t seed) {
  Rng rng(seed);
  Dataset data = points(2100, 1);
  data.num_classes = 2;
  data.class_names = {"no side effects", "side effects"};
  auto person = [&](std::int64_t low, std::int64_t high, std::int32_t side_effects) {
    const auto age = low + static_cast<std::int64_t>(rng.below(high - low + 1));
    data.values.push_back(static_cast<float>(age - 13) / 87.0f);
    data.labels.push_back(side_effects);
  };
  // As in the tutorial: 50 outliers of each group, then 1,000 typical people of each.
  for (int i = 0; i < 50; ++i) {
    person(13, 64, 1);
    person(65, 100, 0);
  }
  for (int i = 0; i < 1000; ++i) {
    person(13, 64, 0);
    person(65, 100, 1);
  }
  return shuffled(data, rng);
}

}  // namespace descent
