// The descent side of the side-by-side benchmark (bench/compare.py runs it and the PyTorch side,
// bench/torch_workloads.py, alternately). Each call runs one workload in a fresh process, so that
// its peak resident memory (which it reports) belongs to that workload alone, and prints one JSON
// object: seconds per epoch (training loop only; the data is loaded before the clock starts), test
// accuracy, and the matrix-multiply floating-point operations of one epoch.
//
//   descent_workloads W1 [--epochs N] [--samples N] [--threads N]
//   descent_workloads W7 [--epochs N] [--samples N] [--seed N] [--lr η] [--model resnet:...]
//                                            `--model resnet` (or a spec of widths 16,32,64 and
//                                            any blocks: the FLOP count assumes those widths)
//   descent_workloads W8 [--epochs N] [--samples N] [--seed N]   `--model gpt` on `--data text`
//   descent_workloads gemm N [--reps R]     achieved sgemm GFLOP/s at N x N x N (OpenBLAS, oneDNN)
//   descent_workloads chart RESULTS.json DIR  draws compare.py's results (ratios, times)
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/data_source.h"
#include "cli/gpt_model.h"
#include "cli/resnet_model.h"
#include "descent.h"
#include "lr/sweep.h"
#include "optim/schedule/schedule_presets.h"
#include "report/chart.h"

namespace {

using namespace descent;
using Clock = std::chrono::steady_clock;

struct Workload {
  std::string model;      // "mlp" or "cnn" or "tutorial"
  std::string optimizer;  // "sgd", "sgd-momentum", "adam", "sgd-onecycle", "adamw-cosine"
  double lr = 0.1;
  std::int64_t batch_size = 128;
  int epochs = 5;
  std::string spec = "resnet";  // W7's `--model` (the option --model replaces it)
};

const std::map<std::string, Workload>& workloads() {
  static const std::map<std::string, Workload> all = {
      {"W1", {"mlp", "sgd-momentum", 0.1, 128, 5}},
      {"W2", {"mlp", "sgd-momentum", 0.1, 32, 5}},
      {"W3", {"mlp", "adam", 1e-3, 128, 5}},
      {"W4", {"cnn", "sgd-momentum", 0.1, 128, 2}},
      {"W5", {"tutorial", "adam", 1e-4, 10, 30}},
      {"W7", {"resnet", "sgd-onecycle", 0.1, 128, 10}},
      {"W8", {"gpt", "adamw-cosine", 1e-3, 64, 7}},  // 7 epochs of the corpus: about 2,000 steps
  };
  return all;
}

// Multiply-adds, times two, of one sample's forward pass through each Dense and Conv2D layer
// (`classes`: the outputs of the last one; `resnet_blocks`: the blocks a stage of W7's resnet).
std::vector<double> layer_flops(const std::string& model, std::int64_t classes,
                                std::int64_t resnet_blocks) {
  if (model == "mlp") return {2.0 * 784 * 256, 2.0 * 256 * 128, 2.0 * 128 * 10};
  if (model == "cnn")
    return {2.0 * 26 * 26 * 32 * 9, 2.0 * 11 * 11 * 64 * 32 * 9, 2.0 * 1600 * 128, 2.0 * 128 * 10};
  if (model == "resnet") {  // the stem; each block's two 3×3 convolutions; the 1×1 shortcuts
    std::vector<double> layers{2.0 * 28 * 28 * 16 * 9};
    double side = 28, in = 16;
    for (const double width : {16.0, 32.0, 64.0}) {
      if (width != in) side /= 2;  // the first block of a later stage has stride 2
      for (std::int64_t block = 0; block < resnet_blocks; ++block) {
        const double block_in = block == 0 ? in : width;
        layers.push_back(2 * side * side * width * block_in * 9);
        layers.push_back(2 * side * side * width * width * 9);
        if (block_in != width) layers.push_back(2 * side * side * width * block_in);
      }
      in = width;
    }
    layers.push_back(2.0 * 64 * classes);
    return layers;
  }
  if (model == "gpt") {  // 128 tokens: the embedding (no product), 4 blocks, the output layer
    constexpr double t = 128, d = 128;
    const double block = t * (12 * d * d + 2 * t * d);  // projections, MLP, scores and mixing
    return {0.0, 2 * block, 2 * block, 2 * block, 2 * block, 2.0 * t * d * classes};
  }
  return {2.0 * 1 * 16, 2.0 * 16 * 32, 2.0 * 32 * 2};
}

// The blocks a stage of the network a resnet spec builds, read off its model JSON (stage 1's Add
// layers), so that the spec's grammar and defaults stay in src/cli/resnet_model.cpp alone.
std::int64_t resnet_blocks(const std::string& spec) {
  const nlohmann::json config = cli::resnet_config(spec, {1, 28, 28}, 10);
  std::int64_t blocks = 0;
  for (const auto& layer : config.at("layers"))
    if (layer.at("type") == "Add" && layer.at("name").get<std::string>().starts_with("stage1_"))
      ++blocks;
  return blocks;
}

// The products of one training sample: the forward pass, the weight gradients (as many), and the
// input gradients of every layer but the first (whose input, the data, needs none).
double training_flops(const std::string& model, std::int64_t classes, std::int64_t resnet_blocks) {
  const std::vector<double> layers = layer_flops(model, classes, resnet_blocks);
  double forward = 0;
  for (double f : layers)
    forward += f;
  return 3 * forward - layers.front();
}

// PyTorch's default initialization on both sides (U(±1/sqrt(fan_in)) for weights and biases), so
// that accuracies compare at equal settings.
DenseOptions dense(const std::string& activation, Shape input_shape = {}) {
  const Initializer torch{Initializer::Kind::torch_uniform};
  return {.activation = activation,
          .kernel_initializer = torch,
          .bias_initializer = torch,
          .input_shape = std::move(input_shape)};
}

Conv2DOptions conv(Shape input_shape = {}) {
  const Initializer torch{Initializer::Kind::torch_uniform};
  return {.activation = "relu",
          .kernel_initializer = torch,
          .bias_initializer = torch,
          .input_shape = std::move(input_shape)};
}

// This process's peak resident memory since exec (VmHWM of /proc/self/status), in MiB.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;
  return std::nan("");
}

