// Fuzzes the label-string parser ({a="b", ...}) and the round trip through
// LabelsToString.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  lode::Labels ls;
  if (!lode::ParseLabels(text, &ls).ok()) return 0;
  std::string s = lode::LabelsToString(ls);
  lode::Labels again;
  if (!lode::ParseLabels(s, &again).ok()) __builtin_trap();  // what is printed must parse again
  return 0;
}
