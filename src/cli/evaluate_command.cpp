#include "cli/evaluate_command.h"

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/saved_run.h"
#include "cli/thread_flag.h"

namespace descent::cli {
namespace {

struct EvaluateCommand {
  std::string run_dir;
  DataSpec data;
  bool data_given = false;
  std::int64_t batch_size = 256;
  int threads = 0;
  OutputFlags output;
};

int run_evaluate(EvaluateCommand& c) {
  apply_thread_flag(c.threads);
  SavedRun run = load_run(c.run_dir);
  const DataSpec spec = c.data_given ? run.scaled_like_run(c.data) : run.data;
  LoadedData data = load_data(spec);
  const bool on_test = data.test.has_value();
  Dataset& set = on_test ? *data.test : data.train;
  conform_to_input(set, run.model->input_shape(), spec.source);
  const auto figures = run.model->evaluate(set, c.batch_size);

  nlohmann::json result = {{"run_dir", c.run_dir},
                           {"data", spec.source},
                           {"split", on_test ? "test" : "all"},
                           {"samples", set.size()}};
  std::string text =
      fmt::format("Evaluated {} on {} ({} samples)\n", c.run_dir, spec.source, set.size());
  for (const auto& [name, value] : figures) {
    result[name] = json_number(value);
    text += fmt::format("{}: {:.4f}\n", name, value);
  }
  if (data.vocabulary) {
    const double bits = bits_per_character(figures.at("loss"));
    result["bits_per_character"] = json_number(bits);
    text += fmt::format("bits per character: {:.4f}\n", bits);
  }
  print_result(c.output, result, text);
  return kSuccess;
}

}  // namespace

void add_evaluate_command(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<EvaluateCommand>();
  CLI::App* sub =
      app.add_subcommand("evaluate", "Evaluate a trained run (its loss and metrics) on test data");
  sub->add_option("run_dir", c->run_dir, "run directory written by descent train")->required();
  sub->add_option("--data", c->data.source,
                  "data to evaluate on, scaled as the run's (default: the run's own test data)")
      ->each([c](const std::string&) { c->data_given = true; });
  sub->add_option("--label", c->data.label, "CSV target column, or the labels .npy file");
  sub->add_option("--test", c->data.test_path, "CSV test set");
  sub->add_option("--batch-size", c->batch_size, "batch size")->capture_default_str();
  sub->add_option("--threads", c->threads, "threads (0: all cores)")->capture_default_str();
  sub->add_flag("--json", c->output.json, "print one JSON object with the results");
  sub->callback([c, &exit_code] { exit_code = run_evaluate(*c); });
}

}  // namespace descent::cli
