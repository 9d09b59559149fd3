#include "train/history.h"

#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"

namespace descent {
namespace {

std::ofstream open_for_writing(const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
  return out;
}

// Shortest text that reads back to the same double; non-finite values as nan/inf.
std::string number(double v) {
  return fmt::format("{}", v);
}

nlohmann::json json_number(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

double number_from_json(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  const std::string text = v.get<std::string>();
  if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  throw DataError(fmt::format("history: '{}' is not a number", text));
}

}  // namespace

std::vector<double> History::column(const std::string& name) const {
  std::vector<double> out;
  for (const Logs& logs : epochs)
    out.push_back(logs.get(name).value_or(std::numeric_limits<double>::quiet_NaN()));
  return out;
}

nlohmann::json History::to_json() const {
  nlohmann::json epoch_rows = nlohmann::json::array();
  for (const Logs& logs : epochs) {
    nlohmann::json row = nlohmann::json::object();
    for (const auto& [key, value] : logs.items())
      row[key] = json_number(value);
    epoch_rows.push_back(row);
  }
  nlohmann::json step_columns = {{"step", nlohmann::json::array()},
                                 {"epoch", nlohmann::json::array()},
                                 {"loss", nlohmann::json::array()},
                                 {"lr", nlohmann::json::array()}};
  for (const StepRecord& s : steps) {
    step_columns["step"].push_back(s.step);
    step_columns["epoch"].push_back(s.epoch);
    step_columns["loss"].push_back(json_number(s.loss));
    step_columns["lr"].push_back(s.lr);
  }
  nlohmann::json recovery_rows = nlohmann::json::array();
  for (const Recovery& r : recoveries)
    recovery_rows.push_back({{"step", r.step},
                             {"epoch", r.epoch},
                             {"batch", r.batch},
                             {"reason", r.reason},
                             {"restored_step", r.restored_step},
                             {"lr_before", r.lr_before},
                             {"lr_after", r.lr_after}});
  nlohmann::json out = {{"epochs", epoch_rows},
                        {"steps", step_columns},
                        {"recoveries", recovery_rows},
                        {"diverged", diverged}};
  if (diverged) out["divergence"] = divergence;
  return out;
}

History History::from_json(const nlohmann::json& json) {
  History history;
  for (const auto& row : json.at("epochs")) {
    Logs& logs = history.epochs.emplace_back();
    for (const auto& [key, value] : row.items())
      logs.set(key, number_from_json(value));
  }
  const auto& steps = json.at("steps");
  const auto& step = steps.at("step");
  for (std::size_t i = 0; i < step.size(); ++i)
    history.steps.push_back(
        {json_integer<std::int64_t>(step[i], "history step"),
         json_integer<std::int32_t>(steps.at("epoch").at(i), "history step's epoch"),
         number_from_json(steps.at("loss").at(i)), number_from_json(steps.at("lr").at(i))});
  if (json.contains("recoveries"))
    for (const auto& r : json.at("recoveries"))
      history.recoveries.push_back(
          {json_integer<std::int64_t>(r.at("step"), "history recovery's step"),
           json_integer<std::int32_t>(r.at("epoch"), "history recovery's epoch"),
           json_integer<std::int64_t>(r.at("batch"), "history recovery's batch"),
           r.at("reason").get<std::string>(),
           json_integer<std::int64_t>(r.at("restored_step"), "history recovery's restored step"),
           r.at("lr_before").get<double>(), r.at("lr_after").get<double>()});
  history.diverged = json.at("diverged").get<bool>();
  if (history.diverged) history.divergence = json.at("divergence").get<std::string>();
  return history;
}

void History::write_epochs_csv(const std::filesystem::path& path) const {
  std::ofstream out = open_for_writing(path);
  std::vector<std::string> columns;
  for (const Logs& logs : epochs)
    for (const auto& [key, value] : logs.items())
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
  for (std::size_t i = 0; i < columns.size(); ++i)
    out << (i ? "," : "") << columns[i];
  out << "\n";
  for (const Logs& logs : epochs) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto v = logs.get(columns[i]);
      out << (i ? "," : "") << (v ? number(*v) : "");
    }
    out << "\n";
  }
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

void History::write_steps_csv(const std::filesystem::path& path) const {
  std::ofstream out = open_for_writing(path);
  out << "step,epoch,loss,lr\n";
  for (const StepRecord& s : steps)
    out << s.step << ',' << s.epoch << ',' << number(s.loss) << ',' << number(s.lr) << '\n';
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

}  // namespace descent
