// Dataset: an in-memory data set of n samples, each of shape `sample_shape`, with targets.
// Features are stored compactly, either as bytes (images: 1 byte a pixel, scaled to floats by
// `byte_scale` when a batch is gathered) or as floats. Targets are class labels (int32 in
// [0, num_classes)), one per sample or, for sequences, `label_shape` of them (a language model's
// next token at every position), or real-valued rows of `target_width` floats. A training step
// copies its mini-batch out with gather(), which reuses the batch tensors' storage.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace descent {

// Class labels at or above this are not class indices (the CSV and NPY readers' limit).
inline constexpr std::int64_t kMaxClasses = std::int64_t{1} << 20;

struct Dataset {
  Shape sample_shape;                    // e.g. {2} for points, {1, 28, 28} for images
  std::vector<std::uint8_t> bytes;       // n * sample_size(), when stored as bytes
  float byte_scale = 1.0f / 255.0f;      // feature = byte * byte_scale
  std::vector<float> values;             // n * sample_size(), when stored as floats
  std::vector<std::int32_t> labels;      // n * labels_per_sample(), for classification
  Shape label_shape;                     // empty: one label per sample; else e.g. {context}
  std::int32_t num_classes = 0;          // > 0 exactly when this is a classification set
  std::vector<std::string> class_names;  // empty, or num_classes names (for reports)
  std::vector<float> targets;            // n * target_width, for regression
  std::int64_t target_width = 0;

  // Number of samples (0 when sample_shape is empty or of size 0).
  std::int64_t size() const;
  // Features per sample: the product of sample_shape.
  std::int64_t sample_size() const;
  bool is_classification() const { return num_classes > 0; }
  // The product of label_shape; 1 when it is empty.
  std::int64_t labels_per_sample() const;
  bool stored_as_bytes() const { return !bytes.empty(); }

  // Copies the samples `indices` into x, shape {k, sample_shape...}, and their targets into y:
  // shape {k, label_shape...} holding the labels as floats, or {k, target_width}. x and y are
  // resized only when their shape differs, so a loop over equal-sized batches allocates nothing.
  // Runs in parallel over samples for large batches. Throws InvalidArgument on an index outside [0,
  // size()).
  void gather(std::span<const std::int64_t> indices, Tensor& x, Tensor& y) const;
  // The whole set as tensors: features {n, sample_shape...}; targets as gather() gives them.
  Tensor features() const;
  Tensor target_tensor() const;

  // Checks that the parts agree (feature and target counts, one storage kind, class names),
  // that every label is in [0, num_classes) and that every float feature and target is finite.
  // Throws DataError "<origin>: <problem>" naming the first offending sample.
  void validate(std::string_view origin) const;
};

// Splits off the last `fraction` of the samples as a validation set, as Keras's
// validation_split does (the tail is taken before any shuffling): the first
// floor(n * (1 - fraction)) samples train. fraction must be in [0, 1); 0 gives an empty
// validation set; a fraction that leaves either part empty throws InvalidArgument.
std::pair<Dataset, Dataset> split_tail(const Dataset& data, double fraction);
// The number of samples split_tail leaves for training, with its checks: commands call it before
// they write anything.
std::int64_t split_point(std::int64_t n, double fraction);

// The samples `indices` (in that order, repeats allowed) as a new data set with the same
// shape, classes and storage kind. Throws InvalidArgument on an index outside [0, size()).
Dataset subset(const Dataset& data, std::span<const std::int64_t> indices);

}  // namespace descent
