// oneDNN's convolution primitives, created once per convolution shape and direction and kept:
// creating one costs milliseconds, running one for a small network's layer tens of microseconds.
#include "core/backend/cpu/onednn_conv.h"

#include <omp.h>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/tensor.h"

namespace descent::cpu {
namespace {

enum class Direction { forward, forward_bias, input_grad, weight_grad, weight_and_bias_grad };

// The primitive's own layouts (format_tag::any) with a reorder to and from the plain tensors
// around each call, rather than plain NCHW given to the primitive: for NCHW oneDNN falls back on
// its own im2col + GEMM, while the blocked layouts (nChw16c) get its direct AVX-512 kernels.
constexpr bool kBlockedLayout = true;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// One operand as the caller holds it (dense NCHW / OIHW) and as the primitive wants it, with the
// reorder between the two when they differ: into the primitive's layout for an input, back out of
// it for an output.
struct Operand {
  dnnl::memory::desc plain, inner;
  std::optional<dnnl::reorder> reorder;
  dnnl::memory::desc reorder_scratchpad;
};

// A reorder whose scratchpad, like the convolutions', is the caller's, so it too may run on
// several threads at once.
void set_reorder(Operand& o, const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::reorder::primitive_desc pd(cpu_engine(), from, cpu_engine(), to, attr);
  o.reorder.emplace(pd);
  o.reorder_scratchpad = pd.scratchpad_desc();
}

Operand input_operand(const dnnl::memory::desc& plain, const dnnl::memory::desc& inner) {
  Operand o{plain, inner, std::nullopt, {}};
  if (plain != inner) set_reorder(o, plain, inner);
  return o;
}

Operand output_operand(const dnnl::memory::desc& plain, const dnnl::memory::desc& inner) {
  Operand o{plain, inner, std::nullopt, {}};
  if (plain != inner) set_reorder(o, inner, plain);
  return o;
}

// A ready primitive: its operands by execution argument (DNNL_ARG_SRC, ...) and its scratchpad's
// size. The scratchpad is the caller's (scratchpad_mode::user), so one primitive may run on
// several threads at once (the sweep trains runs side by side) and its memory comes from the
// buffer pool like every other tensor's.
struct Plan {
  dnnl::primitive primitive;
  std::map<int, Operand> inputs, outputs;
  dnnl::memory::desc scratchpad;
};

dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims, dnnl::memory::format_tag tag) {
  return {dims, dnnl::memory::data_type::f32, tag};
}

dnnl::memory::desc inner_desc(const dnnl::memory::dims& dims, dnnl::memory::format_tag tag) {
  return {dims, dnnl::memory::data_type::f32, kBlockedLayout ? dnnl::memory::format_tag::any : tag};
}

std::unique_ptr<Plan> make_plan(const Conv2dDims& g, Direction direction) {
  using tag = dnnl::memory::format_tag;
  const dnnl::memory::dims src{g.batch, g.in_c, g.in_h, g.in_w};
  const dnnl::memory::dims weights{g.out_c, g.in_c, g.kh, g.kw};
  const dnnl::memory::dims dst{g.batch, g.out_c, g.out_h, g.out_w};
  const dnnl::memory::dims bias{g.out_c};
  const dnnl::memory::dims strides{g.stride, g.stride};
  const dnnl::memory::dims padding_l{g.pad_top, g.pad_left};
  // The zeros after the last row and column, which Conv2dDims shows only through out_h and out_w
  // ("same" padding may put more after than before). Negative, above -stride, where the last
  // rows of the input reach no output; oneDNN accepts that.
  const dnnl::memory::dims padding_r{(g.out_h - 1) * g.stride + g.kh - g.in_h - g.pad_top,
                                     (g.out_w - 1) * g.stride + g.kw - g.in_w - g.pad_left};
  const bool with_bias =
      direction == Direction::forward_bias || direction == Direction::weight_and_bias_grad;
  const dnnl::memory::desc bias_md = with_bias ? plain_desc(bias, tag::x) : dnnl::memory::desc();

  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // The backward primitives are made from the forward one's description (oneDNN's "hint").
  const dnnl::convolution_forward::primitive_desc forward(
      dnnl::convolution_forward::desc(
          dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
          inner_desc(src, tag::nchw), inner_desc(weights, tag::oihw), bias_md,
          inner_desc(dst, tag::nchw), strides, padding_l, padding_r),
      attr, cpu_engine());

  auto plan = std::make_unique<Plan>();
  switch (direction) {
    case Direction::forward:
    case Direction::forward_bias:
      plan->primitive = dnnl::convolution_forward(forward);
      plan->inputs.emplace(DNNL_ARG_SRC,
                           input_operand(plain_desc(src, tag::nchw), forward.src_desc()));
      plan->inputs.emplace(DNNL_ARG_WEIGHTS,
                           input_operand(plain_desc(weights, tag::oihw), forward.weights_desc()));
      if (with_bias) plan->inputs.emplace(DNNL_ARG_BIAS, input_operand(bias_md, bias_md));
      plan->outputs.emplace(DNNL_ARG_DST,
                            output_operand(plain_desc(dst, tag::nchw), forward.dst_desc()));
      plan->scratchpad = forward.scratchpad_desc();
      break;
    case Direction::input_grad: {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(
              dnnl::algorithm::convolution_direct, inner_desc(src, tag::nchw),
              inner_desc(weights, tag::oihw), inner_desc(dst, tag::nchw), strides, padding_l,
              padding_r),
          attr, cpu_engine(), forward);
      plan->primitive = dnnl::convolution_backward_data(pd);
      plan->inputs.emplace(DNNL_ARG_DIFF_DST,
                           input_operand(plain_desc(dst, tag::nchw), pd.diff_dst_desc()));
      plan->inputs.emplace(DNNL_ARG_WEIGHTS,
                           input_operand(plain_desc(weights, tag::oihw), pd.weights_desc()));
      plan->outputs.emplace(DNNL_ARG_DIFF_SRC,
                            output_operand(plain_desc(src, tag::nchw), pd.diff_src_desc()));
      plan->scratchpad = pd.scratchpad_desc();
      break;
    }
    case Direction::weight_grad:
    case Direction::weight_and_bias_grad: {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(
              dnnl::algorithm::convolution_direct, inner_desc(src, tag::nchw),
              inner_desc(weights, tag::oihw), bias_md, inner_desc(dst, tag::nchw), strides,
              padding_l, padding_r),
          attr, cpu_engine(), forward);
      plan->primitive = dnnl::convolution_backward_weights(pd);
      plan->inputs.emplace(DNNL_ARG_SRC, input_operand(plain_desc(src, tag::nchw), pd.src_desc()));
      plan->inputs.emplace(DNNL_ARG_DIFF_DST,
                           input_operand(plain_desc(dst, tag::nchw), pd.diff_dst_desc()));
      plan->outputs.emplace(DNNL_ARG_DIFF_WEIGHTS,
                            output_operand(plain_desc(weights, tag::oihw), pd.diff_weights_desc()));
      if (with_bias) plan->outputs.emplace(DNNL_ARG_DIFF_BIAS, output_operand(bias_md, bias_md));
      plan->scratchpad = pd.scratchpad_desc();
      break;
    }
  }
  return plan;
}

