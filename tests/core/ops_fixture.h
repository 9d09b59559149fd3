// Test support for the core ops: random inputs, and the PyTorch reference cases of
// tests/fixtures/ops.json (written by tools/fixtures/gen_ops.py).
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/ops/elementwise.h"
#include "core/ops/reduce.h"
#include "core/random.h"
#include "core/variable.h"
#include "fixture_file.h"

namespace descent::testing {

inline Tensor random_tensor(Shape shape, Rng& rng, double low = -1.0, double high = 1.0) {
  Tensor t(std::move(shape));
  for (float& v : t.values())
    v = static_cast<float>(rng.uniform(low, high));
  return t;
}

// Values of magnitude in [gap, 1] with random sign: at least `gap` from a kink at zero.
inline Tensor away_from_zero(Shape shape, Rng& rng, double gap = 0.1) {
  Tensor t = random_tensor(std::move(shape), rng, gap, 1.0);
  for (float& v : t.values())
    if (rng.uniform() < 0.5) v = -v;
  return t;
}

// sum(y · weight): a one-value loss whose gradient upstream of y is `weight`, not all ones.
inline Variable weighted_sum(const Variable& y, const Tensor& weight) {
  return sum(mul(y, Variable(weight)));
}

inline const nlohmann::json& ops_fixture() {
  static const nlohmann::json cases = test_fixtures::read("ops.json").at("cases");
  return cases;
}

inline Tensor tensor_from(const nlohmann::json& j) {
  const Shape shape = j.at("shape").get<Shape>();
  const std::vector<float> data = j.at("data").get<std::vector<float>>();
  return Tensor(shape, std::span<const float>(data));
}

// A nested JSON list of numbers (indices or a mask in a case's params) as a Tensor of its shape.
inline Tensor tensor_from_list(const nlohmann::json& list) {
  Shape shape;
  for (const nlohmann::json* level = &list; level->is_array(); level = &level->at(0))
    shape.push_back(static_cast<std::int64_t>(level->size()));
  std::vector<float> flat;
  const std::function<void(const nlohmann::json&)> collect = [&](const nlohmann::json& j) {
    if (!j.is_array()) {
      flat.push_back(j.get<float>());
      return;
    }
    for (const nlohmann::json& item : j)
      collect(item);
  };
  collect(list);
  return Tensor(shape, std::span<const float>(flat));
}

inline void expect_close(const Tensor& actual, const nlohmann::json& expected_json,
                         double tolerance, const std::string& what) {
  const Tensor expected = tensor_from(expected_json);
  ASSERT_EQ(shape_string(actual.shape()), shape_string(expected.shape())) << what;
  for (std::int64_t i = 0; i < expected.size(); ++i) {
    const double e = expected[i];
    EXPECT_NEAR(actual[i], e, tolerance * std::max(1.0, std::abs(e))) << what << " element " << i;
  }
}

using NamedInputs = std::map<std::string, Variable>;

// The cases of tests/fixtures/pool_conv.json (tools/fixtures/gen_pool_conv.py), in ops.json's
// format.
inline const nlohmann::json& pool_conv_fixture() {
  static const nlohmann::json cases = test_fixtures::read("pool_conv.json").at("cases");
  return cases;
}

// Rebuilds case `name` of `cases` with `op`, compares the output, seeds backward() with the case's
// weight (so each input's gradient is that of sum(output · weight)) and compares every gradient.
inline void expect_matches_torch(
    const std::string& name, const std::function<Variable(NamedInputs&, const nlohmann::json&)>& op,
    double tolerance = 1e-5, const nlohmann::json& cases = ops_fixture()) {
  SCOPED_TRACE("case " + name);
  const nlohmann::json& c = cases.at(name);
  NamedInputs inputs;
  for (const auto& [key, value] : c.at("inputs").items())
    inputs.emplace(key, Variable(tensor_from(value), true));
  Variable y = op(inputs, c.at("params"));
  expect_close(y.value(), c.at("output"), tolerance, name + " output");
  y.backward(tensor_from(c.at("weight")));
  for (const auto& [key, value] : c.at("grads").items())
    expect_close(inputs.at(key).grad(), value, tolerance, name + " gradient of " + key);
}

}  // namespace descent::testing
