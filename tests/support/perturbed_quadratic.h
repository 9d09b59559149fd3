// The problem of the learning-rate-free and Schedule-Free fixtures (tools/fixtures/
// gen_lr_free.py, gen_schedule_free.py): parameters of the fixture's shapes starting at x0, with
// the gradient g_t = a·(x − c) + 0.1·sin(0.7·k + t) at step t, k the value's index over all
// parameters (a fixed quadratic plus a fixed perturbation).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/variable.h"
#include "optim/optimizer.h"

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

// Whether fixture case `c` skips its last parameter at step t (the case's "skip" steps).
inline bool skipped(const nlohmann::json& c, int t) {
  if (!c.contains("skip")) return false;
  const nlohmann::json& steps = c["skip"];
  return std::find(steps.begin(), steps.end(), t) != steps.end();
}

// Float parameters at the starting values of the problem `spec`.
inline std::vector<Variable> starting_variables(const nlohmann::json& spec) {
  PerturbedQuadratic<float> problem(spec);
  std::vector<Variable> out;
  for (const auto& v : problem.values)
    out.emplace_back(Tensor({static_cast<std::int64_t>(v.size())}, v), true);
  return out;
}

// Steps t0..t1 (inclusive) of the problem `spec` on `params`, the last one skipped on t = 3.
inline void run_steps(const nlohmann::json& spec, Optimizer& optimizer,
                      std::vector<Variable>& params, int t0, int t1) {
  PerturbedQuadratic<float> problem(spec);
  for (int t = t0; t <= t1; ++t) {
    optimizer.zero_grad();
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (i + 1 == params.size() && t == 3) continue;
      const auto value = params[i].value().values();
      std::copy(value.begin(), value.end(), problem.values[i].begin());
      problem.write_gradient(i, t);
      const auto& g = problem.grads[i];
      std::copy(g.begin(), g.end(), params[i].mutable_grad().values().begin());
    }
    optimizer.step();
  }
}

inline std::vector<std::vector<float>> values_of(const std::vector<Variable>& params) {
  std::vector<std::vector<float>> out;
  for (const Variable& p : params) {
    const auto v = p.value().values();
    out.emplace_back(v.begin(), v.end());
  }
  return out;
}

}  // namespace descent::test_fixtures