constexpr const char* kGpt = "gpt:layers=4,heads=4,dim=128,context=128";

Model build(const Workload& w, std::uint64_t seed, std::int64_t classes = 10) {
  if (w.model == "gpt") {  // exactly the CLI's `--model gpt:...`, AdamW as nanoGPT's char model
    Model model(network_from_config(cli::gpt_model_config(kGpt, {128}, classes), seed));
    model.compile(
        std::make_unique<AdamW>(
            model.trainable_variables(),
            AdamWOptions{.lr = w.lr, .betas = {0.9, 0.99}, .eps = 1e-8, .weight_decay = 0.1}),
        std::make_unique<SparseCategoricalCrossentropy>(CrossentropyOptions{.from_logits = true}),
        {"accuracy"});
    return model;
  }
  if (w.model == "resnet") {  // exactly the CLI's `--model resnet`
    Model model(network_from_config(cli::resnet_config(w.spec, {1, 28, 28}, 10), seed));
    model.compile(
        std::make_unique<SGD>(model.trainable_variables(),
                              SGDOptions{.lr = w.lr, .momentum = 0.9, .weight_decay = 5e-4}),
        std::make_unique<SparseCategoricalCrossentropy>(CrossentropyOptions{.from_logits = true}),
        {"accuracy"});
    return model;
  }
  Model model(seed);
  if (w.model == "mlp") {
    model.add(Flatten({1, 28, 28}));
    model.add(Dense(256, dense("relu")));
    model.add(Dense(128, dense("relu")));
    model.add(Dense(10, dense("linear")));
  } else if (w.model == "cnn") {
    model.add(Conv2D(32, 3, conv({1, 28, 28})));
    model.add(MaxPool2D(2));
    model.add(Conv2D(64, 3, conv()));
    model.add(MaxPool2D(2));
    model.add(Flatten());
    model.add(Dense(128, dense("relu")));
    model.add(Dense(10, dense("linear")));
  } else {
    model.add(Dense(16, dense("relu", {1})));
    model.add(Dense(32, dense("relu")));
    model.add(Dense(2, dense("linear")));
  }
  std::unique_ptr<Optimizer> optimizer;
  if (w.optimizer == "adam")
    optimizer = std::make_unique<Adam>(model.trainable_variables(), AdamOptions{.lr = w.lr});
  else
    optimizer = std::make_unique<SGD>(
        model.trainable_variables(),
        SGDOptions{.lr = w.lr, .momentum = w.optimizer == "sgd-momentum" ? 0.9 : 0.0});
  model.compile(
      std::move(optimizer),
      std::make_unique<SparseCategoricalCrossentropy>(CrossentropyOptions{.from_logits = true}),
      {"accuracy"});
  return model;
}

