// Local rule storage (rule_store.h).

#include "ruler/rule_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/labels.h"

namespace lode::ruler {
namespace fs = std::filesystem;

namespace {

bool NsOfFile(const std::string& file, std::string* ns) {
  if (file.empty() || file[0] == '.') return false;
  for (const char* ext : {".yaml", ".yml"}) {
    size_t n = strlen(ext);
    if (file.size() > n && file.compare(file.size() - n, n, ext) == 0) {
      *ns = file.substr(0, file.size() - n);
      return true;
    }
  }
  return false;
}

Status ReadText(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status::OK();
}

Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return Status::IOError("open " + path + ": " + strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync " + path + ": " + strerror(errno));
  return Status::OK();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp =
      fs::path(path).parent_path().string() + "/." + fs::path(path).filename().string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::IOError("create " + tmp + ": " + strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return Status::IOError("write " + tmp + ": " + strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Status::IOError("fsync " + tmp + ": " + strerror(errno));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::IOError("rename " + tmp + ": " + strerror(errno));
  return FsyncPath(fs::path(path).parent_path().string(), O_RDONLY | O_DIRECTORY);
}

Status RuleStore::CheckName(const std::string& what, const std::string& name) {
  if (name.empty() || name.size() > 200 || name[0] == '.' || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return Status::InvalidArgument("invalid " + what + " name: " + GoQuote(name));
  }
  return Status::OK();
}

std::string RuleStore::PathOf(const std::string& tenant, const std::string& ns) const {
  return dir_ + "/" + tenant + "/" + ns + ".yaml";
}

Namespaces RuleStore::Load(const std::string& tenant, std::vector<LoadError>* errors) const {
  Namespaces out;
  std::error_code ec;
  fs::path tdir = fs::path(dir_) / tenant;
  if (!fs::is_directory(tdir, ec)) return out;
  for (const auto& ent : fs::directory_iterator(tdir, ec)) {
    std::string ns;
    if (!ent.is_regular_file(ec) || !NsOfFile(ent.path().filename().string(), &ns)) continue;
    std::string text;
    RuleFile f;
    Status s = ReadText(ent.path().string(), &text);
    if (s.ok()) s = ParseRuleFile(text, ent.path().string(), &f);
    if (!s.ok()) {
      if (errors) errors->push_back({ent.path().string(), s.message()});
      continue;
    }
    out[ns] = std::move(f);
  }
  return out;
}

std::map<std::string, Namespaces> RuleStore::LoadAll(std::vector<LoadError>* errors) const {
  std::map<std::string, Namespaces> out;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return out;
  for (const auto& ent : fs::directory_iterator(dir_, ec)) {
    std::string tenant = ent.path().filename().string();
    if (!ent.is_directory(ec) || tenant.empty() || tenant[0] == '.') continue;
    Namespaces n = Load(tenant, errors);
    if (!n.empty()) out[tenant] = std::move(n);
  }
  return out;
}

Status RuleStore::ReadNs(const std::string& tenant, const std::string& ns, RuleFile* f,
                         bool* exists) const {
  std::string path = PathOf(tenant, ns);
  std::error_code ec;
  *exists = fs::exists(path, ec);
  if (!*exists) return Status::OK();
  std::string text;
  LODE_RETURN_IF_ERROR(ReadText(path, &text));
  return ParseRuleFile(text, path, f);
}

Status RuleStore::WriteNs(const std::string& tenant, const std::string& ns, const RuleFile& f) {
  std::error_code ec;
  fs::path tdir = fs::path(dir_) / tenant;
  bool existed = fs::is_directory(tdir, ec);
  fs::create_directories(tdir, ec);
  if (ec) return Status::IOError("mkdir " + tdir.string() + ": " + ec.message());
  if (!existed) LODE_RETURN_IF_ERROR(FsyncPath(dir_, O_RDONLY | O_DIRECTORY));
  return WriteFileAtomic(PathOf(tenant, ns), FileToYaml(f));
}

Status RuleStore::SetGroup(const std::string& tenant, const std::string& ns, const RuleGroup& g) {
  LODE_RETURN_IF_ERROR(CheckName("namespace", ns));
  if (g.rules.size() > kMaxRulesPerGroup) {
    return Status::InvalidArgument(
        "per-user rules per rule group limit (limit: " + std::to_string(kMaxRulesPerGroup) +
        " actual: " + std::to_string(g.rules.size()) + ") exceeded");
  }
  std::lock_guard<std::mutex> l(mu_);
  RuleFile f;
  bool exists;
  LODE_RETURN_IF_ERROR(ReadNs(tenant, ns, &f, &exists));
  if (!exists && Load(tenant, nullptr).size() >= kMaxNamespacesPerTenant) {
    return Status::InvalidArgument("per-user rule namespaces limit (limit: " +
                                   std::to_string(kMaxNamespacesPerTenant) + ") exceeded");
  }
  bool replaced = false;
  for (auto& og : f.groups) {
    if (og.name == g.name) {
      og = g;
      replaced = true;
    }
  }
  if (!replaced) {
    if (f.groups.size() >= kMaxGroupsPerNamespace) {
      return Status::InvalidArgument("per-user rule groups per namespace limit (limit: " +
                                     std::to_string(kMaxGroupsPerNamespace) + ") exceeded");
    }
    f.groups.push_back(g);
  }
  return WriteNs(tenant, ns, f);
}

Status RuleStore::DeleteGroup(const std::string& tenant, const std::string& ns,
                              const std::string& group) {
  LODE_RETURN_IF_ERROR(CheckName("namespace", ns));
  std::lock_guard<std::mutex> l(mu_);
  RuleFile f;
  bool exists;
  LODE_RETURN_IF_ERROR(ReadNs(tenant, ns, &f, &exists));
  size_t before = f.groups.size();
  std::erase_if(f.groups, [&](const RuleGroup& g) { return g.name == group; });
  if (!exists || f.groups.size() == before) return Status::NotFound("group does not exist");
  if (f.groups.empty()) {
    std::error_code ec;
    fs::remove(PathOf(tenant, ns), ec);
    return FsyncPath(dir_ + "/" + tenant, O_RDONLY | O_DIRECTORY);
  }
  return WriteNs(tenant, ns, f);
}

Status RuleStore::DeleteNamespace(const std::string& tenant, const std::string& ns) {
  LODE_RETURN_IF_ERROR(CheckName("namespace", ns));
  std::lock_guard<std::mutex> l(mu_);
  std::error_code ec;
  if (!fs::remove(PathOf(tenant, ns), ec)) {
    if (!fs::remove(dir_ + "/" + tenant + "/" + ns + ".yml", ec))
      return Status::NotFound("namespace does not exist");
  }
  return FsyncPath(dir_ + "/" + tenant, O_RDONLY | O_DIRECTORY);
}

}  // namespace lode::ruler
