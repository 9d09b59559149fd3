#include "nn/initializer.h"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

constexpr std::pair<Initializer::Kind, std::string_view> kInitializerNames[] = {
    {Initializer::Kind::glorot_uniform, "glorot_uniform"},
    {Initializer::Kind::glorot_normal, "glorot_normal"},
    {Initializer::Kind::he_uniform, "he_uniform"},
    {Initializer::Kind::he_normal, "he_normal"},
    {Initializer::Kind::lecun_uniform, "lecun_uniform"},
    {Initializer::Kind::lecun_normal, "lecun_normal"},
    {Initializer::Kind::torch_uniform, "torch_uniform"},
    {Initializer::Kind::uniform, "uniform"},
    {Initializer::Kind::torch_normal, "torch_normal"},
    {Initializer::Kind::normal, "normal"},
    {Initializer::Kind::zeros, "zeros"},
    {Initializer::Kind::ones, "ones"},
    {Initializer::Kind::constant, "constant"},
};

struct Fans {
  double in, out;
};

Fans fans_of(const Shape& shape) {
  if (shape.size() == 2) return {double(shape[0]), double(shape[1])};
  if (shape.size() == 4) {
    const double receptive = double(shape[2] * shape[3]);
    return {double(shape[1]) * receptive, double(shape[0]) * receptive};
  }
  const double n = shape.empty() ? 1.0 : double(shape[0]);
  return {n, n};
}

void fill_uniform(Tensor& t, double limit, Rng& rng) {
  for (float& v : t.values())
    v = static_cast<float>(rng.uniform(-limit, limit));
}

void fill_truncated_normal(Tensor& t, double stddev, Rng& rng) {
  const double s = stddev / 0.87962566103423978;
  for (float& v : t.values()) {
    double z;
    do
      z = rng.normal();
    while (std::abs(z) > 2.0);
    v = static_cast<float>(z * s);
  }
}

}  // namespace

Initializer Initializer::parse(std::string_view name) {
  if (name.starts_with("constant:")) {
    const std::string number(name.substr(9));
    char* end = nullptr;
    const float value = std::strtof(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !std::isfinite(value))
      throw InvalidArgument(fmt::format("initializer '{}': '{}' is not a number", name, number));
    return constant(value);
  }
  if (name.starts_with("normal:")) {
    const std::string number(name.substr(7));
    char* end = nullptr;
    const float stddev = std::strtof(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !std::isfinite(stddev) || stddev <= 0.0f)
      throw InvalidArgument(fmt::format(
          "initializer '{}': the standard deviation '{}' is not a number > 0", name, number));
    return normal(stddev);
  }
  if (name == "normal")
    throw InvalidArgument("initializer 'normal' needs its standard deviation: normal:STDDEV");
  for (const auto& [kind, known] : kInitializerNames)
    if (name == known) return {kind, 0.0f};
  throw InvalidArgument(fmt::format(
      "unknown initializer '{}' (known: glorot_uniform, glorot_normal, he_uniform, he_normal, "
      "lecun_uniform, lecun_normal, torch_uniform, uniform, torch_normal, normal:STDDEV, zeros, "
      "ones, constant:VALUE)",
      name));
}

std::string Initializer::name() const {
  for (const auto& [k, known] : kInitializerNames)
    if (k == kind)
      return kind == Kind::constant || kind == Kind::normal ? fmt::format("{}:{}", known, value)
                                                            : std::string(known);
  return "unknown";
}

void Initializer::fill(Tensor& weights, Rng& rng, const Shape& fan_shape) const {
  const Fans f = fans_of(fan_shape);
  switch (kind) {
    case Kind::glorot_uniform:
      return fill_uniform(weights, std::sqrt(6.0 / (f.in + f.out)), rng);
    case Kind::glorot_normal:
      return fill_truncated_normal(weights, std::sqrt(2.0 / (f.in + f.out)), rng);
    case Kind::he_uniform:
      return fill_uniform(weights, std::sqrt(6.0 / f.in), rng);
    case Kind::he_normal:
      return fill_truncated_normal(weights, std::sqrt(2.0 / f.in), rng);
    case Kind::lecun_uniform:
      return fill_uniform(weights, std::sqrt(3.0 / f.in), rng);
    case Kind::lecun_normal:
      return fill_truncated_normal(weights, std::sqrt(1.0 / f.in), rng);
    case Kind::torch_uniform:
      return fill_uniform(weights, 1.0 / std::sqrt(f.in), rng);
    case Kind::uniform:
      return fill_uniform(weights, 0.05, rng);
    case Kind::torch_normal:
      for (float& v : weights.values())
        v = static_cast<float>(rng.normal());
      return;
    case Kind::normal:
      for (float& v : weights.values())
        v = static_cast<float>(rng.normal() * value);
      return;
    case Kind::zeros:
      return weights.fill(0.0f);
    case Kind::ones:
      return weights.fill(1.0f);
    case Kind::constant:
      return weights.fill(value);
  }
}

}  // namespace descent
