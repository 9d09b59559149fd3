// NPY reader: the array files of NumPy's np.save (format versions 1.0, 2.0 and 3.0,
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html). A file is the magic
// "\x93NUMPY", a major and a minor version byte, the header length (2 bytes little-endian in 1.0,
// 4 bytes in 2.0 and 3.0), a header that is a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (n, 28, 28), } padded with spaces and a
// newline, then the elements in row-major order.
//
// The header is parsed by a small strict parser of its own (nothing is evaluated). Supported
// element types are little-endian (or single-byte) booleans, integers and floats:
// |b1, |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8. Rejected with a DataError: big-endian
// and other types (objects, strings, structured arrays), fortran_order True (save with
// np.ascontiguousarray), negative or overflowing shapes, and data shorter or longer than the
// shape says. Every size is checked against the bytes present before anything is allocated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"

namespace descent {

enum class NpyType {
  kBool,
  kInt8,
  kUint8,
  kInt16,
  kUint16,
  kInt32,
  kUint32,
  kInt64,
  kUint64,
  kFloat32,
  kFloat64
};

// One array as stored in the file: its element type, its shape and its elements' bytes.
struct NpyArray {
  NpyType type = NpyType::kFloat32;
  Shape shape;
  std::vector<unsigned char> data;  // shape product x item_size() bytes, little-endian

  std::int64_t size() const { return shape_size(shape); }
  std::size_t item_size() const;
  bool is_integer() const { return type != NpyType::kFloat32 && type != NpyType::kFloat64; }
  // Element i as a double (int64 and uint64 values beyond 2^53 are rounded).
  double value(std::int64_t i) const;
};

// Parses a whole .npy file held in memory; `origin` (a file name) starts every error message.
// Throws DataError on anything malformed or unsupported (see above).
NpyArray parse_npy(std::span<const char> bytes, std::string_view origin);

// Reads and parses one .npy file. Throws IoError when it cannot be read.
NpyArray read_npy_array(const std::filesystem::path& path);

// Reads a features file (n, ...) and a labels file into a data set. Features keep their values
// as they are: |u1 features are stored as bytes with byte_scale 1 (divide by 255 yourself, as with
// Keras), the other types as floats; sample_shape is the shape after the first axis ({1} for a
// rank-1 array). Integer labels of shape (n,) make a classification set (num_classes 0 means the
// largest label + 1, at most 2^20; otherwise every label must be below it); float labels of shape
// (n,) or (n, k) make a regression set with target_width 1 or k. Throws DataError on a count
// mismatch, a negative or too large label, integer labels of rank 2, NaN or infinity in features
// or targets, or an empty array.
Dataset read_npy(const std::filesystem::path& features, const std::filesystem::path& labels,
                 std::int32_t num_classes = 0);

}  // namespace descent
