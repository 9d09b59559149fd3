// Training a functional model: a chain trains exactly as its Sequential stack, a residual network
// learns, and its weights save and load by layer name.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/merge.h"
#include "optim/adam.h"
#include "temp_dir.h"
#include "train/checkpoint.h"
#include "train/model.h"
#include "train/weights_file.h"
#include "training_fingerprint.h"

namespace descent {
namespace {

void compile_adam(Model& model) {
  model.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
}

Model residual_classifier(std::uint64_t seed = 5) {
  const SymbolicTensor x = Input({2});
  const SymbolicTensor h = Dense(16, {.activation = "tanh"})(x);
  const SymbolicTensor skip = Add()({h, Dense(16, {.activation = "tanh"})(h)});
  return Model(x, Dense(2, {.activation = "softmax"})(skip), seed);
}

TEST(FunctionalModel, TrainsToTheSequentialModelsWeightsBitwise) {
  const Dataset data = moons(200, 0.1, 3);
  // With a weight penalty, which the loss takes as a graph term.
  const DenseOptions hidden{.activation = "relu", .kernel_regularizer = L2(0.01)};
  DenseOptions first = hidden;
  first.input_shape = {2};
  Model stack(11);
  stack.add(Dense(16, first));
  stack.add(Dropout(0.2f));
  stack.add(Dense(2, {.activation = "softmax"}));
  const SymbolicTensor x = Input({2});
  Model graph(x, Dense(2, {.activation = "softmax"})(Dropout(0.2f)(Dense(16, hidden)(x))), 11);
  ASSERT_TRUE(graph.penalty().defined());
  compile_adam(stack);
  compile_adam(graph);
  const FitOptions options{.epochs = 3, .batch_size = 16, .validation_split = 0.2, .verbose = 0};
  const History a = stack.fit(data, options), b = graph.fit(data, options);
  EXPECT_EQ(a.epochs.back().get("loss").value(), b.epochs.back().get("loss").value());
  const StateDict wa = stack.weights(), wb = graph.weights();
  ASSERT_EQ(wa.tensors.size(), wb.tensors.size());
  for (const auto& [name, tensor] : wa.tensors)
    for (std::int64_t i = 0; i < tensor.size(); ++i)
      ASSERT_EQ(tensor[i], wb.tensors.at(name)[i]) << name << " " << i;
}

TEST(FunctionalModel, ResidualNetworkLearnsAndItsWeightsSaveAndLoad) {
  const Dataset data = moons(400, 0.1, 1);
  Model model = residual_classifier();
  compile_adam(model);
  const History history = model.fit(data, {.epochs = 10, .batch_size = 32, .verbose = 0});
  EXPECT_LT(history.epochs.back().get("loss").value(), history.epochs.front().get("loss").value());
  EXPECT_GT(model.evaluate(data).at("accuracy"), 0.85);

  testing::TempDir dir;
  write_weights_file(dir.path() / "weights.bin", model.weights());
  Model loaded(network_from_config(model.config(), 99));
  const StateDict read = read_weights_file(dir.path() / "weights.bin");
  EXPECT_TRUE(read.tensors.contains("dense_1/kernel"));
  loaded.set_weights(read);
  const Tensor x({3, 2}, {0.5f, -0.25f, 1.0f, 0.5f, -1.0f, 0.0f});
  const Tensor a = model.predict(x), b = loaded.predict(x);
  for (std::int64_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i], b[i]);
}

TEST(FunctionalModel, ResumesFromACheckpointBitwise) {
  const Dataset data = moons(200, 0.1, 3);
  const auto make = [] {
    const SymbolicTensor x = Input({2});
    const SymbolicTensor h = Dense(16, {.activation = "relu"})(x);
    Model model(x, Dense(2)(Dropout(0.2f)(Add()({h, Dense(16)(h)}))), 5);
    model.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
    return model;
  };
  testing::TempDir dir;
  const FitOptions options{.epochs = 2,
                           .batch_size = 16,
                           .verbose = 0,
                           .checkpoint_dir = dir.path() / "full",
                           .checkpoint_every = 5,
                           .checkpoint_keep = 1000};
  Model reference = make();
  reference.fit(data, options);
  const std::vector<std::filesystem::path> files =
      CheckpointStore(dir.path() / "full", 1000).files();
  ASSERT_GE(files.size(), 3u);
  const StateDict checkpoint = read_checkpoint(files[1]);  // mid-epoch
  Model resumed = make();
  FitOptions resume = options;
  resume.checkpoint_dir = dir.path() / "resumed";
  resume.resume_from = &checkpoint;
  resumed.fit(data, resume);
  EXPECT_EQ(testing::training_fingerprint(resumed), testing::training_fingerprint(reference));
}

TEST(FunctionalModel, TrainingTakesOneInputAndOneOutput) {
  const SymbolicTensor a = Input({2}), b = Input({2});
  Model model({a, b}, {Dense(2)(Concatenate()({a, b}))});
  compile_adam(model);
  EXPECT_EQ(model.forward_all({Variable(Tensor({1, 2})), Variable(Tensor({1, 2}))})[0].shape(),
            (Shape{1, 2}));
  try {
    model.fit(moons(10, 0.1, 1), {.verbose = 0});
    ADD_FAILURE() << "fit took two inputs";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "fit: the model has 2 inputs and 1 output; it takes a model with one input and "
                 "one output");
  }
  EXPECT_THROW(model.add(Dense(3)), InvalidArgument);
}

}  // namespace
}  // namespace descent
