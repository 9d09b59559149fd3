// The model of the Keras "learning rate" tutorial, in descent: a 1-D two-class problem (patients'
// age -> side effects), Dense(16, relu) -> Dense(32, relu, L2 0.01) -> Dense(2, sigmoid), trained
// with Adam at η = 1e-4; then η is read, set to 0.01, read back, and used by the next step.
#include <iostream>

#include "descent.h"

int main() {
  using namespace descent;
  const Dataset data = tutorial_two_class(/*seed=*/1);

  Model model;
  model.add(Dense(16, {.activation = "relu", .input_shape = {1}}));
  model.add(Dense(32, {.activation = "relu", .kernel_regularizer = L2(0.01)}));
  model.add(Dense(2, {.activation = "sigmoid"}));
  std::cout << model.summary();

  model.compile<Adam>({.lr = 1e-4}, "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(data, {.epochs = 30, .batch_size = 10, .validation_split = 0.1, .verbose = 2});

  std::cout << "learning rate: " << model.optimizer().lr() << "\n";  // 0.0001
  model.optimizer().set_lr(0.01);
  std::cout << "learning rate: " << model.optimizer().lr() << "\n";  // 0.01

  const History next = model.fit(data, {.epochs = 1, .batch_size = 10, .verbose = 0});
  std::cout << "η used by the next step: " << next.steps.front().lr << "\n";  // 0.01
  const auto figures = model.evaluate(data);
  std::cout << "accuracy after one more epoch: " << figures.at("accuracy") << "\n";
}
