// Putting text and data into an HTML page safely: whatever a user named a run directory or wrote
// into a configuration ("<script>alert(1)</script>" included) appears as text, never as markup.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace descent {

// `text` with & < > " ' replaced by character references: safe in element content and in quoted
// attribute values.
std::string html_escape(std::string_view text);

// `value` as JSON text for a <script type="application/json"> element: < > & are written as
// \u003c \u003e \u0026 (still the same JSON), so no "</script>" or "<!--" in the data can end or
// change the element. Invalid UTF-8 in strings is replaced (U+FFFD) rather than rejected.
std::string json_for_script(const nlohmann::json& value);

}  // namespace descent
