#include "core/ops/reduce.h"

#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/random.h"
#include "float64_gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradcheck_float64;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;

TEST(Reduce, MeanAndSumMatchTorch) {
  for (const std::string name : {"mean_matrix", "mean_4d", "mean_single"})
    expect_matches_torch(name,
                         [](NamedInputs& in, const nlohmann::json&) { return mean(in.at("x")); });
  expect_matches_torch("sum_matrix",
                       [](NamedInputs& in, const nlohmann::json&) { return sum(in.at("x")); });
}

TEST(Reduce, MeanGradcheckInDoubleAtTorchTolerances) {
  Rng rng(6);
  for (const Shape& shape : {Shape{3, 4}, Shape{2, 3, 2, 2}, Shape{1}, Shape{7}}) {
    SCOPED_TRACE(shape_string(shape));
    expect_gradcheck_float64(
        [](std::vector<Variable>& in) { return mean(in[0]); },
        [](const auto& x) {
          return std::vector<double>{std::accumulate(x[0].begin(), x[0].end(), 0.0) /
                                     static_cast<double>(x[0].size())};
        },
        {Variable(random_tensor(shape, rng), true)}, rng.next());
  }
}

}  // namespace
}  // namespace descent
