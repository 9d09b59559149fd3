// The weights file (`weights.bin` in a run directory): named float32 tensors plus a JSON
// document (the model's architecture), in one self-checking file:
//
//   8 bytes  magic "DESCENTW"
//   4 bytes  format version (little-endian uint32, currently 1)
//   8 bytes  header length H (little-endian uint64)
//   H bytes  JSON header: {"meta": {...}, "tensors": [{"name", "shape", "offset", "size"}, ...]}
//   data     the tensors' values, little-endian float32, contiguous in header order
//   4 bytes  CRC-32 (zlib) of everything before it
//
// Reading checks every size against the file before allocating (a header cannot make descent
// allocate more than the file holds), offsets contiguous, sizes equal to the shape products, and
// the checksum. Writing is atomic: a temporary file in the same directory, fsync, rename.
#pragma once

#include <filesystem>

#include "core/state_dict.h"

namespace descent {

void write_weights_file(const std::filesystem::path& path, const StateDict& state);
StateDict read_weights_file(const std::filesystem::path& path);

}  // namespace descent
