// The fused softmax cross-entropy op of core (src/core/ops/cross_entropy.h), tested here because
// the loss layer owns it: against PyTorch, against a naive double-precision reference on a batch
// large enough for the parallel path, and for thread-count independence.
#include "core/ops/cross_entropy.h"

#include <omp.h>

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/random.h"
#include "loss_fixture.h"

namespace descent {
namespace {

using testing::expect_close;
using testing::fixture_tensor;
using testing::loss_fixture;

TEST(SoftmaxCrossEntropy, MatchesPyTorchCrossEntropy) {
  int checked = 0;
  for (const auto& c : loss_fixture()) {
    if (!c["from_logits"].get<bool>() || c["loss"] == "binary_crossentropy") continue;
    // Sequence logits reach the op as rows: the loss reshapes them (losses_test.cpp).
    if (c["pred_shape"].size() != 2) continue;
    const bool sparse = c["loss"] == "sparse_categorical_crossentropy";
    const float s = c["label_smoothing"].get<float>();
    Variable x(fixture_tensor(c, "pred_shape", "pred"), true);
    const Tensor t = fixture_tensor(c, "true_shape", "true");
    Variable y = sparse ? sparse_softmax_cross_entropy(x, t, s) : softmax_cross_entropy(x, t, s);
    EXPECT_STREQ(y.op(), sparse ? "sparse_softmax_cross_entropy" : "softmax_cross_entropy");
    EXPECT_NEAR(y.item(), c["value"].get<double>(), 1e-5 * c["value"].get<double>());
    y.backward();
    expect_close(x.grad(), c["grad"].get<std::vector<double>>(), c["case"]);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

// Naive reference in double: mean over rows of Σ_j t_j (log Σ exp x - x_j), gradient
// (Σt · softmax - t) / batch.
double reference(const Tensor& x, const Tensor& t, Tensor& grad) {
  const std::int64_t batch = x.dim(0), classes = x.dim(1);
  grad.resize(x.shape());
  double total = 0.0;
  for (std::int64_t r = 0; r < batch; ++r) {
    double sum = 0.0, weight = 0.0;
    for (std::int64_t j = 0; j < classes; ++j) {
      sum += std::exp(double(x[r * classes + j]));
      weight += t[r * classes + j];
    }
    const double lse = std::log(sum);
    for (std::int64_t j = 0; j < classes; ++j) {
      const double tj = t[r * classes + j];
      total += tj * (lse - x[r * classes + j]);
      grad[r * classes + j] =
          static_cast<float>((weight * std::exp(x[r * classes + j] - lse) - tj) / batch);
    }
  }
  return total / batch;
}

struct Batch {
  Tensor logits, labels, onehot;
};

Batch large_batch() {
  const std::int64_t batch = 3000, classes = 17;  // 51000 values > kParallelGrain
  Rng rng(5);
  Batch b{Tensor({batch, classes}), Tensor({batch}), Tensor({batch, classes})};
  for (float& v : b.logits.values())
    v = static_cast<float>(rng.normal() * 3.0);
  for (std::int64_t r = 0; r < batch; ++r) {
    b.labels[r] = static_cast<float>(rng.below(classes));
    b.onehot[r * classes + static_cast<std::int64_t>(b.labels[r])] = 1.0f;
  }
  return b;
}

TEST(SoftmaxCrossEntropy, LargeBatchMatchesNaiveReference) {
  const Batch b = large_batch();
  Tensor expected_grad;
  const double expected = reference(b.logits, b.onehot, expected_grad);
  for (bool sparse : {true, false}) {
    Variable x(b.logits, true);
    Variable y =
        sparse ? sparse_softmax_cross_entropy(x, b.labels) : softmax_cross_entropy(x, b.onehot);
    EXPECT_NEAR(y.item(), expected, 1e-5 * expected);
    y.backward();
    for (std::int64_t i = 0; i < expected_grad.size(); ++i)
      ASSERT_NEAR(x.grad()[i], expected_grad[i], 1e-6 * std::abs(expected_grad[i]) + 1e-10);
  }
}

TEST(SoftmaxCrossEntropy, SameResultForAnyThreadCount) {
  const Batch b = large_batch();
  const int saved = omp_get_max_threads();
  std::vector<float> values;
  std::vector<Tensor> grads;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    Variable x(b.logits, true);
    Variable y = sparse_softmax_cross_entropy(x, b.labels, 0.1f);
    values.push_back(y.item());
    y.backward();
    grads.push_back(x.grad());
  }
  omp_set_num_threads(saved);
  for (std::size_t k = 1; k < values.size(); ++k) {
    EXPECT_EQ(values[k], values[0]);
    for (std::int64_t i = 0; i < grads[0].size(); ++i)
      ASSERT_EQ(grads[k][i], grads[0][i]);
  }
}

TEST(SoftmaxCrossEntropy, NoGradientBufferWithoutGrad) {
  Variable x(Tensor({2, 3}, {1, 2, 3, 3, 2, 1}));
  Variable y = sparse_softmax_cross_entropy(x, Tensor({2}, {2, 0}));
  EXPECT_FALSE(y.requires_grad());
  // Both rows have the right class at logit 3 over 2 and 1: log(1 + e^-1 + e^-2).
  EXPECT_NEAR(y.item(), std::log1p(std::exp(-1.0) + std::exp(-2.0)), 1e-6);
}

TEST(SoftmaxCrossEntropy, UniformLogitsGiveLogClasses) {
  Variable x(Tensor({3, 10}, 0.25f), true);
  Variable y = softmax_cross_entropy(x, Tensor({3, 10}, 0.1f));
  EXPECT_NEAR(y.item(), std::log(10.0), 1e-6);
  y.backward();
  for (float g : x.grad().values())
    EXPECT_NEAR(g, 0.0f, 1e-8);
}

TEST(SoftmaxCrossEntropy, RejectsBadShapesLabelsAndSmoothing) {
  Variable x(Tensor({2, 3}), true);
  EXPECT_THROW(sparse_softmax_cross_entropy(Variable(Tensor({6})), Tensor({6})), InvalidArgument);
  EXPECT_THROW(sparse_softmax_cross_entropy(x, Tensor({3})), InvalidArgument);
  EXPECT_THROW(sparse_softmax_cross_entropy(x, Tensor({2}, {0, 3})), DataError);
  EXPECT_THROW(sparse_softmax_cross_entropy(x, Tensor({2}, {0.5f, 1})), DataError);
  EXPECT_THROW(sparse_softmax_cross_entropy(x, Tensor({2}, {0, 1}), 2.0f), InvalidArgument);
  EXPECT_THROW(softmax_cross_entropy(x, Tensor({2, 2})), InvalidArgument);
  EXPECT_THROW(softmax_cross_entropy(Variable(Tensor({0, 3})), Tensor({0, 3})), InvalidArgument);
}

}  // namespace
}  // namespace descent