// The plans made so far, by shape, direction and thread count: oneDNN splits the work for the
// thread count it sees when the primitive is made, so a primitive runs with that count only
// (set_num_threads may change it, and the sweep's runs have one thread each).
const Plan& plan_for(const Conv2dDims& g, Direction direction) {
  using Key = std::array<std::int64_t, 14>;
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<Plan>> plans;
  const Key key{g.batch,
                g.in_c,
                g.in_h,
                g.in_w,
                g.out_c,
                g.kh,
                g.kw,
                g.out_h,
                g.out_w,
                g.stride,
                g.pad_top,
                g.pad_left,
                static_cast<std::int64_t>(direction),
                omp_get_max_threads()};
  const std::lock_guard lock(mutex);
  std::unique_ptr<Plan>& plan = plans[key];
  if (!plan) plan = make_plan(g, direction);
  return *plan;
}

// A pooled buffer of at least `bytes`.
void* pooled(Tensor& buffer, std::size_t bytes) {
  buffer.resize({static_cast<std::int64_t>((bytes + sizeof(float) - 1) / sizeof(float))},
                DType::f32);
  return buffer.data<float>();
}

dnnl::stream& this_thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

// Runs the operand's reorder from one memory to the other, with a pooled scratchpad if it needs
// one.
void run_reorder(const Operand& operand, dnnl::memory& from, dnnl::memory& to) {
  dnnl::stream& stream = this_thread_stream();
  if (operand.reorder_scratchpad.get_size() == 0) {
    operand.reorder->execute(stream, from, to);
    return;
  }
  Tensor scratchpad;
  operand.reorder->execute(
      stream, {{DNNL_ARG_FROM, from},
               {DNNL_ARG_TO, to},
               {DNNL_ARG_SCRATCHPAD,
                dnnl::memory(operand.reorder_scratchpad, cpu_engine(),
                             pooled(scratchpad, operand.reorder_scratchpad.get_size()))}});
  stream.wait();
}

