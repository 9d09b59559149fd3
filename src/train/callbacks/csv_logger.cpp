#include "train/callbacks/csv_logger.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

CSVLogger::CSVLogger(std::filesystem::path path, bool append)
    : path_(std::move(path)), append_(append) {}

void CSVLogger::on_train_begin(Model& /*model*/, const TrainParams& /*params*/) {
  const bool had_rows =
      append_ && std::filesystem::exists(path_) && std::filesystem::file_size(path_) > 0;
  out_.open(path_, append_ ? std::ios::app : std::ios::trunc);
  if (!out_) throw IoError(fmt::format("CSVLogger: cannot write {}", path_.string()));
  columns_.clear();
  if (had_rows) columns_.push_back("");  // the existing file already has its header
}

void CSVLogger::on_epoch_end(Model& /*model*/, int /*epoch*/, Logs& logs) {
  if (columns_.empty() || (columns_.size() == 1 && columns_[0].empty())) {
    const bool write_header = columns_.empty();
    columns_.clear();
    for (const auto& [name, value] : logs.items())
      columns_.push_back(name);
    if (write_header) {
      for (std::size_t i = 0; i < columns_.size(); ++i)
        out_ << (i ? "," : "") << columns_[i];
      out_ << '\n';
    }
  }
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const auto v = logs.get(columns_[i]);
    out_ << (i ? "," : "") << (v ? fmt::format("{}", *v) : "");
  }
  out_ << '\n';
  out_.flush();
  if (!out_) throw IoError(fmt::format("CSVLogger: cannot write {}", path_.string()));
}

}  // namespace descent
