#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace descent {
namespace {

constexpr std::int64_t kCacheLine = 64;
// How many rows ahead gather() asks for a row's cache lines.
constexpr std::int64_t kPrefetchDistance = 2;

// Resizes t to {rows, tail...} unless it already has that shape (building a Shape allocates).
void ensure_shape(Tensor& t, std::int64_t rows, std::span<const std::int64_t> tail) {
  const Shape& s = t.shape();
  if (s.size() == tail.size() + 1 && s[0] == rows &&
      std::equal(tail.begin(), tail.end(), s.begin() + 1))
    return;
  Shape shape;
  shape.reserve(tail.size() + 1);
  shape.push_back(rows);
  shape.insert(shape.end(), tail.begin(), tail.end());
  t.resize(shape);
}

void check_indices(std::span<const std::int64_t> indices, std::int64_t n) {
  for (std::size_t i = 0; i < indices.size(); ++i)
    if (indices[i] < 0 || indices[i] >= n)
      throw InvalidArgument(fmt::format("sample index {} (position {}) is outside a data set of {}",
                                        indices[i], i, n));
}

Dataset empty_like(const Dataset& data) {
  Dataset out;
  out.sample_shape = data.sample_shape;
  out.byte_scale = data.byte_scale;
  out.num_classes = data.num_classes;
  out.label_shape = data.label_shape;
  out.class_names = data.class_names;
  out.target_width = data.target_width;
  return out;
}

}  // namespace

std::int64_t Dataset::sample_size() const {
  return sample_shape.empty() ? 0 : shape_size(sample_shape);
}

std::int64_t Dataset::labels_per_sample() const {
  return label_shape.empty() ? 1 : shape_size(label_shape);
}

std::int64_t Dataset::size() const {
  const std::int64_t s = sample_size();
  if (s == 0) return 0;
  return static_cast<std::int64_t>(stored_as_bytes() ? bytes.size() : values.size()) / s;
}

void Dataset::gather(std::span<const std::int64_t> indices, Tensor& x, Tensor& y) const {
  const std::int64_t k = static_cast<std::int64_t>(indices.size());
  const std::int64_t s = sample_size();
  check_indices(indices, size());
  ensure_shape(x, k, sample_shape);
  if (is_classification())
    ensure_shape(y, k, label_shape);
  else
    ensure_shape(y, k, std::span<const std::int64_t>(&target_width, 1));

  float* xd = x.data();
  float* yd = y.data();
  const bool as_bytes = stored_as_bytes();
  const std::int64_t w = target_width;
  const std::int64_t per = labels_per_sample();
  // Captured by value: read through `this` or a reference, the scale might alias the rows written,
  // which stops the conversion loop from vectorizing.
  const float scale = byte_scale;
  parallel_for(k, k * s, [&, scale](std::int64_t i) {
    const std::int64_t src = indices[i];
    float* row = xd + i * s;
    if (as_bytes) {
      // The rows are scattered over the data set, so each one starts with a cache miss; asking
      // for a later row's lines now overlaps its misses with this row's conversion.
      if (i + kPrefetchDistance < k) {
        const std::uint8_t* next = bytes.data() + indices[i + kPrefetchDistance] * s;
        for (std::int64_t j = 0; j < s; j += kCacheLine)
          __builtin_prefetch(next + j);
      }
      const std::uint8_t* b = bytes.data() + src * s;
      for (std::int64_t j = 0; j < s; ++j)
        row[j] = static_cast<float>(b[j]) * scale;
    } else {
      std::copy_n(values.data() + src * s, s, row);
    }
    if (num_classes > 0)
      for (std::int64_t j = 0; j < per; ++j)
        yd[i * per + j] = static_cast<float>(labels[src * per + j]);
    else
      std::copy_n(targets.data() + src * w, w, yd + i * w);
  });
}

Tensor Dataset::features() const {
  const std::int64_t n = size();
  Tensor x, y;
  std::vector<std::int64_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  gather(all, x, y);
  return x;
}

Tensor Dataset::target_tensor() const {
  const std::int64_t n = size();
  if (is_classification()) {
    Shape shape{n};
    shape.insert(shape.end(), label_shape.begin(), label_shape.end());
    Tensor y(shape);
    for (std::int64_t i = 0; i < n * labels_per_sample(); ++i)
      y[i] = static_cast<float>(labels[i]);
    return y;
  }
  return Tensor({n, target_width}, std::span<const float>(targets));
}

