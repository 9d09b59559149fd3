#include "cli/saved_run.h"

#include <fmt/format.h>

#include "core/error.h"
#include "loss/losses.h"
#include "optim/make_optimizer.h"
#include "report/run_directory.h"
#include "train/weights_file.h"

namespace descent::cli {

SavedRun load_run(const std::filesystem::path& run_dir) {
  if (!std::filesystem::is_directory(run_dir))
    throw IoError(fmt::format("run directory {} does not exist", run_dir.string()));
  SavedRun run;
  const auto config_file = run_dir / "config.json";
  run.config = read_json_file(config_file);
  try {
    run.data = data_spec_from_json(run.config.at("data"));
  } catch (const DataError& e) {
    throw DataError(fmt::format("{}: {}", config_file.string(), e.what()));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(
        fmt::format("{}: incomplete data settings ({})", config_file.string(), e.what()));
  }
  // A text run's characters keep the token ids the model learned (vocab.json beside config.json).
  if (is_text_data(run.data.source)) {
    const auto vocab_file = run_dir / "vocab.json";
    if (!std::filesystem::exists(vocab_file))
      throw IoError(fmt::format("{} is missing: the run's characters cannot be decoded without it",
                                vocab_file.string()));
    run.data.vocabulary = Vocabulary::from_json(read_json_file(vocab_file), vocab_file.string());
  }
  // Refitting on other data would scale it differently from what the model learned on.
  if (run.data.scale != "none" && !run.data.scaler)
    throw DataError(
        fmt::format("{}: data.scale is {} but data.scaler, the fitted scaler, is missing",
                    config_file.string(), run.data.scale));
  try {
    run.model = std::make_unique<Model>(network_from_config(run.config.at("model")));
    const bool from_logits = run.config.at("from_logits").get<bool>();
    auto loss = make_loss(run.config.at("loss").get<std::string>(), from_logits);
    const auto& optimizer = run.config.at("optimizer");
    auto opt = make_optimizer(optimizer.at("name").get<std::string>(),
                              run.model->trainable_variables(), optimizer.at("config"));
    const bool classification = loss->name().find("crossentropy") != std::string::npos;
    run.model->compile(std::move(opt), std::move(loss), {classification ? "accuracy" : "mae"});
  } catch (const nlohmann::json::exception& e) {
    throw DataError(
        fmt::format("{}: incomplete configuration ({})", config_file.string(), e.what()));
  }
  run.model->set_weights(read_weights_file(run_dir / "weights.bin"));
  return run;
}

DataSpec SavedRun::scaled_like_run(DataSpec given) const {
  given.scale = data.scale;
  given.scaler = data.scaler;
  given.context = data.context;
  given.vocabulary = data.vocabulary;
  return given;
}

}  // namespace descent::cli
