// Rule storage in Loki's local layout: DIR/<tenant>/<namespace>.yaml, each a
// rule file (rules_file.h). Files may be dropped in by hand; the API writes
// them atomically (temporary file, fsync, rename, fsync of the directory), so
// a change survives kill -9 and a reader never sees half a file.
//
// Bounds: namespaces and tenants are 1..200 bytes without '/', NUL or a
// leading '.'; at most kMaxGroupsPerNamespace groups per namespace and
// kMaxNamespacesPerTenant namespaces per tenant are written through the API.
// Thread-safe: writes are serialized by a mutex.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "ruler/rules_file.h"

namespace lode::ruler {

constexpr size_t kMaxGroupsPerNamespace = 100;
constexpr size_t kMaxNamespacesPerTenant = 1000;
constexpr size_t kMaxRulesPerGroup = 1000;

// namespace -> its rule file
using Namespaces = std::map<std::string, RuleFile>;

// A file that failed to load.
struct LoadError {
  std::string path;
  std::string message;
};

class RuleStore {
 public:
  explicit RuleStore(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  // Every tenant's rules. Files that fail to parse are left out and
  // reported in *errors (the rest still load).
  std::map<std::string, Namespaces> LoadAll(std::vector<LoadError>* errors) const;

  // One tenant's rules (errors as above).
  Namespaces Load(const std::string& tenant, std::vector<LoadError>* errors) const;

  // Adds or replaces group `g` (by name) in the namespace.
  Status SetGroup(const std::string& tenant, const std::string& ns, const RuleGroup& g);
  // Removes a group; kNotFound when absent. An emptied namespace is removed.
  Status DeleteGroup(const std::string& tenant, const std::string& ns, const std::string& group);
  // Removes a namespace; kNotFound when absent.
  Status DeleteNamespace(const std::string& tenant, const std::string& ns);

  static Status CheckName(const std::string& what, const std::string& name);

 private:
  std::string PathOf(const std::string& tenant, const std::string& ns) const;
  Status ReadNs(const std::string& tenant, const std::string& ns, RuleFile* f, bool* exists) const;
  Status WriteNs(const std::string& tenant, const std::string& ns, const RuleFile& f);

  std::string dir_;
  std::mutex mu_;
};

// Writes `data` to `path` atomically and durably (temp + fsync + rename +
// fsync of the directory).
Status WriteFileAtomic(const std::string& path, const std::string& data);

}  // namespace lode::ruler