// The caller's input in the primitive's layout, in `buffer` (pooled).
dnnl::memory reordered_input(const Operand& operand, const float* data, Tensor& buffer) {
  dnnl::memory plain(operand.plain, cpu_engine(), const_cast<float*>(data));
  dnnl::memory inner(operand.inner, cpu_engine(), pooled(buffer, operand.inner.get_size()));
  run_reorder(operand, plain, inner);
  return inner;
}

// Runs the plan on the caller's buffers (by execution argument): an operand whose layout is the
// primitive's is used in place, any other goes through a pooled buffer and its reorder. `ready`:
// inputs already reordered, which another primitive of the same call shares.
void run(const Plan& plan, const std::map<int, const float*>& inputs,
         const std::map<int, float*>& outputs,
         const std::unordered_map<int, dnnl::memory>& ready = {}) {
  dnnl::stream& stream = this_thread_stream();
  // Pooled buffers for the reordered operands and the scratchpad, held until the run is over.
  std::array<Tensor, 6> buffers;
  std::size_t used = 0;
  std::unordered_map<int, dnnl::memory> args;
  for (const auto& [arg, operand] : plan.inputs) {
    if (const auto it = ready.find(arg); it != ready.end())
      args.emplace(arg, it->second);
    else if (operand.reorder)
      args.emplace(arg, reordered_input(operand, inputs.at(arg), buffers[used++]));
    else
      args.emplace(arg,
                   dnnl::memory(operand.plain, cpu_engine(), const_cast<float*>(inputs.at(arg))));
  }
  for (const auto& [arg, operand] : plan.outputs)
    args.emplace(arg, operand.reorder
                          ? dnnl::memory(operand.inner, cpu_engine(),
                                         pooled(buffers[used++], operand.inner.get_size()))
                          : dnnl::memory(operand.plain, cpu_engine(), outputs.at(arg)));
  if (plan.scratchpad.get_size() > 0)
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 dnnl::memory(plan.scratchpad, cpu_engine(),
                              pooled(buffers[used++], plan.scratchpad.get_size())));
  plan.primitive.execute(stream, args);
  for (const auto& [arg, operand] : plan.outputs)
    if (operand.reorder) {
      dnnl::memory plain(operand.plain, cpu_engine(), outputs.at(arg));
      run_reorder(operand, args.at(arg), plain);
    }
  stream.wait();
}

}  // namespace

void onednn_conv2d(const Conv2dDims& g, const float* x, const float* w, const float* bias,
                   float* y) {
  if (bias)
    run(plan_for(g, Direction::forward_bias),
        {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, bias}}, {{DNNL_ARG_DST, y}});
  else
    run(plan_for(g, Direction::forward), {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}},
        {{DNNL_ARG_DST, y}});
}

void onednn_conv2d_input_grad(const Conv2dDims& g, const float* dy, const float* w, float* dx) {
  run(plan_for(g, Direction::input_grad), {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, w}},
      {{DNNL_ARG_DIFF_SRC, dx}});
}

void onednn_conv2d_weight_grad(const Conv2dDims& g, const float* x, const float* dy, float* dw,
                               float* db) {
  if (db)
    run(plan_for(g, Direction::weight_and_bias_grad), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}},
        {{DNNL_ARG_DIFF_WEIGHTS, dw}, {DNNL_ARG_DIFF_BIAS, db}});
  else
    run(plan_for(g, Direction::weight_grad), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}},
        {{DNNL_ARG_DIFF_WEIGHTS, dw}});
}

void onednn_conv2d_backward(const Conv2dDims& g, const float* x, const float* w, const float* dy,
                            float* dx, float* dw, float* db) {
  const Plan* data = dx ? &plan_for(g, Direction::input_grad) : nullptr;
  const Plan* weights =
      dw ? &plan_for(g, db ? Direction::weight_and_bias_grad : Direction::weight_grad) : nullptr;
  // dy reordered once when both primitives read it in the same layout.
  Tensor dy_buffer;
  std::unordered_map<int, dnnl::memory> ready;
  if (data && weights) {
    const Operand& a = data->inputs.at(DNNL_ARG_DIFF_DST);
    if (a.reorder && a.inner == weights->inputs.at(DNNL_ARG_DIFF_DST).inner)
      ready.emplace(DNNL_ARG_DIFF_DST, reordered_input(a, dy, dy_buffer));
  }
  if (data)
    run(*data, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, w}}, {{DNNL_ARG_DIFF_SRC, dx}}, ready);
  if (weights) {
    std::map<int, float*> outputs{{DNNL_ARG_DIFF_WEIGHTS, dw}};
    if (db) outputs.emplace(DNNL_ARG_DIFF_BIAS, db);
    run(*weights, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}}, outputs, ready);
  }
}

}  // namespace descent::cpu
