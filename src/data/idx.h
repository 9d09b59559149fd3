// IDX reader: the format of MNIST and Fashion-MNIST (LeCun et al.,
// http://yann.lecun.com/exdb/mnist/). A file is a 4-byte magic number 0x0000TTRR (TT the element
// type, RR the rank), RR big-endian uint32 dimensions, then the elements row-major. Labels are
// 0x00000801 (unsigned bytes, rank 1); images are 0x00000803 (unsigned bytes, n x rows x cols).
// Files may be gzip-compressed: zlib recognises gzip by its magic bytes (1f 8b), not by the file
// name, and reads other files as is.
#pragma once

#include <cstdint>
#include <filesystem>

#include "data/dataset.h"

namespace descent {

// Reads an image file and its label file into a classification set stored as bytes
// (byte_scale 1/255, so features lie in [0, 1]). A rank-3 image file (n, rows, cols) gives
// sample_shape {1, rows, cols} (one channel, ready for a convolution; a dense model flattens it);
// other ranks give the dimensions after the first as they are. num_classes 0 means the largest
// label + 1; otherwise every label must be below it. Throws IoError when a file cannot be
// opened or read, DataError on a bad magic number, an element type other than unsigned byte,
// a truncated file, bytes beyond the declared size, or label and image counts that differ.
Dataset read_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                 std::int32_t num_classes = 0);

struct TrainTestSplit {
  Dataset train;
  Dataset test;
};

// The folder that holds Fashion-MNIST (Xiao et al. 2017, arXiv:1708.07747): the first of
// $DESCENT_DATA_DIR/fashion-mnist, $DESCENT_DATA_DIR (when that variable is set) and
// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist package) that contains
// train-images-idx3-ubyte(.gz). Throws IoError listing the folders searched when none does.
std::filesystem::path find_fashion_mnist();

// Fashion-MNIST from `dir`: {train-images-idx3-ubyte, train-labels-idx1-ubyte} (60,000 samples)
// and {t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte} (10,000), each file gzipped (.gz) or
// plain; 10 classes with their names; sample_shape {1, 28, 28}.
TrainTestSplit load_fashion_mnist(const std::filesystem::path& dir);
// Fashion-MNIST from find_fashion_mnist().
TrainTestSplit load_fashion_mnist();

}  // namespace descent
