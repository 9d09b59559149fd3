#include "optim/schedule/children_state.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

nlohmann::json children_state(const std::vector<std::unique_ptr<Schedule>>& children) {
  auto out = nlohmann::json::array();
  for (const auto& child : children)
    out.push_back(child->state_dict().meta);
  return out;
}

void load_children_state(std::string_view composite,
                         const std::vector<std::unique_ptr<Schedule>>& children,
                         const nlohmann::json& meta) {
  if (!meta.contains("children") || !meta["children"].is_array() ||
      meta["children"].size() != children.size()) {
    throw InvalidArgument(
        fmt::format("{}: state_dict needs 'children' with {} entries", composite, children.size()));
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    StateDict child;
    child.meta = meta["children"][i];
    children[i]->load_state_dict(child);
  }
}

}  // namespace descent