// `lr` > 0 replaces the workload's η (the peak, under a schedule).
int run_workload(const std::string& id, int epochs, std::int64_t samples, std::uint64_t seed,
                 double lr, const std::string& spec) {
  Workload w = workloads().at(id);
  if (lr > 0) w.lr = lr;
  if (!spec.empty()) w.spec = spec;
  TrainTestSplit data;
  std::int64_t classes = 10;
  if (w.model == "tutorial") {
    data.train = tutorial_two_class(1);
    data.test = tutorial_two_class(2);
  } else if (w.model == "gpt") {  // Debian's fortunes, the last 10% of the characters held out
    cli::DataSpec spec;
    spec.source = "text";
    spec.context = 128;
    cli::LoadedData text = cli::load_data(spec);
    data.train = std::move(text.train);
    data.test = std::move(*text.test);
    classes = text.vocabulary->size();
  } else {
    data = load_fashion_mnist();
  }
  if (samples > 0 && samples < data.train.size()) {
    std::vector<std::int64_t> first(static_cast<std::size_t>(samples));
    std::iota(first.begin(), first.end(), 0);
    data.train = subset(data.train, first);
  }
  Model model = build(w, seed, classes);
  const int run_epochs = epochs > 0 ? epochs : w.epochs;
  std::shared_ptr<Schedule> schedule;
  const std::int64_t steps =
      schedule_length(data.train.size(), w.batch_size, run_epochs, ScheduleInterval::step);
  if (w.optimizer == "sgd-onecycle")  // PyTorch's OneCycleLR with its defaults, stepped per batch
    schedule = std::make_shared<OneCycleLR>(w.lr, OneCycleLROptions{.total_steps = steps});
  if (w.optimizer == "adamw-cosine")  // tune's "cosine": warmup over 5% from η/25, cosine to 0
    schedule = make_schedule_preset("cosine", nlohmann::json::object(), w.lr, steps, true);
  const auto start = Clock::now();
  const History history = model.fit(
      data.train,
      {.epochs = run_epochs, .batch_size = w.batch_size, .verbose = 0, .schedule = schedule});
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json epoch_seconds = nlohmann::json::array();
  for (const Logs& logs : history.epochs)
    epoch_seconds.push_back(logs.get("seconds").value_or(0.0));
  // PyTorch's CPU allocator hands freed tensors back to the system; the pool keeps the training
  // step's buffers, which the evaluation's batch of 1,000 cannot reuse. Peak memory would be the
  // sum of both instead of the larger.
  BufferPool::trim();
  const auto test = model.evaluate(data.test, 1000);
  const double flops_per_sample =
      training_flops(w.model, classes, w.model == "resnet" ? resnet_blocks(w.spec) : 0);
  const nlohmann::json out = {
      {"workload", id},
      {"side", "descent"},
      {"epoch_seconds", epoch_seconds},
      {"total_seconds", total},
      {"test_accuracy", test.at("accuracy")},
      {"test_loss", test.at("loss")},
      {"steps", steps},
      {"epoch_gflop", flops_per_sample * static_cast<double>(data.train.size()) / 1e9},
      {"threads", num_threads()},
      {"diverged", history.diverged},
      {"peak_rss_mib", peak_rss_mib()}};
  std::cout << out.dump() << "\n";
  return 0;
}

// W6: eight one-epoch runs of W1's model with plain SGD, η log-spaced from 1e-4 to 1, as one
// sweep (lr/sweep.h: the runs share the cores, one run per thread).
int run_sweep_workload(std::int64_t samples) {
  TrainTestSplit data = load_fashion_mnist();
  if (samples > 0 && samples < data.train.size()) {
    std::vector<std::int64_t> first(static_cast<std::size_t>(samples));
    std::iota(first.begin(), first.end(), 0);
    data.train = subset(data.train, first);
  }
  const Workload plain{"mlp", "sgd", 0.1, 128, 1};
  const auto start = Clock::now();
  const SweepResult sweep = run_sweep(
      [&](double lr) {
        Workload w = plain;
        w.lr = lr;
        return std::make_unique<Model>(build(w, 42));
      },
      data.train, log_spaced(1e-4, 1.0, 8),
      {.epochs = 1, .batch_size = 128, .validation = &data.test, .verbose = 0});
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  // As the PyTorch side: every run is evaluated on the test set, the best accuracy is reported.
  double best_accuracy = 0.0;
  for (const SweepRun& run : sweep.runs)
    if (const auto accuracy = run.history.epochs.empty()
                                  ? std::nullopt
                                  : run.history.epochs.back().get("val_accuracy"))
      best_accuracy = std::max(best_accuracy, *accuracy);
  const nlohmann::json out = {{"workload", "W6"},
                              {"side", "descent"},
                              {"epoch_seconds", {total}},
                              {"total_seconds", total},
                              {"test_accuracy", best_accuracy},
                              {"threads", num_threads()},
                              {"peak_rss_mib", peak_rss_mib()}};
  std::cout << out.dump() << "\n";
  return 0;
}

