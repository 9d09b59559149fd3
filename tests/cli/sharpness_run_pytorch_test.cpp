// `descent sharpness --run DIR` on saved runs whose weights and data are those of the PyTorch
// fixture (tests/fixtures/sharpness.json, tools/fixtures/gen_sharpness.py): the λmax it prints is
// the top eigenvalue of PyTorch's full float64 Hessian within 1e-5 relative.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/fixture_file.h"
#include "cli_runner.h"
#include "train/weights_file.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The fixture's samples as a CSV file (features, then the class), float32 values in full.
void write_csv(const json& c, const fs::path& path) {
  const std::int64_t samples = c["x"]["shape"][0], features = c["x"]["shape"][1];
  std::ofstream out(path);
  for (std::int64_t j = 0; j < features; ++j)
    out << "x" << j << ",";
  out << "class\n";
  for (std::int64_t i = 0; i < samples; ++i) {
    for (std::int64_t j = 0; j < features; ++j)
      out << fmt::format("{:.9g},", c["x"]["data"][i * features + j].get<float>());
    out << c["labels"][i].get<int>() << "\n";
  }
}

// The fixture's network as a model file: Dense(units[0], activation), Dense(units[1]).
void write_model(const json& c, const fs::path& path) {
  const json model = {
      {"layers",
       {{{"type", "Dense"}, {"units", c["units"][0]}, {"activation", c["activation"]}},
        {{"type", "Dense"}, {"units", c["units"][1]}}}}};
  std::ofstream(path) << model.dump();
}

// Replaces the trained weights of the run with the fixture's (kernels as (inputs, units)).
void write_fixture_weights(const json& c, const fs::path& run) {
  StateDict state;
  const char* names[] = {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"};
  for (std::size_t i = 0; i < 4; ++i)
    state.tensors[names[i]] = Tensor(c["weights"][i]["shape"].get<Shape>(),
                                     c["weights"][i]["data"].get<std::vector<float>>());
  write_weights_file(run / "weights.bin", state);
}

TEST(SharpnessOfASavedRun, IsPyTorchsTopHessianEigenvalue) {
  const json fixture = test_fixtures::read("sharpness.json");
  for (const json& c : fixture["cases"]) {
    const std::string activation = c["activation"];
    SCOPED_TRACE(activation);
    const fs::path dir = fresh_dir("sharpness_pytorch_" + activation);
    write_csv(c, dir / "data.csv");
    write_model(c, dir / "model.json");
    const CommandResult trained = run_descent(fmt::format(
        "train --data {} --model {} --optimizer sgd --lr 0.1 --epochs 1 "
        "--batch-size 300 --scale none --validation-split 0 --quiet --out {}",
        (dir / "data.csv").string(), (dir / "model.json").string(), (dir / "train").string()));
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
    write_fixture_weights(c, dir / "train");

    const CommandResult r = run_descent("sharpness --run " + (dir / "train").string() +
                                        " --batch-size 300 --tol 1e-10 --json --quiet --out " +
                                        (dir / "sharpness").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json result = json::parse(r.output);
    EXPECT_EQ(result["samples"], 300);
    const double lambda = result["lambda_max"], expected = c["top_eigenvalues"][0];
    EXPECT_LT(std::abs(lambda - expected) / expected, 1e-5)
        << "descent " << lambda << ", PyTorch " << expected;
  }
}

}  // namespace
}  // namespace descent::testing