void Dataset::validate(std::string_view origin) const {
  auto fail = [&](const std::string& problem) {
    throw DataError(fmt::format("{}: {}", origin, problem));
  };
  if (sample_shape.empty()) fail("the sample shape is empty");
  for (std::int64_t d : sample_shape)
    if (d <= 0)
      fail(fmt::format("sample shape {} has a zero dimension", shape_string(sample_shape)));
  const std::int64_t s = sample_size();
  if (!bytes.empty() && !values.empty()) fail("features are stored both as bytes and as floats");
  const std::size_t stored = stored_as_bytes() ? bytes.size() : values.size();
  if (stored % static_cast<std::size_t>(s) != 0)
    fail(fmt::format("{} feature values do not divide into samples of shape {}", stored,
                     shape_string(sample_shape)));
  const std::int64_t n = size();

  if (num_classes < 0) fail(fmt::format("num_classes is {}", num_classes));
  for (std::int64_t d : label_shape)
    if (d <= 0) fail(fmt::format("label shape {} has a zero dimension", shape_string(label_shape)));
  if (is_classification()) {
    const std::int64_t per = labels_per_sample();
    if (static_cast<std::int64_t>(labels.size()) != n * per)
      fail(per == 1 ? fmt::format("{} samples but {} labels", n, labels.size())
                    : fmt::format("{} samples of {} labels need {} labels, found {}", n, per,
                                  n * per, labels.size()));
    if (!targets.empty()) fail("a classification set also has regression targets");
    if (!class_names.empty() && static_cast<std::int64_t>(class_names.size()) != num_classes)
      fail(fmt::format("{} class names for {} classes", class_names.size(), num_classes));
    for (std::int64_t i = 0; i < n * per; ++i)
      if (labels[i] < 0 || labels[i] >= num_classes)
        fail(per == 1 ? fmt::format("label {} of sample {} is outside [0, {})", labels[i], i,
                                    num_classes)
                      : fmt::format("label {} (position {} of sample {}) is outside [0, {})",
                                    labels[i], i % per, i / per, num_classes));
  } else {
    if (target_width <= 0) fail("neither class labels (num_classes) nor a target width is set");
    if (!labels.empty()) fail("labels are given but num_classes is 0");
    if (!label_shape.empty()) fail("a label shape is given but num_classes is 0");
    if (static_cast<std::int64_t>(targets.size()) != n * target_width)
      fail(fmt::format("{} samples of target width {} need {} targets, found {}", n, target_width,
                       n * target_width, targets.size()));
    for (std::size_t i = 0; i < targets.size(); ++i)
      if (!std::isfinite(targets[i]))
        fail(fmt::format("target {} of sample {} is {}", i % target_width, i / target_width,
                         targets[i]));
  }
  if (!std::isfinite(byte_scale)) fail(fmt::format("byte scale is {}", byte_scale));
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      fail(fmt::format("feature {} of sample {} is {}", i % s, i / s, values[i]));
}

std::int64_t split_point(std::int64_t n, double fraction) {
  if (!(fraction >= 0.0 && fraction < 1.0))
    throw InvalidArgument(fmt::format("validation fraction {} is outside [0, 1)", fraction));
  // Keras: split_at = int(math.floor(n * (1. - validation_split))).
  const auto split_at = static_cast<std::int64_t>(std::floor(n * (1.0 - fraction)));
  if (fraction > 0.0 && (split_at == 0 || split_at == n))
    throw InvalidArgument(
        fmt::format("{} samples cannot be split into training and validation sets with fraction {}",
                    n, fraction));
  return split_at;
}

std::pair<Dataset, Dataset> split_tail(const Dataset& data, double fraction) {
  const std::int64_t n = data.size();
  const std::int64_t split_at = split_point(n, fraction);
  std::vector<std::int64_t> head(split_at), tail(n - split_at);
  std::iota(head.begin(), head.end(), 0);
  std::iota(tail.begin(), tail.end(), split_at);
  return {subset(data, head), subset(data, tail)};
}

Dataset subset(const Dataset& data, std::span<const std::int64_t> indices) {
  check_indices(indices, data.size());
  Dataset out = empty_like(data);
  const std::int64_t s = data.sample_size();
  const std::int64_t w = data.target_width;
  const std::int64_t per = data.labels_per_sample();
  const std::size_t k = indices.size();
  if (data.stored_as_bytes())
    out.bytes.resize(k * s);
  else
    out.values.resize(k * s);
  if (data.is_classification())
    out.labels.resize(k * per);
  else
    out.targets.resize(k * w);
  for (std::size_t i = 0; i < k; ++i) {
    const std::int64_t src = indices[i];
    if (data.stored_as_bytes())
      std::copy_n(data.bytes.begin() + src * s, s, out.bytes.begin() + i * s);
    else
      std::copy_n(data.values.begin() + src * s, s, out.values.begin() + i * s);
    if (data.is_classification())
      std::copy_n(data.labels.begin() + src * per, per, out.labels.begin() + i * per);
    else
      std::copy_n(data.targets.begin() + src * w, w, out.targets.begin() + i * w);
  }
  return out;
}

}  // namespace descent