// Best seconds of `reps` runs of product(), after one warm-up run.
template <class Product>
double best_seconds(int reps, const Product& product) {
  product();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto start = Clock::now();
    product();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

// The machine's sgemm ceiling as the issue defines it (OpenBLAS), and oneDNN's, which does
// descent's larger products (core/backend/cpu/gemm.cpp), both on all threads.
int run_gemm(int n, int reps) {
  std::vector<float> a(std::size_t(n) * n, 0.5f), b(std::size_t(n) * n, 0.25f),
      c(std::size_t(n) * n);
  const double openblas = best_seconds(reps, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n,
                0.0f, c.data(), n);
  });
  const double onednn = best_seconds(reps, [&] {
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
  });
  const dnnl_version_t* version = dnnl_version();
  const double flop = 2.0 * n * double(n) * n;
  const nlohmann::json out = {
      {"n", n},
      {"seconds", openblas},
      {"gflops", flop / openblas / 1e9},
      {"onednn_gflops", flop / onednn / 1e9},
      {"threads", num_threads()},
      {"openblas", openblas_get_config()},
      {"onednn", fmt::format("oneDNN {}.{}.{}", version->major, version->minor, version->patch)}};
  std::cout << out.dump() << "\n";
  return 0;
}

// Two charts of compare.py's rows, workloads in order along x: the ratio PyTorch/descent against
// its target, and both sides' median times.
int run_chart(const std::filesystem::path& results, const std::filesystem::path& dir) {
  std::ifstream in(results);
  const nlohmann::json rows = nlohmann::json::parse(in).at("rows");
  Series ratio{.label = "PyTorch / descent", .markers = true, .width = 2.5};
  Series target{.label = "target", .style = LineStyle::dashed, .markers = true};
  Series ours{.label = "descent", .markers = true}, theirs{.label = "PyTorch", .markers = true};
  std::string order;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const double x = static_cast<double>(i + 1);
    ratio.x.push_back(x), ratio.y.push_back(row.at("ratio").get<double>());
    target.x.push_back(x), target.y.push_back(row.at("target").get<double>());
    ours.x.push_back(x), ours.y.push_back(row.at("descent_median").get<double>());
    theirs.x.push_back(x), theirs.y.push_back(row.at("pytorch_median").get<double>());
    order += (i ? ", " : "") + row.at("workload").get<std::string>();
  }
  const std::string x_label = fmt::format("workload ({})", order);
  const ChartSpec ratios{.title = "Speed-up of descent over PyTorch (higher is better)",
                         .x_label = x_label,
                         .y_label = "PyTorch time / descent time",
                         .y_scale = Scale::log,
                         .series = {ratio, target}};
  const ChartSpec times{.title = "Median time (s per epoch; W5, W6: s in all)",
                        .x_label = x_label,
                        .y_label = "seconds",
                        .y_scale = Scale::log,
                        .series = {ours, theirs}};
  write_png(ratios, dir / "ratios.png");
  write_svg(ratios, dir / "ratios.svg");
  write_png(times, dir / "times.png");
  write_svg(times, dir / "times.svg");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) throw std::invalid_argument("usage: descent_workloads W1..W5|gemm N ...");
    int epochs = 0, threads = 0, reps = 5;
    double lr = 0;
    std::string spec;
    std::uint64_t seed = 42;
    std::int64_t samples = 0;
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
      if (args[i] == "--epochs") epochs = std::stoi(args[i + 1]);
      if (args[i] == "--samples") samples = std::stoll(args[i + 1]);
      if (args[i] == "--threads") threads = std::stoi(args[i + 1]);
      if (args[i] == "--reps") reps = std::stoi(args[i + 1]);
      if (args[i] == "--seed") seed = std::stoull(args[i + 1]);
      if (args[i] == "--lr") lr = std::stod(args[i + 1]);
      if (args[i] == "--model") spec = args[i + 1];
    }
    set_num_threads(threads);
    // Options that would otherwise be read and ignored.
    if (!spec.empty() && args[0] != "W7")
      throw std::invalid_argument("--model applies to W7 only (its resnet spec)");
    if (lr > 0 && (args[0] == "W6" || !workloads().contains(args[0])))
      throw std::invalid_argument("--lr applies to W1-W5, W7 and W8");
    if (args[0] == "chart") return run_chart(args.at(1), args.at(2));
    if (args[0] == "W6") return run_sweep_workload(samples);
    if (args[0] == "gemm") return run_gemm(std::stoi(args.at(1)), reps);
    if (!workloads().contains(args[0]))
      throw std::invalid_argument("unknown workload '" + args[0] + "'");
    return run_workload(args[0], epochs, samples, seed, lr, spec);
  } catch (const std::exception& e) {
    std::cerr << "descent_workloads: error: " << e.what() << "\n";
    return 2;
  }
}
