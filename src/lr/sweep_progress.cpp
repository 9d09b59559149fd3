#include "lr/sweep_progress.h"

#include <unistd.h>

#include <cmath>
#include <functional>
#include <string>

#include <fmt/format.h>

namespace descent {
namespace {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  const auto s = static_cast<long>(std::lround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  if (s >= 60) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}s", s);
}

class StepCounter : public Callback {
 public:
  explicit StepCounter(std::function<void()> count) : count_(std::move(count)) {}
  void on_step_end(Model& /*model*/, const StepRecord& /*step*/) override { count_(); }

 private:
  std::function<void()> count_;
};

}  // namespace

SweepProgress::SweepProgress(std::size_t runs, std::int64_t steps_per_run, bool enabled,
                             std::FILE* out)
    : runs_(runs),
      steps_per_run_(steps_per_run),
      steps_total_(steps_per_run * static_cast<std::int64_t>(runs)),
      enabled_(enabled),
      terminal_(isatty(fileno(out)) != 0),
      out_(out),
      start_(Clock::now()),
      last_draw_(start_) {}

std::shared_ptr<Callback> SweepProgress::step_counter() {
  return std::make_shared<StepCounter>([this] { count_step(); });
}

void SweepProgress::count_step() {
  std::lock_guard lock(mutex_);
  ++steps_done_;
  draw_status(false);
}

void SweepProgress::run_finished(double lr, const History& history, double seconds) {
  std::lock_guard lock(mutex_);
  // A run stopped early never takes its remaining steps; count them so the ETA stays honest.
  const auto taken = static_cast<std::int64_t>(history.steps.size());
  if (taken < steps_per_run_) steps_done_ += steps_per_run_ - taken;
  ++runs_done_;
  if (!enabled_) return;
  std::string line = fmt::format("[{}/{}] η = {:g}: ", runs_done_, runs_, lr);
  if (history.diverged) {
    line += "diverged, " + history.divergence;
  } else if (!history.epochs.empty()) {
    const Logs& last = history.epochs.back();
    line += fmt::format("loss {:.4f}", last.get("loss").value_or(NAN));
    if (const auto val = last.get("val_loss")) line += fmt::format(", val loss {:.4f}", *val);
  }
  line += fmt::format(" ({:.1f} s)", seconds);
  fmt::print(out_, "{}{}\n", terminal_ ? "\r\033[K" : "", line);
  draw_status(true);
}

void SweepProgress::finish() {
  std::lock_guard lock(mutex_);
  if (enabled_ && terminal_) fmt::print(out_, "\r\033[K");
  std::fflush(out_);
}

void SweepProgress::draw_status(bool force) {
  if (!enabled_ || !terminal_) return;
  const auto now = Clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string eta = "?";
  if (steps_done_ > 0)
    eta = format_duration(elapsed * double(steps_total_ - steps_done_) / double(steps_done_));
  fmt::print(out_, "\r\033[KSweep: {}/{} runs, {}/{} steps, ETA {}", runs_done_, runs_, steps_done_,
             steps_total_, eta);
  std::fflush(out_);
}

}  // namespace descent
