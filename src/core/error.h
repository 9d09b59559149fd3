// Typed errors: every rejection in descent is one of these, with a message meant for a person.
// The CLI maps each kind to its own exit code (docs/cli.md).
#pragma once

#include <stdexcept>
#include <string>

namespace descent {

// Base of all descent errors; the message is one line naming the problem.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value given by the caller is out of its domain (η <= 0, unknown name, shape mismatch).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Input data is malformed (bad magic, ragged CSV row, label out of range, NaN in features).
class DataError : public Error {
 public:
  using Error::Error;
};

// A file could not be opened, read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

// Training produced a non-finite loss or gradient.
class Diverged : public Error {
 public:
  using Error::Error;
};

}  // namespace descent
