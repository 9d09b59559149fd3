// Internal to the ops: axis arguments checked against a shape (negative axes count from the end),
// and the layout of a reduction over a set of axes (core/backend/reduce_kernels.h's Reduction).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "core/backend/reduce_kernels.h"
#include "core/error.h"
#include "core/tensor.h"

namespace descent::detail {

// `axis` of a tensor of `rank` axes as an index in [0, rank); InvalidArgument naming the axis and
// `shape` when it is outside [-rank, rank). `rank` is shape.size() but for an operation that adds
// an axis (stack), which passes one more.
inline int normalize_axis(int axis, std::size_t rank, const Shape& shape, const char* op) {
  const auto r = static_cast<int>(rank);
  if (axis < -r || axis >= r)
    throw InvalidArgument(
        fmt::format("{}: axis {} is out of range for shape {}", op, axis, shape_string(shape)));
  return axis < 0 ? axis + r : axis;
}

// Checks `axes` (at least one, each in range and given once, else InvalidArgument naming it and
// the shape) and lays the reduction out.
inline Reduction reduction(const Shape& shape, const std::vector<int>& axes, bool keepdims,
                           const char* op) {
  if (axes.empty())
    throw InvalidArgument(fmt::format("{}: no axes given for shape {}", op, shape_string(shape)));
  Reduction r;
  std::vector<bool> reduced(shape.size(), false);
  for (int axis : axes) {
    const int a = normalize_axis(axis, shape.size(), shape, op);
    if (reduced[a])
      throw InvalidArgument(
          fmt::format("{}: axis {} is given twice for shape {}", op, axis, shape_string(shape)));
    reduced[a] = true;
    r.axes.push_back(a);
  }
  std::sort(r.axes.begin(), r.axes.end());
  std::vector<std::int64_t> stride(shape.size(), 1);
  for (std::size_t k = shape.size(); k-- > 1;)
    stride[k - 1] = stride[k] * shape[k];
  r.kept = shape;
  r.reduced_offsets = {0};
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (reduced[k]) {
      r.kept[k] = 1;
      r.count *= shape[k];
      std::vector<std::int64_t> offsets;
      offsets.reserve(r.reduced_offsets.size() * static_cast<std::size_t>(shape[k]));
      for (std::int64_t base : r.reduced_offsets)
        for (std::int64_t i = 0; i < shape[k]; ++i)
          offsets.push_back(base + i * stride[k]);
      r.reduced_offsets = std::move(offsets);
    } else {
      r.result.push_back(shape[k]);
      r.kept_dims.push_back(shape[k]);
      r.kept_strides.push_back(stride[k]);
    }
  }
  if (keepdims) r.result = r.kept;
  return r;
}

}  // namespace descent::detail
