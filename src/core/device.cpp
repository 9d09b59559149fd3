#include "core/device.h"

#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

thread_local std::optional<Device> scoped_device;

// Read once: a misspelt value stops the process rather than silently testing the cpu backend.
Device process_device() {
  static const Device device = [] {
    const char* name = std::getenv("DESCENT_DEVICE");
    if (name == nullptr || *name == '\0') return Device::cpu;
    if (const auto device = parse_device(name)) return *device;
    throw InvalidArgument(
        fmt::format("DESCENT_DEVICE must be cpu or reference, got '{}'", std::string(name)));
  }();
  return device;
}

}  // namespace

std::optional<Device> parse_device(std::string_view name) {
  if (name == "cpu") return Device::cpu;
  if (name == "reference") return Device::reference;
  return std::nullopt;
}

Device default_device() {
  return scoped_device ? *scoped_device : process_device();
}

DeviceGuard::DeviceGuard(Device device) : previous_(scoped_device) {
  scoped_device = device;
}

DeviceGuard::~DeviceGuard() {
  scoped_device = previous_;
}

}  // namespace descent
