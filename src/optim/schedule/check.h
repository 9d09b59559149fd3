// Parameter checks shared by the schedules: each throws InvalidArgument with one line naming the
// schedule, the parameter and the offending value ("StepLR: gamma must be > 0, got -0.1").
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace descent::schedule_check {

// t >= 0 (a scheduler step).
void step(std::string_view schedule, std::int64_t t);
// A learning rate: finite and > 0.
void positive_lr(std::string_view schedule, std::string_view field, double value);
// Finite and > 0.
void positive(std::string_view schedule, std::string_view field, double value);
// Finite and >= 0.
void non_negative(std::string_view schedule, std::string_view field, double value);
// lo <= value <= hi, with either end optionally open (lo < value, value < hi).
void in_range(std::string_view schedule, std::string_view field, double value, double lo, double hi,
              bool lo_open = false, bool hi_open = false);
// value >= min.
void at_least(std::string_view schedule, std::string_view field, std::int64_t value,
              std::int64_t min);
// Non-empty, strictly increasing, first >= min.
void increasing(std::string_view schedule, std::string_view field,
                const std::vector<std::int64_t>& values, std::int64_t min);

}  // namespace descent::schedule_check
