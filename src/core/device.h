// Where a tensor's values live and which backend's kernels compute on them.
//
// `cpu` is the fast backend (OpenMP loops, oneDNN and OpenBLAS products). `reference` is a second
// backend with plain loops that compute in double: the whole test suite runs on it
// (DESCENT_DEVICE=reference), and the cpu kernels are checked against it op by op. Both keep their
// values in host memory; a GPU device would be a third entry (docs/architecture.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace descent {

enum class Device : std::uint8_t { cpu, reference };

constexpr std::string_view device_name(Device device) {
  return device == Device::cpu ? "cpu" : "reference";
}

// "cpu" or "reference"; nullopt for anything else.
std::optional<Device> parse_device(std::string_view name);

// The device new tensors are made on: a DeviceGuard's in its scope on this thread, else the
// process's, which the environment variable DESCENT_DEVICE sets (default cpu).
Device default_device();

// Makes `device` the default for new tensors on this thread while it lives.
class DeviceGuard {
 public:
  explicit DeviceGuard(Device device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  std::optional<Device> previous_;
};

}  // namespace descent
