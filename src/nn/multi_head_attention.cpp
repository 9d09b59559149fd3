#include "nn/multi_head_attention.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"
#include "nn/initializer.h"

namespace descent {
namespace {

// x (batch, time, in) · kernel (in, out) + bias as one dense product over the batch's rows.
Variable project(const Variable& x, const Variable& kernel, const Variable& bias) {
  const Shape& s = x.shape();
  const Variable rows = reshape(x, {s[0] * s[1], s[2]});
  return reshape(dense(rows, kernel, bias), {s[0], s[1], kernel.shape()[1]});
}

// (batch, time, heads · d) -> (batch, heads, time, d), a view.
Variable split_heads(const Variable& x, std::int64_t heads) {
  const Shape& s = x.shape();
  return permute(reshape(x, {s[0], s[1], heads, s[2] / heads}), {0, 2, 1, 3});
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(std::int64_t num_heads, MultiHeadAttentionOptions options)
    : num_heads_(num_heads), options_(std::move(options)) {
  if (num_heads_ <= 0)
    throw InvalidArgument(
        fmt::format("MultiHeadAttention: num_heads must be > 0, got {}", num_heads_));
  if (!std::isfinite(options_.dropout) || options_.dropout < 0.0f || options_.dropout >= 1.0f)
    throw InvalidArgument(
        fmt::format("MultiHeadAttention: dropout must be in [0, 1), got {}", options_.dropout));
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan MultiHeadAttention::plan(const Shape& input_shape) const {
  if (input_shape.size() != 2)
    throw InvalidArgument(
        fmt::format("MultiHeadAttention expects inputs of shape (time, features), got {}",
                    shape_string(input_shape)));
  const std::int64_t e = input_shape[1];
  if (e % num_heads_ != 0)
    throw InvalidArgument(fmt::format(
        "MultiHeadAttention: the input's {} features do not divide into {} heads", e, num_heads_));
  const double weights = 4.0 * double(e) * double(e);
  // q, k, v and the joined heads (time × features each); scores and their softmax per head.
  const double time = double(input_shape[0]);
  const double intermediates = 4.0 * time * double(e) + 2.0 * double(num_heads_) * time * time;
  return {input_shape, options_.use_bias ? weights + 4.0 * double(e) : weights, intermediates};
}

Shape MultiHeadAttention::build(const Shape& input_shape, Rng& rng) {
  plan(input_shape);
  const std::int64_t e = input_shape[1];
  const auto weight = [&](Initializer::Kind kind, const Shape& fan_shape) {
    Tensor w({e, e});
    Initializer{kind}.fill(w, rng, fan_shape);
    return Variable(std::move(w), true);
  };
  const auto bias = [&] { return options_.use_bias ? Variable(Tensor({e}), true) : Variable(); };
  // PyTorch packs the three input kernels into one (3E, E) matrix; its xavier bound uses that.
  query_kernel_ = weight(Initializer::Kind::glorot_uniform, {e, 3 * e});
  key_kernel_ = weight(Initializer::Kind::glorot_uniform, {e, 3 * e});
  value_kernel_ = weight(Initializer::Kind::glorot_uniform, {e, 3 * e});
  output_kernel_ = weight(Initializer::Kind::torch_uniform, {e, e});
  query_bias_ = bias();
  key_bias_ = bias();
  value_bias_ = bias();
  output_bias_ = bias();
  rng_ = rng.split();
  return input_shape;
}

Variable MultiHeadAttention::forward(const Variable& x, bool training) {
  return attend(x, x, x, training);
}

Variable MultiHeadAttention::attend(const Variable& query, const Variable& key,
                                    const Variable& value, bool training) {
  const std::int64_t e = query_kernel_.shape()[0];
  const Shape &q = query.shape(), &k = key.shape(), &v = value.shape();
  if (q.size() != 3 || k.size() != 3 || v.size() != 3 || q[2] != e || k[2] != e || v[2] != e ||
      k[0] != q[0] || v[0] != q[0] || v[1] != k[1])
    throw InvalidArgument(fmt::format(
        "{}: expected query (batch, time, {}) and key and value (batch, source time, {}), got "
        "{}, {} and {}",
        name(), e, e, shape_string(q), shape_string(k), shape_string(v)));
  const double scale = 1.0 / std::sqrt(double(e / num_heads_));
  // q is scaled rather than the scores, as PyTorch does: fewer values once time > head size.
  const Variable qh =
      split_heads(mul(project(query, query_kernel_, query_bias_), scale), num_heads_);
  const Variable kh = split_heads(project(key, key_kernel_, key_bias_), num_heads_);
  const Variable vh = split_heads(project(value, value_kernel_, value_bias_), num_heads_);
  const Variable scores = matmul(qh, kh, false, true);  // (batch, heads, time, source time)
  const Variable weights = dropout(options_.causal ? causal_softmax(scores) : softmax(scores, -1),
                                   options_.dropout, training, rng_);
  const Variable heads = permute(matmul(weights, vh), {0, 2, 1, 3});  // (batch, time, heads, d)
  return project(reshape(heads, {q[0], q[1], e}), output_kernel_, output_bias_);
}

std::vector<Parameter> MultiHeadAttention::parameters() {
  std::vector<Parameter> out;
  const auto add = [&](const char* what, const Variable& v) {
    if (v.defined()) out.push_back({fmt::format("{}/{}", name(), what), v});
  };
  add("query_kernel", query_kernel_);
  add("query_bias", query_bias_);
  add("key_kernel", key_kernel_);
  add("key_bias", key_bias_);
  add("value_kernel", value_kernel_);
  add("value_bias", value_bias_);
  add("output_kernel", output_kernel_);
  add("output_bias", output_bias_);
  return out;
}

nlohmann::json MultiHeadAttention::config() const {
  nlohmann::json c = {{"type", type()},
                      {"num_heads", num_heads_},
                      {"use_bias", options_.use_bias},
                      {"dropout", options_.dropout},
                      {"causal", options_.causal}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
