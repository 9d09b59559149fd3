// Exact Hessian-vector products against PyTorch's torch.autograd.functional.hvp in float64
// (tests/fixtures/hvp.json from tools/fixtures/gen_hvp.py): small networks with tanh, sigmoid,
// softplus and ReLU, softmax cross-entropy on labels and on distributions, squared error, a
// convolution, and an L2 penalty, all agreeing to 1e-10.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/fixture_file.h"
#include "core/autograd.h"
#include "core/ops.h"

namespace descent {
namespace {

Tensor decode(const nlohmann::json& j) {
  return Tensor(j["shape"].get<Shape>(), j["data"].get<std::vector<double>>());
}

Variable network(const std::string& model, const Variable& x, const std::vector<Variable>& p) {
  if (model == "conv") return dense(flatten(tanh(conv2d(x, p[0], p[1], {1, 1}))), p[2], p[3]);
  const std::string activation = model.substr(model.find(':') + 1);
  Variable h = dense(x, p[0], p[1]);
  if (activation == "tanh") h = tanh(h);
  if (activation == "sigmoid") h = sigmoid(h);
  if (activation == "softplus") h = softplus(h);
  if (activation == "relu") h = relu(h);
  return dense(h, p[2], p[3]);
}

Variable loss_of(const std::string& kind, const Variable& out, const Tensor& target) {
  if (kind == "sparse_softmax_cross_entropy")
    return sparse_softmax_cross_entropy(out, target.to(DType::f32));
  if (kind == "softmax_cross_entropy") return softmax_cross_entropy(out, target);
  return mean(square(sub(out, Variable(target))));
}

TEST(Hvp, MatchesPyTorchInFloat64) {
  const nlohmann::json fixture = test_fixtures::read("hvp.json");
  ASSERT_GE(fixture["cases"].size(), 7u);
  for (const nlohmann::json& c : fixture["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::vector<Variable> params;
    std::vector<Tensor> v;
    for (std::size_t i = 0; i < c["params"].size(); ++i) {
      params.emplace_back(decode(c["params"][i]), true);
      v.push_back(decode(c["v"][i]));
    }
    const Variable x(decode(c["x"]));
    Variable loss = loss_of(c["loss"], network(c["model"], x, params), decode(c["target"]));
    for (const Variable& p : params)
      loss = add(loss, mul(sum(square(p)), c["l2"].get<double>()));
    EXPECT_NEAR(loss.value().item<double>(), c["value"].get<double>(), 1e-12);

    const std::vector<Tensor> hv = hvp(loss, params, v);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Tensor expected = decode(c["hv"][i]);
      for (std::int64_t j = 0; j < expected.size(); ++j)
        EXPECT_LE(std::abs(hv[i].at(j) - expected.at(j)),
                  1e-10 * std::max(1.0, std::abs(expected.at(j))))
            << "parameter " << i << " value " << j << ": " << hv[i].at(j) << " vs "
            << expected.at(j);
    }
  }
}

}  // namespace
}  // namespace descent
