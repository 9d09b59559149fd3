// A residual MLP built with the functional API: two blocks h + f(h), each f a Dense(64, relu)
// followed by a Dense(64), joined by Add; trained on two interleaved spirals, a problem a plain
// narrow MLP finds hard. The summary shows each layer's inbound layers ("Connected to").
#include <iostream>

#include "descent.h"

int main() {
  using namespace descent;
  const Dataset data = two_spirals(1000, 0.05, /*seed=*/1);

  const SymbolicTensor x = Input({2});
  SymbolicTensor h = Dense(64, {.activation = "relu"})(x);
  for (int block = 0; block < 2; ++block) {
    const SymbolicTensor f = Dense(64)(Dense(64, {.activation = "relu"})(h));
    h = ActivationLayer("relu")(Add()({h, f}));
  }
  Model model(x, Dense(2)(h), /*seed=*/7);
  std::cout << model.summary();

  // The last layer gives logits: the loss applies the softmax itself.
  model.compile(std::make_unique<Adam>(model.trainable_variables(), AdamOptions{.lr = 3e-3}),
                make_loss("sparse_categorical_crossentropy", /*from_logits=*/true), {"accuracy"});
  model.fit(data, {.epochs = 40, .batch_size = 32, .validation_split = 0.2, .verbose = 2});
  std::cout << "accuracy: " << model.evaluate(data).at("accuracy") << "\n";
}
