#include "nn/sequential.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/activation_layer.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/flatten.h"
#include "nn/layer_normalization.h"
#include "nn/max_pool2d.h"

namespace descent {
namespace {

Sequential tutorial_model() {
  Sequential model;
  model.add(Dense(16, {.activation = "relu", .input_shape = {1}}));
  model.add(Dense(32, {.activation = "relu", .kernel_regularizer = L2(0.01)}));
  model.add(Dense(2, {.activation = "sigmoid"}));
  return model;
}

TEST(Sequential, SummaryListsLayersShapesAndParameterCounts) {
  const std::string summary = tutorial_model().summary();
  EXPECT_NE(summary.find("dense (Dense)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("dense_1 (Dense)"), std::string::npos);
  EXPECT_NE(summary.find("(None, 32)"), std::string::npos);
  EXPECT_NE(summary.find("544"), std::string::npos);  // 16·32 + 32
  EXPECT_NE(summary.find("Total params: 642"), std::string::npos);
}

TEST(Sequential, TokensThroughEmbeddingAndLayerNormalization) {
  Sequential model;
  model.add(Embedding(50, 8, {.input_shape = {6}}));
  model.add(LayerNormalization());
  model.add(ActivationLayer("gelu"));
  model.add(Flatten());
  model.add(Dense(3));
  EXPECT_EQ(model.count_params(), 50 * 8 + 2 * 8 + 6 * 8 * 3 + 3);
  const std::string summary = model.summary();
  EXPECT_NE(summary.find("embedding (Embedding)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("layer_normalization (LayerNormalization)"), std::string::npos);
  EXPECT_NE(summary.find("(None, 6, 8)"), std::string::npos);
  Variable ids(Tensor({2, 6}, {0, 1, 2, 3, 4, 5, 49, 48, 47, 0, 0, 1}));
  EXPECT_EQ(model.forward(ids, true).shape(), (Shape{2, 3}));
}

TEST(Sequential, CnnShapesFollowTheLayers) {
  Sequential model;
  model.add(Conv2D(32, 3, {.activation = "relu", .input_shape = {1, 28, 28}}));
  model.add(MaxPool2D(2));
  model.add(Conv2D(64, 3, {.activation = "relu"}));
  model.add(MaxPool2D(2));
  model.add(Flatten());
  model.add(Dropout(0.25f));
  model.add(Dense(10));
  EXPECT_EQ(model.output_shape(), (Shape{10}));
  EXPECT_EQ(model.count_params(), 32 * 9 + 32 + 64 * 32 * 9 + 64 + 64 * 5 * 5 * 10 + 10);
  Variable x(Tensor({2, 1, 28, 28}, 0.5f));
  EXPECT_EQ(model.forward(x, true).shape(), (Shape{2, 10}));
}

TEST(Sequential, SameSeedSameWeights) {
  const StateDict a = tutorial_model().weights(), b = tutorial_model().weights();
  for (const auto& [name, tensor] : a.tensors)
    for (std::int64_t i = 0; i < tensor.size(); ++i)
      ASSERT_EQ(tensor[i], b.tensors.at(name)[i]) << name;
}

TEST(Sequential, ConfigRoundTripsAndRejectsBadFiles) {
  Sequential model = tutorial_model();
  const nlohmann::json config = model.config();
  Sequential rebuilt = Sequential::from_config(config);
  EXPECT_EQ(rebuilt.count_params(), model.count_params());
  EXPECT_EQ(rebuilt.config(), config);

  nlohmann::json unknown = config;
  unknown["layers"][0]["unit"] = 3;
  EXPECT_THROW(
      {
        try {
          Sequential::from_config(unknown);
        } catch (const InvalidArgument& e) {
          EXPECT_NE(std::string(e.what()).find("unknown key \"unit\""), std::string::npos)
              << e.what();
          throw;
        }
      },
      InvalidArgument);
  nlohmann::json wrong_type = config;
  wrong_type["layers"][0]["units"] = "sixteen";
  EXPECT_THROW(Sequential::from_config(wrong_type), InvalidArgument);
  nlohmann::json bad_layer = config;
  bad_layer["layers"][1]["type"] = "Densest";
  EXPECT_THROW(Sequential::from_config(bad_layer), InvalidArgument);
}

TEST(Sequential, SetWeightsChecksNamesAndShapes) {
  Sequential model = tutorial_model();
  StateDict weights = model.weights();
  weights.tensors.at("dense/kernel") = Tensor({2, 16});
  EXPECT_THROW(model.set_weights(weights), InvalidArgument);
  StateDict fewer = model.weights();
  fewer.tensors.erase("dense/bias");
  EXPECT_THROW(model.set_weights(fewer), InvalidArgument);
}

TEST(Sequential, RejectsInputsOfTheWrongShape) {
  Sequential model = tutorial_model();
  Variable x(Tensor({4, 3}));
  EXPECT_THROW(model.forward(x), InvalidArgument);
}

}  // namespace
}  // namespace descent
