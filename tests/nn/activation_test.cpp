// Activation names as model files spell them.
#include "nn/activation.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {
namespace {

TEST(ActivationNames, RoundTripAndApply) {
  const Variable x(Tensor({3}, {-1.5f, 0.25f, 2.0f}));
  for (const char* name : {"softplus", "gelu", "gelu_tanh", "silu"}) {
    const Activation a = parse_activation(name);
    EXPECT_EQ(activation_name(a), name);
    EXPECT_EQ(apply_activation(a, x).shape(), x.shape()) << name;
  }
  EXPECT_FLOAT_EQ(apply_activation(parse_activation("gelu"), x).value()[2], gelu(x).value()[2]);
  EXPECT_FLOAT_EQ(apply_activation(parse_activation("gelu_tanh"), x).value()[0],
                  gelu(x, GeluApproximation::tanh).value()[0]);
  EXPECT_FLOAT_EQ(apply_activation(parse_activation("softplus"), x).value()[1],
                  softplus(x).value()[1]);
}

TEST(ActivationNames, SwishIsSilu) {
  EXPECT_EQ(parse_activation("swish"), Activation::silu);
  EXPECT_EQ(activation_name(parse_activation("swish")), "silu");
}

TEST(ActivationNames, UnknownNameListsTheKnownOnes) {
  try {
    parse_activation("gelu_fast");
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("gelu_tanh"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace descent
