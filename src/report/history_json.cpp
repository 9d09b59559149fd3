#include "report/history_json.h"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace descent {

History history_from_json(const JsonView& json) {
  History history;
  for (const JsonView& epoch : json.at("epochs").elements()) {
    if (!epoch.json().is_object()) epoch.fail("must be an object");
    Logs logs;
    for (const auto& [name, value] : epoch.json().items())
      logs.set(name, epoch.at(name).number());
    history.epochs.push_back(std::move(logs));
  }
  const JsonView steps = json.at("steps");
  const std::vector<double> step = steps.at("step").numbers(), epoch = steps.at("epoch").numbers(),
                            loss = steps.at("loss").numbers(), lr = steps.at("lr").numbers();
  if (epoch.size() != step.size() || loss.size() != step.size() || lr.size() != step.size())
    steps.fail(fmt::format("has columns of different lengths (step {}, epoch {}, loss {}, lr {})",
                           step.size(), epoch.size(), loss.size(), lr.size()));
  for (std::size_t i = 0; i < step.size(); ++i) {
    if (!std::isfinite(step[i]) || !std::isfinite(epoch[i]))
      steps.fail(fmt::format("has a non-finite step or epoch number at index {}", i));
    history.steps.push_back({.step = static_cast<std::int64_t>(step[i]),
                             .epoch = static_cast<std::int32_t>(epoch[i]),
                             .loss = loss[i],
                             .lr = lr[i]});
  }
  if (const auto diverged = json.find("diverged")) history.diverged = diverged->boolean();
  if (const auto divergence = json.find("divergence")) history.divergence = divergence->string();
  return history;
}

}  // namespace descent
