#include "core/ops/index.h"

#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops/reduce.h"
#include "ops_fixture.h"

namespace descent {
namespace {

// An embedding table of 4 tokens × 2 features: row r is (10r, 10r + 1).
Variable table(bool requires_grad = false) {
  return Variable(Tensor({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31}), requires_grad);
}

TEST(IndexSelect, LooksUpRowsForIndicesOfAnyShape) {
  const Tensor ids({2, 3}, {3, 0, 3, 1, 1, 2});
  const Tensor y = index_select(table(), ids, 0).value();
  ASSERT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(y[0], 30.0f);
  EXPECT_EQ(y[3], 1.0f);
  EXPECT_EQ(y[11], 21.0f);
  const Tensor columns = index_select(table(), Tensor({2}, {1, 1}), -1).value();
  ASSERT_EQ(columns.shape(), (Shape{4, 2}));
  EXPECT_EQ(columns[6], 31.0f);
}

TEST(IndexSelect, TheGradientAddsUpRepeatedRows) {
  Variable weights = table(true);
  sum(index_select(weights, Tensor({3}, {2, 0, 2}), 0)).backward();
  const std::vector<float> expected{1, 1, 0, 0, 2, 2, 0, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(weights.grad()[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(ScatterAdd, AddsSlicesIntoZerosAtTheirIndices) {
  const Variable source(Tensor({3, 2}, {1, 2, 3, 4, 5, 6}));
  const Tensor y = scatter_add(source, Tensor({3}, {2, 0, 2}), 0, 4).value();
  ASSERT_EQ(y.shape(), (Shape{4, 2}));
  const std::vector<float> expected{3, 4, 0, 0, 6, 8, 0, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(y[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(IndexSelect, RejectsIndicesOutOfRangeByPosition) {
  const auto message = [](const Tensor& ids) {
    try {
      index_select(table(), ids, 0);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(Tensor({3}, {0, 4, 1})),
            "index_select: index 4 at position 1 is not in [0, 4) for axis 0 of shape (4, 2)");
  EXPECT_EQ(message(Tensor({2}, {1.5f, 0})),
            "index_select: index 1.5 at position 0 is not in [0, 4) for axis 0 of shape (4, 2)");
  EXPECT_EQ(message(Tensor({1}, {-1})),
            "index_select: index -1 at position 0 is not in [0, 4) for axis 0 of shape (4, 2)");
  EXPECT_THROW(index_select(table(), Tensor({1}, {0}), 2), InvalidArgument);
  EXPECT_THROW(scatter_add(Variable(Tensor({3, 2})), Tensor({2}, {0, 1}), 0, 4), InvalidArgument);
}

// The embedding lookup and an index_select at an inner axis, against PyTorch.
TEST(IndexSelect, MatchesTorch) {
  for (const std::string name : {"embedding", "index_select_axis1"})
    testing::expect_matches_torch(name, [](testing::NamedInputs& in, const nlohmann::json& p) {
      const Variable& table = in.count("w") ? in.at("w") : in.at("x");
      return index_select(table, testing::tensor_from_list(p.at("indices")),
                          p.at("axis").get<int>());
    });
}

}  // namespace
}  // namespace descent
