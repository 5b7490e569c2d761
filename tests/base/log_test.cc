// base/log.h: no text can make a log record span lines or forge another.
#include "base/log.h"

#include <gtest/gtest.h>

namespace lode {
namespace {

TEST(LogTest, EscapeLogTextKeepsEveryRecordOnOneLine) {
  EXPECT_EQ(EscapeLogText("plain text, ünïcode ok"), "plain text, ünïcode ok");
  EXPECT_EQ(EscapeLogText("a\nlode: forged record"), "a\\nlode: forged record");
  EXPECT_EQ(EscapeLogText("cr\rtab\tbs\\"), "cr\\rtab\\tbs\\\\");
  EXPECT_EQ(EscapeLogText(std::string("nul\0esc\x1b del\x7f", 13)), "nul\\x00esc\\x1b del\\x7f");
  EXPECT_EQ(EscapeLogText("bad \xff\xc3 utf8"), "bad \\xff\\xc3 utf8");
  EXPECT_EQ(EscapeLogText("nel\xc2\x85ls\xe2\x80\xa8ps\xe2\x80\xa9"),
            "nel\\u0085ls\\u2028ps\\u2029");
  // Every byte value: the result never holds a line break of any kind.
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string e = EscapeLogText(all);
  EXPECT_EQ(e.find('\n'), std::string::npos);
  EXPECT_EQ(e.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace lode
