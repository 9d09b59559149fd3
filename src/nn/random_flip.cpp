#include "nn/random_flip.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

RandomFlip::RandomFlip(std::string mode) : mode_(std::move(mode)) {
  horizontal_ = mode_ == "horizontal" || mode_ == "horizontal_and_vertical";
  vertical_ = mode_ == "vertical" || mode_ == "horizontal_and_vertical";
  if (!horizontal_ && !vertical_)
    throw InvalidArgument(fmt::format(
        "RandomFlip: mode must be \"horizontal\", \"vertical\" or \"horizontal_and_vertical\", "
        "got \"{}\"",
        mode_));
}

LayerPlan RandomFlip::plan(const Shape& input_shape) const {
  const std::size_t needed = vertical_ ? 2 : 1;
  if (input_shape.size() < needed)
    throw InvalidArgument(
        fmt::format("RandomFlip: mode \"{}\" needs inputs of at least {} axes "
                    "besides the batch, got {}",
                    mode_, needed, shape_string(input_shape)));
  return {input_shape, 0.0};
}

Shape RandomFlip::build(const Shape& input_shape, Rng& rng) {
  plan(input_shape);
  rng_ = rng.split();
  return input_shape;
}

Variable RandomFlip::forward(const Variable& x, bool training) {
  if (!training) return x;
  const Shape& shape = x.shape();
  const int rank = static_cast<int>(shape.size());
  const std::int64_t width = shape[rank - 1];
  const std::int64_t height = vertical_ ? shape[rank - 2] : 1;
  const std::int64_t batch = shape[0];
  const std::int64_t per_sample = batch == 0 ? 0 : x.value().size() / batch;
  const std::int64_t planes = height * width == 0 ? 0 : per_sample / (height * width);
  // Each element's source: the same sample, its row and column mirrored where the coin says so.
  // Float64 indices: exact far beyond float32's 2^24 elements.
  Tensor source;
  source.resize({x.value().size()}, DType::f64, x.value().device());
  double* index = source.data<double>();
  bool any = false;
  for (std::int64_t n = 0; n < batch; ++n) {
    const bool flip_w = horizontal_ && rng_.below(2) == 1;
    const bool flip_h = vertical_ && rng_.below(2) == 1;
    any = any || flip_w || flip_h;
    for (std::int64_t p = 0; p < planes; ++p)
      for (std::int64_t r = 0; r < height; ++r)
        for (std::int64_t c = 0; c < width; ++c) {
          const std::int64_t from_r = flip_h ? height - 1 - r : r;
          const std::int64_t from_c = flip_w ? width - 1 - c : c;
          *index++ = static_cast<double>(((n * planes + p) * height + from_r) * width + from_c);
        }
  }
  if (!any) return x;
  return reshape(index_select(reshape(x, {x.value().size()}), source, 0), shape);
}

nlohmann::json RandomFlip::config() const {
  return {{"type", type()}, {"mode", mode_}};
}

}  // namespace descent
