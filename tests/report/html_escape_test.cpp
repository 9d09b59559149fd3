#include "report/html_escape.h"

#include <cmath>

#include <gtest/gtest.h>

namespace descent {
namespace {

TEST(HtmlEscape, ReplacesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("<script>alert(\"x\") & 'y'</script>"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
}

TEST(HtmlEscape, LeavesOtherTextAlone) {
  EXPECT_EQ(html_escape("η = 0.01, 2/λmax"), "η = 0.01, 2/λmax");
  EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlEscape, EscapesAlreadyEscapedTextAgain) {
  EXPECT_EQ(html_escape("&lt;"), "&amp;lt;");
}

TEST(JsonForScript, NoTagCanEndTheScriptElement) {
  const nlohmann::json value = {{"label", "</script><script>alert(1)</script>"},
                                {"comment", "<!-- <script>"},
                                {"amp", "a & b > c"}};
  const std::string text = json_for_script(value);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos) << text;
  EXPECT_EQ(text.find('&'), std::string::npos) << text;
  EXPECT_NE(text.find("\\u003c/script\\u003e"), std::string::npos) << text;
  EXPECT_EQ(nlohmann::json::parse(text), value);
}

TEST(JsonForScript, NonFiniteNumbersBecomeNull) {
  EXPECT_EQ(json_for_script({1.5, std::nan(""), 2}), "[1.5,null,2]");
}

TEST(JsonForScript, InvalidUtf8IsReplacedNotRejected) {
  const std::string text = json_for_script({{"name", std::string("bad \xff byte")}});
  EXPECT_NE(text.find("bad "), std::string::npos);
  EXPECT_TRUE(nlohmann::json::accept(text));
}

}  // namespace
}  // namespace descent
