#include "lr/sweep_run_store.h"

#include <fstream>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace descent {

SweepRunStore::SweepRunStore(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) throw IoError(fmt::format("cannot create {}: {}", dir_.string(), error.message()));
}

std::filesystem::path SweepRunStore::file(std::size_t index) const {
  return dir_ / fmt::format("run-{}.json", index);
}

void SweepRunStore::save(std::size_t index, const SweepRun& run) const {
  const nlohmann::json saved = {
      {"lr", run.lr}, {"seconds", run.seconds}, {"history", run.history.to_json()}};
  write_file_atomically(file(index), saved.dump());
}

std::vector<std::optional<SweepRun>> SweepRunStore::load(const std::vector<double>& lrs) const {
  std::vector<std::optional<SweepRun>> runs(lrs.size());
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    std::ifstream in(file(i));
    if (!in) continue;
    try {
      const nlohmann::json saved = nlohmann::json::parse(in);
      if (saved.at("lr").get<double>() != lrs[i]) continue;
      runs[i] = SweepRun{lrs[i], History::from_json(saved.at("history")), Verdict::good, "",
                         saved.at("seconds").get<double>()};
    } catch (const nlohmann::json::exception&) {
      continue;  // damaged: trained again
    } catch (const DataError&) {
      continue;
    }
  }
  return runs;
}

}  // namespace descent
