#include "report/lr_results_json.h"

#include <cmath>

#include <fmt/format.h>

#include "report/history_json.h"

namespace descent {
namespace {

LrSuggestion suggestion_from_json(const JsonView& json, const std::string& rule) {
  return {.rule = rule,
          .lr = json.at("lr").number(),
          .loss = json.at("loss").number(),
          .reason = json.find("reason") ? json.at("reason").string() : ""};
}

std::vector<double> column(const JsonView& curve, const std::string& name, std::size_t size,
                           bool required) {
  const auto found = curve.find(name);
  if (!found) {
    if (required) curve.at(name);  // throws: missing field
    return {};
  }
  std::vector<double> values = found->numbers();
  if (values.size() != size)
    found->fail(fmt::format("has {} values where lr has {}", values.size(), size));
  return values;
}

}  // namespace

Verdict verdict_from_json(const JsonView& json) {
  const std::string name = json.string();
  for (Verdict v : {Verdict::good, Verdict::too_high, Verdict::too_low, Verdict::diverged})
    if (to_string(v) == name) return v;
  json.fail(fmt::format("is '{}', not one of good, too high, too low, diverged", name));
}

LrFinderResult lr_finder_from_json(const JsonView& json) {
  LrFinderResult result;
  const JsonView curve = json.at("curve");
  result.lr = curve.at("lr").numbers();
  for (double lr : result.lr)
    if (!(std::isfinite(lr) && lr > 0)) curve.at("lr").fail("must hold finite values > 0");
  result.loss = column(curve, "loss", result.lr.size(), true);
  result.smoothed = column(curve, "smoothed", result.lr.size(), true);
  result.val_loss = column(curve, "val_loss", result.lr.size(), false);
  if (const auto stopped = json.find("stopped")) result.stopped = stopped->string();
  if (const auto suggestions = json.find("suggestions")) {
    if (!suggestions->json().is_object()) suggestions->fail("must be an object");
    for (const auto& [rule, value] : suggestions->json().items())
      result.suggestions.push_back(suggestion_from_json(suggestions->at(rule), rule));
  }
  const JsonView suggested = json.at("suggested");
  result.suggested = suggestion_from_json(suggested, suggested.at("rule").string());
  return result;
}

SweepResult sweep_from_json(const JsonView& json) {
  SweepResult result;
  for (const JsonView& run : json.at("runs").elements())
    result.runs.push_back({.lr = run.at("lr").number(),
                           .history = history_from_json(run.at("history")),
                           .verdict = verdict_from_json(run.at("verdict")),
                           .reason = run.find("reason") ? run.at("reason").string() : "",
                           .seconds = run.find("seconds") ? run.at("seconds").number() : NAN});
  if (result.runs.empty()) json.at("runs").fail("must hold at least one run");
  for (std::size_t i = 0; i < result.runs.size(); ++i)
    if (!(std::isfinite(result.runs[i].lr) && result.runs[i].lr > 0))
      json.at("runs").elements()[i].at("lr").fail("must be finite and > 0");
  if (const auto best = json.find("best_lr")) result.best_lr = best->number();
  return result;
}

SharpnessResult sharpness_from_json(const JsonView& json) {
  SharpnessResult result;
  result.lambda_max = json.at("lambda_max").number();
  result.estimates = json.at("estimates").numbers();
  if (const auto converged = json.find("converged")) result.converged = converged->boolean();
  if (const auto samples = json.find("samples")) {
    const double count = samples->number();
    if (!(std::isfinite(count) && count >= 0)) samples->fail("must be a count >= 0");
    result.samples = static_cast<std::int64_t>(count);
  }
  if (const auto method = json.find("method")) result.method = method->string();
  return result;
}

}  // namespace descent
