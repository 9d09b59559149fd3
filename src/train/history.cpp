#include "train/history.h"

#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

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
  nlohmann::json out = {{"epochs", epoch_rows}, {"steps", step_columns}, {"diverged", diverged}};
  if (diverged) out["divergence"] = divergence;
  return out;
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
