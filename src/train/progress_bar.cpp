#include "train/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace descent {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBarWidth = 30;

std::string format_duration(double seconds) {
  if (seconds >= 3600)
    return fmt::format("{}:{:02}:{:02}", int(seconds) / 3600, int(seconds) / 60 % 60,
                       int(seconds) % 60);
  if (seconds >= 60) return fmt::format("{}:{:02}", int(seconds) / 60, int(seconds) % 60);
  return fmt::format("{}s", static_cast<int>(std::lround(seconds)));
}

std::string format_per_step(double seconds) {
  if (seconds >= 1) return fmt::format("{:.0f}s/step", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.0f}ms/step", seconds * 1e3);
  return fmt::format("{:.0f}us/step", seconds * 1e6);
}

std::string format_value(const std::string& name, double v) {
  if (name == "lr" || name.ends_with("_lr")) return fmt::format("{:.4g}", v);
  if (std::abs(v) >= 1e-3 || v == 0) return fmt::format("{:.4f}", v);
  return fmt::format("{:.4e}", v);
}

}  // namespace

ProgressBar::ProgressBar(int verbose, std::FILE* out)
    : verbose_(verbose), out_(out), terminal_(isatty(fileno(out)) != 0) {}

void ProgressBar::on_train_begin(Model& /*model*/, const TrainParams& params) {
  epochs_ = params.epochs;
  steps_per_epoch_ = params.steps_per_epoch;
}

void ProgressBar::on_epoch_begin(Model& /*model*/, int epoch) {
  if (verbose_ == 1) fmt::print(out_, "Epoch {}/{}\n", epoch + 1, epochs_);
  epoch_start_ = last_draw_ = Clock::now();
  batches_done_ = 0;
  last_batch_ = Logs();
}

void ProgressBar::on_batch_end(Model& /*model*/, std::int64_t batch, const Logs& logs) {
  batches_done_ = batch + 1;
  last_batch_ = logs;
  if (verbose_ != 1 || !terminal_) return;
  const auto now = Clock::now();
  if (batches_done_ < steps_per_epoch_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(batches_done_, logs, false, nullptr);
}

void ProgressBar::on_epoch_end(Model& /*model*/, int epoch, Logs& logs) {
  if (verbose_ == 2) fmt::print(out_, "Epoch {}/{}\n", epoch + 1, epochs_);
  draw(batches_done_, last_batch_, true, &logs);
}

void ProgressBar::draw(std::int64_t done, const Logs& logs, bool final_line,
                       const Logs* epoch_logs) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - epoch_start_).count();
  std::string line;
  if (verbose_ == 1) {
    const std::int64_t total = std::max<std::int64_t>(steps_per_epoch_, 1);
    const int filled = static_cast<int>(kBarWidth * std::min<std::int64_t>(done, total) / total);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < kBarWidth) bar += done > 0 ? ">" : ".";
    bar.resize(kBarWidth, '.');
    const int digits = static_cast<int>(std::to_string(total).size());
    line = fmt::format("{:>{}}/{} [{}]", done, digits, total, bar);
  }
  if (final_line) {
    line += fmt::format("{}{} {}", line.empty() ? "" : " - ", format_duration(elapsed),
                        format_per_step(done > 0 ? elapsed / static_cast<double>(done) : 0.0));
  } else {
    const double eta = done > 0 ? elapsed / static_cast<double>(done) *
                                      static_cast<double>(steps_per_epoch_ - done)
                                : 0.0;
    line += fmt::format(" - ETA: {}", format_duration(eta));
  }
  const Logs& shown = final_line && epoch_logs != nullptr ? *epoch_logs : logs;
  for (const auto& [name, value] : shown.items()) {
    if (name == "epoch" || name == "seconds") continue;
    line += fmt::format(" - {}: {}", name, format_value(name, value));
  }
  if (terminal_)
    fmt::print(out_, "\r{}\033[K{}", line, final_line ? "\n" : "");
  else if (final_line)
    fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

}  // namespace descent
