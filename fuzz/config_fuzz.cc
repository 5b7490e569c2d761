// Fuzzes the configuration loader: any YAML must load or be rejected with a
// message naming the key, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  lode::server::Config cfg;
  lode::Status s = lode::server::ApplyConfigYaml(yaml, &cfg);
  if (s.ok()) (void)lode::server::ConfigToYaml(cfg);
  return 0;
}
