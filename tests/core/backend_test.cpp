// The backend seam, proven by its second implementation: every case of op_cases.h runs on the cpu
// backend and on the reference backend (plain loops in double), and their values and gradients
// agree; each operation's forward and backward reach the backend's kernels rather than computing
// on their own. The whole suite also runs on the reference device (DESCENT_DEVICE=reference in
// .ci/run).
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "autograd_checks.h"
#include "core/backend/reference/reference_backend.h"
#include "core/error.h"
#include "core/ops.h"
#include "op_cases.h"

namespace descent {
namespace {

using op_cases::cases;
using op_cases::OpCase;

// f's value and the gradients that backward() gives its inputs, computed on `device` in `dtype`.
struct Run {
  Tensor value;
  std::vector<Tensor> grads;
};

Run run_on(Device device, DType dtype, const OpCase& c) {
  DeviceGuard guard(device);
  std::vector<Variable> x;
  for (const Tensor& t : c.inputs)
    x.emplace_back(t.to(device).to(dtype), true);
  const Variable y = c.f(x);
  EXPECT_EQ(y.value().device(), device) << c.name;
  sum(mul(y, Variable(autograd_checks::random_tensor(y.shape(), dtype, 77)))).backward();
  Run run{y.value(), {}};
  for (const Variable& v : x)
    run.grads.push_back(v.has_grad() ? v.grad() : Tensor::zeros_like(v.value()));
  return run;
}

void expect_near(const Tensor& cpu, const Tensor& reference, double tolerance,
                 const std::string& what) {
  ASSERT_EQ(cpu.shape(), reference.shape()) << what;
  for (std::int64_t i = 0; i < cpu.size(); ++i)
    EXPECT_LE(std::abs(cpu.at(i) - reference.at(i)), tolerance * (1 + std::abs(reference.at(i))))
        << what << "[" << i << "]: cpu " << cpu.at(i) << ", reference " << reference.at(i);
}

void expect_backends_agree(DType dtype, double tolerance) {
  for (const OpCase& c : cases()) {
    const Run cpu = run_on(Device::cpu, dtype, c);
    const Run reference = run_on(Device::reference, dtype, c);
    expect_near(cpu.value, reference.value, tolerance, c.name + " value");
    for (std::size_t i = 0; i < cpu.grads.size(); ++i)
      expect_near(cpu.grads[i], reference.grads[i], tolerance,
                  c.name + " gradient of input " + std::to_string(i));
  }
}

// float32: the fast backward kernels training runs, against double computations rounded once.
TEST(Backend, EveryOpAgreesWithTheReferenceInFloat32) {
  expect_backends_agree(DType::f32, 2e-6);
}

// float64: the differentiable rules on both backends.
TEST(Backend, EveryOpAgreesWithTheReferenceInFloat64) {
  expect_backends_agree(DType::f64, 1e-13);
}

// A view computes nothing and shares its input's storage; every other op computes on the
// reference kernels.
TEST(Backend, EveryOpRunsOnTheReferenceKernels) {
  for (const OpCase& c : cases()) {
    DeviceGuard guard(Device::reference);
    std::vector<Variable> x;
    for (const Tensor& t : c.inputs)
      x.emplace_back(t.to(Device::reference).to(DType::f32), true);
    const std::uint64_t before = reference_kernel_calls();
    const Variable y = c.f(x);
    const std::uint64_t after_forward = reference_kernel_calls();
    if (c.view) {
      EXPECT_EQ(after_forward, before) << c.name << ": a view ran a kernel";
      EXPECT_TRUE(y.stored_value().shares_storage_with(x[0].value())) << c.name << " copied";
    } else {
      EXPECT_GT(after_forward, before) << c.name << ": its forward ran no reference kernel";
    }
    Variable(y).backward(Tensor(y.shape(), 1.0f).to(Device::reference));
    EXPECT_GT(reference_kernel_calls(), after_forward)
        << c.name << ": its backward ran no reference kernel";
  }
}

TEST(Backend, NewTensorsFollowTheDefaultDevice) {
  DeviceGuard cpu(Device::cpu);
  EXPECT_EQ(Tensor({2}).device(), Device::cpu);
  {
    DeviceGuard guard(Device::reference);
    EXPECT_EQ(Tensor({2}).device(), Device::reference);
    EXPECT_EQ(Tensor({2}).to(Device::cpu).device(), Device::cpu);
  }
  EXPECT_EQ(Tensor({2}).device(), Device::cpu);
}

TEST(Backend, InputsOnTwoDevicesAreRefusedByName) {
  const Variable a(Tensor({2}, {1.0f, 2.0f}).to(Device::cpu));
  const Variable b(Tensor({2}, {3.0f, 4.0f}).to(Device::reference));
  try {
    add(a, b);
    FAIL() << "mixed devices were accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "add: inputs on devices cpu and reference");
  }
}

}  // namespace
}  // namespace descent
