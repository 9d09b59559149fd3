#include "cli/predict_command.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/output_file.h"
#include "cli/saved_run.h"
#include "cli/thread_flag.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace descent::cli {
namespace {

struct PredictCommand {
  std::string run_dir;
  DataSpec data;
  bool data_given = false;
  std::string output;
  bool overwrite = false;
  std::int64_t batch_size = 256;
  int threads = 0;
  OutputFlags flags;
};

int run_predict(PredictCommand& c) {
  check_output_file(c.output, "-o");  // a FIFO without a reader would block the write forever
  if (std::filesystem::exists(c.output) && !c.overwrite)
    throw InvalidArgument(
        fmt::format("{} already exists (use --overwrite to replace it)", c.output));
  apply_thread_flag(c.threads);
  SavedRun run = load_run(c.run_dir);
  if (run.data.vocabulary)
    throw InvalidArgument(fmt::format(
        "{} is a language model (a score for every character at every position): use descent "
        "evaluate for its loss or descent generate for text",
        c.run_dir));
  const DataSpec spec = c.data_given ? run.scaled_like_run(c.data) : run.data;
  LoadedData data = load_data(spec);
  Dataset& set = data.test ? *data.test : data.train;
  conform_to_input(set, run.model->input_shape(), spec.source);
  const Tensor outputs = run.model->predict(set.features(), c.batch_size);

  const bool classification = run.model->loss().name().find("crossentropy") != std::string::npos;
  const std::int64_t n = set.size(), width = n > 0 ? outputs.size() / n : 0;
  std::ostringstream out;  // written at once at the end: a failure leaves no half-written file
  out << "index,prediction";
  for (std::int64_t j = 0; j < width; ++j)
    out << ",output_" << j;
  out << '\n';
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = outputs.data() + i * width;
    out << i << ',';
    if (classification) {
      const auto predicted =
          width == 1 ? std::int64_t(row[0] > (run.model->loss().from_logits() ? 0.0f : 0.5f))
                     : std::int64_t(std::max_element(row, row + width) - row);
      out << predicted;
      if (set.is_classification() && predicted == set.labels[i]) ++correct;
    } else {
      out << row[0];
    }
    for (std::int64_t j = 0; j < width; ++j)
      out << ',' << row[j];
    out << '\n';
  }
  write_file_atomically(c.output, out.str());

  nlohmann::json result = {{"run_dir", c.run_dir}, {"output", c.output}, {"samples", n}};
  std::string text = fmt::format("Wrote {} predictions to {}\n", n, c.output);
  if (classification && set.is_classification() && n > 0) {
    result["accuracy"] = double(correct) / double(n);
    text +=
        fmt::format("Accuracy against the labels: {:.2f}%\n", 100.0 * double(correct) / double(n));
  }
  print_result(c.flags, result, text);
  return kSuccess;
}

}  // namespace

void add_predict_command(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<PredictCommand>();
  CLI::App* sub = app.add_subcommand("predict", "Write a trained run's predictions as CSV");
  sub->add_option("run_dir", c->run_dir, "run directory written by descent train")->required();
  sub->add_option("--output,-o", c->output, "CSV file to write")->required();
  sub->add_flag("--overwrite", c->overwrite, "replace an existing output file");
  sub->add_option("--data", c->data.source,
                  "data to predict, scaled as the run's (default: the run's own test data)")
      ->each([c](const std::string&) { c->data_given = true; });
  sub->add_option("--label", c->data.label, "CSV target column, or the labels .npy file");
  sub->add_option("--batch-size", c->batch_size, "batch size")->capture_default_str();
  sub->add_option("--threads", c->threads, "threads (0: all cores)")->capture_default_str();
  sub->add_flag("--json", c->flags.json, "print one JSON object with the results");
  sub->callback([c, &exit_code] { exit_code = run_predict(*c); });
}

}  // namespace descent::cli
