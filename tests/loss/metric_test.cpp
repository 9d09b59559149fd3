#include "loss/metric.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "loss/accuracy.h"
#include "loss/losses.h"
#include "loss/regression_metrics.h"

namespace descent {
namespace {

TEST(Metrics, AccuracyFollowsTheLossLikeKeras) {
  const auto scce = make_metric("accuracy", SparseCategoricalCrossentropy());
  const auto cce = make_metric("acc", CategoricalCrossentropy());
  const auto bce = make_metric("accuracy", BinaryCrossentropy());
  EXPECT_NE(dynamic_cast<SparseCategoricalAccuracy*>(scce.get()), nullptr);
  EXPECT_NE(dynamic_cast<CategoricalAccuracy*>(cce.get()), nullptr);
  EXPECT_NE(dynamic_cast<BinaryAccuracy*>(bce.get()), nullptr);
  EXPECT_NE(dynamic_cast<Accuracy*>(make_metric("accuracy", MeanSquaredError()).get()), nullptr);
  EXPECT_EQ(scce->name(), "accuracy");
  EXPECT_EQ(cce->name(), "acc");
}

TEST(Metrics, SparseCategoricalAccuracyWithTiesTakesTheFirstClass) {
  SparseCategoricalAccuracy m;
  // Rows: argmax 1 (right), tie 0/2 -> 0 (label 2: wrong), tie 0/2 -> 0 (label 0: right),
  // argmax 2 (label 1: wrong).
  m.update(Tensor({4, 3}, {0.1f, 0.8f, 0.1f, 0.4f, 0.2f, 0.4f, 0.4f, 0.2f, 0.4f, 0, 0.3f, 0.7f}),
           Tensor({4}, {1, 2, 0, 1}));
  EXPECT_DOUBLE_EQ(m.result(), 0.5);
  // A second batch of 1 right out of 1: 3 of 5, weighted by samples (not 0.5 and 1 averaged).
  m.update(Tensor({1, 3}, {0, 0, 1}), Tensor({1, 1}, {2}));
  EXPECT_DOUBLE_EQ(m.result(), 0.6);
  m.reset();
  EXPECT_DOUBLE_EQ(m.result(), 0.0);
  EXPECT_THROW(m.update(Tensor({1, 3}), Tensor({1}, {3})), DataError);
}

// A language model's accuracy: the fraction of all positions whose argmax is the next token.
TEST(Metrics, SparseAccuracyPerTokenCountsEveryPosition) {
  // Sample 0: positions right, wrong; sample 1: right, right -> 3 of 4.
  const Tensor logits({2, 2, 3}, {3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 1});
  const Tensor labels({2, 2}, {0, 2, 2, 1});
  SparseCategoricalAccuracy sparse;
  Accuracy chosen;
  sparse.update(logits, labels);
  chosen.update(logits, labels);
  EXPECT_DOUBLE_EQ(sparse.result(), 0.75);
  EXPECT_DOUBLE_EQ(chosen.result(), 0.75);
  // Counted by positions: a second batch of one sample, both wrong, gives 3 of 6.
  sparse.update(Tensor({1, 2, 3}, {0, 1, 0, 0, 1, 0}), Tensor({1, 2}, {0, 0}));
  EXPECT_DOUBLE_EQ(sparse.result(), 0.5);
  EXPECT_THROW(sparse.update(logits, Tensor({2, 2}, {0, 2, 3, 1})), DataError);
  EXPECT_THROW(sparse.update(logits, Tensor({2, 3})), InvalidArgument);
}

TEST(Metrics, CategoricalAccuracyComparesArgmaxes) {
  CategoricalAccuracy m;
  m.update(Tensor({3, 2}, {0.9f, 0.1f, 0.3f, 0.7f, 0.6f, 0.4f}),
           Tensor({3, 2}, {1, 0, 1, 0, 1, 0}));
  EXPECT_NEAR(m.result(), 2.0 / 3.0, 1e-12);
  EXPECT_THROW(m.update(Tensor({3, 2}), Tensor({3}, {0, 1, 1})), InvalidArgument);
}

TEST(Metrics, BinaryAccuracyThresholdsProbabilitiesAtHalfAndLogitsAtZero) {
  const Tensor t({2, 3}, {1, 0, 1, 0, 0, 1});
  // 0.5 is not above the threshold: predicted 0.
  const Tensor probs({2, 3}, {0.7f, 0.2f, 0.5f, 0.6f, 0.1f, 0.9f});
  auto prob_acc = make_metric("accuracy", BinaryCrossentropy());
  prob_acc->update(probs, t);
  EXPECT_NEAR(prob_acc->result(), 4.0 / 6.0, 1e-12);
  const Tensor logits({2, 3}, {2, -1, 0.1f, -0.3f, -2, 0.0f});
  auto logit_acc = make_metric("binary_accuracy", BinaryCrossentropy({.from_logits = true}));
  logit_acc->update(logits, t);
  EXPECT_NEAR(logit_acc->result(), 5.0 / 6.0, 1e-12);
  EXPECT_EQ(logit_acc->name(), "binary_accuracy");
}

TEST(Metrics, AccuracyForOtherLossesIsChosenFromShapes) {
  Accuracy binary;
  binary.update(Tensor({4, 1}, {0.9f, 0.2f, 0.6f, 0.4f}), Tensor({4}, {1, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(binary.result(), 0.75);
  Accuracy sparse;
  sparse.update(Tensor({2, 3}, {0, 1, 0, 1, 0, 0}), Tensor({2}, {1, 2}));
  EXPECT_DOUBLE_EQ(sparse.result(), 0.5);
  Accuracy categorical;
  categorical.update(Tensor({2, 3}, {0, 1, 0, 1, 0, 0}), Tensor({2, 3}, {0, 1, 0, 1, 0, 0}));
  EXPECT_DOUBLE_EQ(categorical.result(), 1.0);
}

TEST(Metrics, TopKCountsTiesAtTheBoundaryAsInside) {
  // Row 0: label 2 has the 3rd highest score -> in top 3, not in top 2.
  // Row 1: label 0 ties with two others at the top -> in top 1.
  // Row 2: label 3 is the lowest -> out.
  const Tensor scores({3, 4},
                      {0.4f, 0.3f, 0.2f, 0.1f, 0.3f, 0.3f, 0.3f, 0.1f, 0.4f, 0.3f, 0.2f, 0.1f});
  const Tensor labels({3}, {2, 0, 3});
  TopKAccuracy top1(1), top2(2), top3(3), top4(4);
  for (TopKAccuracy* m : {&top1, &top2, &top3, &top4})
    m->update(scores, labels);
  EXPECT_NEAR(top1.result(), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(top2.result(), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(top3.result(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(top4.result(), 1.0, 1e-12);
  // One-hot targets give the same answer.
  TopKAccuracy dense(3);
  Tensor onehot({3, 4});
  for (int r = 0; r < 3; ++r)
    onehot[r * 4 + static_cast<int>(labels[r])] = 1.0f;
  dense.update(scores, onehot);
  EXPECT_NEAR(dense.result(), 2.0 / 3.0, 1e-12);
  EXPECT_THROW(TopKAccuracy(0), InvalidArgument);
}

TEST(Metrics, TopKNames) {
  const SparseCategoricalCrossentropy loss;
  EXPECT_EQ(make_metric("top_k_accuracy", loss)->name(), "top_5_accuracy");
  EXPECT_EQ(make_metric("top5", loss)->name(), "top_5_accuracy");
  EXPECT_EQ(make_metric("top_3_accuracy", loss)->name(), "top_3_accuracy");
  EXPECT_EQ(make_metric("sparse_top_k_categorical_accuracy", loss)->name(), "top_5_accuracy");
  EXPECT_EQ(make_metric("top_k_categorical_accuracy", loss)->name(), "top_5_accuracy");
  const auto metric = make_metric("Top_3_Accuracy", loss);
  const auto* top3 = dynamic_cast<const TopKAccuracy*>(metric.get());
  ASSERT_NE(top3, nullptr);
  EXPECT_EQ(top3->k(), 3);
  EXPECT_THROW(make_metric("top0", loss), InvalidArgument);
}

TEST(Metrics, RegressionMetricsAccumulateOverAllValues) {
  const MeanSquaredError loss;
  auto mae = make_metric("mae", loss);
  auto mse = make_metric("mean_squared_error", loss);
  auto rmse = make_metric("rmse", loss);
  // Errors 1, -2, 0 then 3: |e| sums to 6 over 4 values, e² to 14.
  for (Metric* m : {mae.get(), mse.get(), rmse.get()}) {
    m->update(Tensor({3, 1}, {1, 0, 5}), Tensor({3}, {0, 2, 5}));
    m->update(Tensor({1, 1}, {3}), Tensor({1, 1}, {0}));
  }
  EXPECT_DOUBLE_EQ(mae->result(), 1.5);
  EXPECT_DOUBLE_EQ(mse->result(), 3.5);
  EXPECT_DOUBLE_EQ(rmse->result(), std::sqrt(3.5));
  EXPECT_EQ(mae->name(), "mae");
  EXPECT_EQ(mse->name(), "mean_squared_error");
  EXPECT_THROW(mae->update(Tensor({3, 1}), Tensor({2})), InvalidArgument);
}

TEST(Metrics, UnknownNameListsKnownOnes) {
  try {
    make_metric("f1", MeanSquaredError());
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'f1'"), std::string::npos) << message;
    EXPECT_NE(message.find("top_k_accuracy"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace descent
