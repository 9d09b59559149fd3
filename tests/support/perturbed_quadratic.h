// The problem of the learning-rate-free and Schedule-Free fixtures (tools/fixtures/
// gen_lr_free.py, gen_schedule_free.py): parameters of the fixture's shapes starting at x0, with
// the gradient g_t = a·(x − c) + 0.1·sin(0.7·k + t) at step t, k the value's index over all
// parameters (a fixed quadratic plus a fixed perturbation).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent::test_fixtures {

template <class T>
struct PerturbedQuadratic {
  std::vector<std::vector<T>> values, grads;
  std::vector<std::size_t> offsets;
  std::vector<T> a, c;

  // `spec`: the fixture's "problem" object (shapes, x0, a, c).
  explicit PerturbedQuadratic(const nlohmann::json& spec) {
    const auto x0 = spec["x0"].get<std::vector<double>>();
    for (double v : spec["a"].get<std::vector<double>>())
      a.push_back(static_cast<T>(v));
    for (double v : spec["c"].get<std::vector<double>>())
      c.push_back(static_cast<T>(v));
    std::size_t offset = 0;
    for (const nlohmann::json& shape : spec["shapes"]) {
      std::size_t n = 1;
      for (const nlohmann::json& d : shape)
        n *= d.get<std::size_t>();
      values.emplace_back();
      for (std::size_t j = 0; j < n; ++j)
        values.back().push_back(static_cast<T>(x0[offset + j]));
      grads.emplace_back(n);
      offsets.push_back(offset);
      offset += n;
    }
  }

  // Parameter i's gradient at step t, at its current values.
  void write_gradient(std::size_t i, int t) {
    for (std::size_t j = 0; j < values[i].size(); ++j) {
      const std::size_t k = offsets[i] + j;
      const T noise = static_cast<T>(0.1 * std::sin(0.7 * static_cast<double>(k) + t));
      grads[i][j] = a[k] * (values[i][j] - c[k]) + noise;
    }
  }

  // Every value, parameters in order.
  std::vector<T> flat() const {
    std::vector<T> out;
    for (const auto& v : values)
      out.insert(out.end(), v.begin(), v.end());
    return out;
  }
};

}  // namespace descent::test_fixtures
