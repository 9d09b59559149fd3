#include "core/ops/concat.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops/reduce.h"
#include "ops_fixture.h"

namespace descent {
namespace {

TEST(Concat, JoinsAlongAnyAxis) {
  const Variable a(Tensor({2, 1}, {1, 2})), b(Tensor({2, 2}, {3, 4, 5, 6}));
  const Tensor columns = concat({a, b}, 1).value();
  ASSERT_EQ(columns.shape(), (Shape{2, 3}));
  const std::vector<float> expected{1, 3, 4, 2, 5, 6};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(columns[static_cast<std::int64_t>(i)], expected[i]) << i;
  const Tensor rows = concat({b, b}, -2).value();
  ASSERT_EQ(rows.shape(), (Shape{4, 2}));
  EXPECT_EQ(rows[7], 6.0f);
}

TEST(Concat, SplitAndNarrowUndoIt) {
  const Variable x(Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  const std::vector<Variable> pieces = split(x, {1, 2}, 1);
  ASSERT_EQ(pieces[1].shape(), (Shape{2, 2}));
  EXPECT_EQ(pieces[1].value()[2], 5.0f);
  EXPECT_EQ(narrow(x, 0, 1, 1).value()[0], 4.0f);
  const Tensor joined = concat(pieces, 1).value();
  for (std::int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(joined[i], x.value()[i]);
}

TEST(Concat, StackAddsAnAxis) {
  const Variable a(Tensor({2}, {1, 2})), b(Tensor({2}, {3, 4}));
  const Tensor first = stack({a, b}, 0).value(), last = stack({a, b}, -1).value();
  ASSERT_EQ(first.shape(), (Shape{2, 2}));
  ASSERT_EQ(last.shape(), (Shape{2, 2}));
  EXPECT_EQ(first[1], 2.0f);
  EXPECT_EQ(last[1], 3.0f);
}

TEST(Concat, EachInputGetsItsSliceOfTheGradient) {
  Variable a(Tensor({1, 2}, {1, 2}), true), b(Tensor({2, 2}, {3, 4, 5, 6}), true);
  Variable y = concat({a, b}, 0);
  y.backward(Tensor({3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(a.grad()[1], 2.0f);
  EXPECT_EQ(b.grad()[0], 3.0f);
  EXPECT_EQ(b.grad()[3], 6.0f);
}

TEST(Concat, RejectsMismatchedShapesAndRangesByName) {
  const auto message = [](const std::function<void()>& call) {
    try {
      call();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const Variable a(Tensor({2, 3})), b(Tensor({3, 3}));
  EXPECT_EQ(message([&] {
              concat({a, b}, 1);
            }),
            "concat: shapes (2, 3) and (3, 3) differ outside axis 1");
  EXPECT_EQ(message([&] { narrow(a, 1, 2, 2); }),
            "narrow: [2, 4) is not within axis 1 of shape (2, 3)");
  EXPECT_EQ(message([&] {
              split(a, {1, 1}, -1);
            }),
            "split: sizes add up to 2, axis -1 of shape (2, 3) holds 3");
  EXPECT_EQ(message([&] { stack({a, b}, 0); }), "stack: shapes (2, 3) and (3, 3) differ");
  EXPECT_EQ(message([&] { stack({a}, 3); }), "stack: axis 3 is out of range for shape (2, 3)");
  EXPECT_THROW(concat({}, 0), InvalidArgument);
}

TEST(Concat, CatAndStackMatchTorch) {
  testing::expect_matches_torch("cat_axis1", [](testing::NamedInputs& in, const nlohmann::json& p) {
    return concat({in.at("a"), in.at("b")}, p.at("axis").get<int>());
  });
  testing::expect_matches_torch("stack_last",
                                [](testing::NamedInputs& in, const nlohmann::json& p) {
                                  return stack({in.at("a"), in.at("b")}, p.at("axis").get<int>());
                                });
}

}  // namespace
}  // namespace descent
