#include "train/training_state.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/all_finite.h"
#include "core/error.h"
#include "core/json_integer.h"
#include "train/model.h"

namespace descent {
namespace {

using nlohmann::json;

constexpr std::string_view kModel = "model/";
constexpr std::string_view kOptimizer = "optimizer/";
constexpr std::string_view kSchedule = "schedule/";

std::string callback_prefix(std::size_t k) {
  return fmt::format("callbacks/{}/", k);
}

// The callbacks that keep state, each with that state, in the order fit() calls them.
std::vector<std::pair<Callback*, StateDict>> stateful(
    const std::vector<std::shared_ptr<Callback>>& callbacks) {
  std::vector<std::pair<Callback*, StateDict>> out;
  for (const auto& c : callbacks)
    if (std::optional<StateDict> s = c->state_dict()) out.emplace_back(c.get(), std::move(*s));
  return out;
}

// Checkpoints written before callbacks were saved have no "callbacks" entry.
json saved_callbacks(const json& meta) {
  return meta.contains("callbacks") ? meta.at("callbacks") : json::array();
}

// Runs `read`, turning what a damaged or foreign checkpoint makes it throw into a DataError.
template <typename Read>
auto read_checkpoint_part(Read read) {
  try {
    return read();
  } catch (const json::exception& e) {
    throw DataError(fmt::format("the checkpoint is incomplete ({})", e.what()));
  } catch (const InvalidArgument& e) {
    throw DataError(fmt::format("the checkpoint does not fit this run: {}", e.what()));
  }
}

void put_tensors(StateDict& into, std::string_view prefix, const StateDict& from) {
  for (const auto& [name, tensor] : from.tensors)
    into.tensors.emplace(fmt::format("{}{}", prefix, name), tensor);
}

StateDict take_tensors(const StateDict& from, std::string_view prefix, json meta) {
  StateDict out;
  out.meta = std::move(meta);
  for (const auto& [name, tensor] : from.tensors)
    if (name.starts_with(prefix)) out.tensors.emplace(name.substr(prefix.size()), tensor);
  return out;
}

Rng::State rng_state(const json& value, std::string_view what) {
  const auto words = json_integers<std::uint64_t>(value, what);
  Rng::State state;
  if (words.size() != state.size())
    throw DataError(
        fmt::format("{} must hold {} integers, got {}", what, state.size(), words.size()));
  std::copy(words.begin(), words.end(), state.begin());
  return state;
}

json fit_shape_json(const FitShape& s) {
  return {{"train_samples", s.train_samples}, {"batch_size", s.batch_size}, {"shuffle", s.shuffle}};
}

}  // namespace

StateDict TrainingState::capture(const FitProgress& p) const {
  StateDict out;
  put_tensors(out, kModel, model_.weights());
  json streams = json::array();
  for (const Rng* stream : model_.random_streams())
    streams.push_back(stream->state());
  const StateDict optimizer = model_.optimizer().state_dict();
  put_tensors(out, kOptimizer, optimizer);
  json schedule = nullptr;
  if (schedule_ != nullptr) {
    const StateDict s = schedule_->state_dict();
    put_tensors(out, kSchedule, s);
    schedule = s.meta;
  }
  json metrics = json::array();
  for (const auto& m : metrics_)
    metrics.push_back(m->state());
  json callbacks = json::array();
  for (const auto& [callback, s] : stateful(callbacks_)) {
    put_tensors(out, callback_prefix(callbacks.size()), s);
    callbacks.push_back(s.meta);
  }
  out.meta = {{"model", {{"config", model_.config()}, {"random_streams", streams}}},
              {"optimizer", optimizer.meta},
              {"schedule", schedule},
              {"schedule_driver", driver_.state()},
              {"callbacks", callbacks},
              {"fit", fit_shape_json(shape_)},
              {"progress",
               {{"epoch", p.epoch},
                {"batch", p.batch},
                {"step", p.step},
                {"epoch_shuffle", p.epoch_shuffle},
                {"loss_sum", p.loss_sum},
                {"seen", p.seen},
                {"finished", p.finished},
                {"metrics", metrics},
                {"skipped", p.skipped}}},
              {"history", p.history.to_json()}};
  return out;
}

FitProgress TrainingState::restore(const StateDict& state) const {
  return read_checkpoint_part([&] {
    FitProgress p;
    const json& meta = state.meta;
    if (meta.at("fit") != fit_shape_json(shape_))
      throw DataError(fmt::format("the checkpoint was taken training on {} instead of {}",
                                  meta.at("fit").dump(), fit_shape_json(shape_).dump()));
    if (meta.at("model").at("config") != model_.config())
      throw DataError("the checkpoint holds another model architecture");
    // Never written: fit() checkpoints only finite states.
    if (const std::string bad = first_non_finite(state); !bad.empty())
      throw DataError(fmt::format("the checkpoint's tensor \"{}\" holds NaN or infinity", bad));
    model_.set_weights(take_tensors(state, kModel, json::object()));
    const auto streams = model_.random_streams();
    const json& saved_streams = meta.at("model").at("random_streams");
    if (saved_streams.size() != streams.size())
      throw DataError("the checkpoint's random streams do not match the model's layers");
    for (std::size_t i = 0; i < streams.size(); ++i)
      streams[i]->set_state(rng_state(saved_streams[i], "the checkpoint's random stream"));
    model_.optimizer().load_state_dict(take_tensors(state, kOptimizer, meta.at("optimizer")));
    if ((schedule_ == nullptr) != meta.at("schedule").is_null())
      throw DataError("the checkpoint was taken with a different schedule setting");
    if (schedule_ != nullptr)
      schedule_->load_state_dict(take_tensors(state, kSchedule, meta.at("schedule")));
    driver_.load_state(meta.at("schedule_driver"));

    const json& progress = meta.at("progress");
    p.epoch = json_integer<int>(progress.at("epoch"), "the checkpoint's epoch");
    p.batch = json_integer<std::int64_t>(progress.at("batch"), "the checkpoint's batch");
    p.step = json_integer<std::int64_t>(progress.at("step"), "the checkpoint's step");
    p.epoch_shuffle = rng_state(progress.at("epoch_shuffle"), "the checkpoint's shuffle stream");
    p.loss_sum = progress.at("loss_sum").get<double>();
    p.seen = json_integer<std::int64_t>(progress.at("seen"), "the checkpoint's sample count");
    p.finished = progress.at("finished").get<bool>();
    for (const json& skipped : progress.at("skipped").get_ref<const json::array_t&>())
      p.skipped.emplace_back(
          json_integer<int>(skipped.at(0), "the checkpoint's skipped batch epoch"),
          json_integer<std::int64_t>(skipped.at(1), "the checkpoint's skipped batch"));
    const json& metrics = progress.at("metrics");
    if (metrics.size() != metrics_.size())
      throw DataError("the checkpoint was taken with other metrics");
    for (std::size_t i = 0; i < metrics_.size(); ++i)
      metrics_[i]->load_state(metrics[i]);
    p.history = History::from_json(meta.at("history"));
    if (p.epoch < 0 || p.batch < 0 || p.step < 0 || p.seen < 0)
      throw DataError("the checkpoint's position is negative");
    // fit() stops within an epoch's batches and samples, having taken at most one step per batch
    // (skipped batches take none); anything further would also overflow the counters it resumes.
    const std::int64_t batches = shape_.train_samples / shape_.batch_size +
                                 (shape_.train_samples % shape_.batch_size != 0 ? 1 : 0);
    if (p.batch > batches || p.seen > shape_.train_samples ||
        (p.step - p.batch) / batches > p.epoch)
      throw DataError(fmt::format(
          "the checkpoint's position (epoch {}, batch {}, step {}, {} samples into the epoch) is "
          "past what {} batches an epoch can reach",
          std::int64_t{p.epoch} + 1, p.batch, p.step, p.seen, batches));
    json kinds = json::array();
    for (const auto& [callback, s] : stateful(callbacks_))
      kinds.push_back(s.meta.at("callback"));
    json saved_kinds = json::array();
    for (const json& saved : saved_callbacks(meta))
      saved_kinds.push_back(saved.at("callback"));
    if (saved_kinds != kinds)
      throw DataError(
          fmt::format("the checkpoint was taken with the stateful callbacks {}, this run has {}",
                      saved_kinds.dump(), kinds.dump()));
    return p;
  });
}

void TrainingState::restore_callbacks(const StateDict& state) const {
  read_checkpoint_part([&] {
    const json saved = saved_callbacks(state.meta);
    const auto callbacks = stateful(callbacks_);
    for (std::size_t k = 0; k < callbacks.size(); ++k)
      callbacks[k].first->load_state_dict(model_,
                                          take_tensors(state, callback_prefix(k), saved.at(k)));
  });
}

std::string first_non_finite(const StateDict& state) {
  for (const auto& [name, tensor] : state.tensors)
    if (!all_finite(tensor.values())) return name;
  return {};
}

}  // namespace descent
