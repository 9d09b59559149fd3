#include "nn/regularizer.h"

#include "core/ops/elementwise.h"
#include "core/ops/reduce.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

double parse_strength(std::string_view text, std::string_view whole) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
    throw InvalidArgument(
        fmt::format("regularizer '{}': strength '{}' must be a finite number >= 0", whole, text));
  return v;
}

}  // namespace

Regularizer Regularizer::parse(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view args = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (kind == "l1") return L1(args.empty() ? 0.01 : parse_strength(args, text));
  if (kind == "l2") return L2(args.empty() ? 0.01 : parse_strength(args, text));
  if (kind == "l1l2") {
    const auto comma = args.find(',');
    if (comma == std::string_view::npos)
      throw InvalidArgument(fmt::format("regularizer '{}': expected l1l2:L1,L2", text));
    return L1L2(parse_strength(args.substr(0, comma), text),
                parse_strength(args.substr(comma + 1), text));
  }
  throw InvalidArgument(
      fmt::format("unknown regularizer '{}' (known: l1:V, l2:V, l1l2:V1,V2)", text));
}

std::string Regularizer::name() const {
  if (l1 != 0 && l2 != 0) return fmt::format("l1l2:{},{}", l1, l2);
  if (l1 != 0) return fmt::format("l1:{}", l1);
  if (l2 != 0) return fmt::format("l2:{}", l2);
  return "none";
}

Variable Regularizer::penalty(const Variable& weights) const {
  Variable total;
  if (l1 != 0.0) total = mul(sum(abs(weights)), l1);
  if (l2 != 0.0) {
    const Variable term = mul(sum(square(weights)), l2);
    total = total.defined() ? add(total, term) : term;
  }
  return total;
}

}  // namespace descent
