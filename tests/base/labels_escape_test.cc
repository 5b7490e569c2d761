// LabelsEscapeTest: escapes in label strings from clients are parse errors
// when malformed, never exceptions (found by fuzz/labels_fuzz).

#include <gtest/gtest.h>

#include "base/labels.h"

namespace lode {
namespace {

TEST(LabelsEscapeTest, MalformedEscapesAreErrorsNotExceptions) {
  Labels ls;
  EXPECT_FALSE(ParseLabels(R"({a="\UUUUUUUUU"})", &ls).ok());
  EXPECT_FALSE(ParseLabels(R"({a="\u12G4"})", &ls).ok());
  EXPECT_FALSE(ParseLabels(R"({a="\xZZ"})", &ls).ok());
  EXPECT_FALSE(ParseLabels(R"({a="\U00110000"})", &ls).ok());  // beyond Unicode
  EXPECT_FALSE(ParseLabels(R"({a="\uD800"})", &ls).ok());      // a surrogate
  ASSERT_TRUE(ParseLabels(R"({a="\u00e9\x41\U0001F600"})", &ls).ok());
  EXPECT_EQ(ls[0].value,
            "\xc3\xa9"
            "A"
            "\xf0\x9f\x98\x80");
}

}  // namespace
}  // namespace lode
