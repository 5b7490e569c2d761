// LabelsBuilder: the mutable label state of one log line while it runs
// through a pipeline, with Loki's label categories (pkg/logql/log/labels.go).
//
// The base is the stream's label set. Stages add labels in one of three
// categories (stream, structured metadata, parsed), delete labels, and set
// the error pair `__error__` / `__error_details__`, which live outside the
// categories and are appended as parsed labels to results. A name exists in
// at most one category: parsed wins over metadata, which wins over stream.
//
// Result() / GroupedResult() return interned ResultLabels: equal label sets
// (by name and value) give the same object for the life of the builder, so
// a line whose labels repeat the previous line's costs no allocation. As in
// Loki's result cache, the category split is the one of the first line that
// produced the set.
//
// Storage is reused between lines: after warm-up, Reset() and the Set/Del
// calls of a typical line do not allocate. Values passed to Set() must not
// point into this builder's own storage (copy them first).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/labels.h"
#include "logql/log/pipeline.h"

namespace lode::logql {

enum class LabelCategory : uint8_t { kStream = 0, kMetadata = 1, kParsed = 2 };

inline constexpr std::string_view kErrorLabel = "__error__";
inline constexpr std::string_view kErrorDetailsLabel = "__error_details__";
inline constexpr std::string_view kPreserveErrorLabel = "__preserve_error__";
inline constexpr std::string_view kExtractedSuffix = "_extracted";

// Values of __error__ set by the stages.
inline constexpr std::string_view kErrJSON = "JSONParserErr";
inline constexpr std::string_view kErrLogfmt = "LogfmtParserErr";
inline constexpr std::string_view kErrLabelFilter = "LabelFilterErr";
inline constexpr std::string_view kErrSampleExtraction = "SampleExtractionErr";
inline constexpr std::string_view kErrTemplateFormat = "TemplateFormatErr";

// Grouping of sample-extraction results (Loki's GroupedLabels): `by` keeps
// only `groups`, `without` drops them, `no_labels` yields the empty set.
struct GroupingSpec {
  std::vector<std::string> groups;  // sorted, unique
  bool without = false;
  bool no_labels = false;
};

class LabelsBuilder {
 public:
  // `base` must be sorted by name with unique names.
  explicit LabelsBuilder(Labels base);
  LabelsBuilder(const LabelsBuilder&) = delete;
  LabelsBuilder& operator=(const LabelsBuilder&) = delete;

  // Clears the per-line state.
  void Reset();

  // Loki's Add(StructuredMetadataLabel, ...): a name present in the base gets
  // the `_extracted` suffix; `__error__` / `__error_details__` set the error.
  void AddMetadata(std::string_view name, std::string_view value);

  // Loki's Set with the category precedence rules (see file comment).
  void Set(LabelCategory cat, std::string_view name, std::string_view value);

  // Loki's Get: added labels first, then deleted names, then the base. The
  // error pair is not visible here (use err()). The view is valid until the
  // next mutation.
  bool Get(std::string_view name, std::string_view* value, LabelCategory* cat = nullptr) const;

  // Removes a label from every category and hides the base label.
  void Del(std::string_view name);

  bool BaseHas(std::string_view name) const;
  bool HasMetadata(std::string_view name) const;
  // True when `name` was set as a parsed label during this line (the first
  // extraction of a key wins over later ones).
  bool Extracted(std::string_view name) const;

  // Turns a sanitised parsed key into its final name: appends `_extracted`
  // when it clashes with a stream label or structured metadata. Returns false
  // when the key must be skipped (empty, already extracted, or not among the
  // parser hints).
  bool ResolveParsedName(std::string* key) const;

  // Parser hints (Loki's ParserHint): when set, parsers only extract these
  // label names (sorted, unique). Used by sample extraction when the result
  // labels are limited to a known set. The vector must outlive the builder.
  void SetParserHints(const std::vector<std::string>* names) { hints_ = names; }
  bool PassesHints(std::string_view name) const;

  // Set(kParsed, key, value) for a key that ResolveParsedName accepted.
  void SetResolvedParsed(std::string_view key, std::string_view value);

  // What a parser does with a sanitised key: ResolveParsedName, then
  // SetResolvedParsed when the key is kept. Returns whether it was set.
  bool AddParsed(std::string* key, std::string_view value) {
    if (!ResolveParsedName(key)) return false;
    SetResolvedParsed(*key, value);
    return true;
  }

  const std::string& err() const { return err_; }
  const std::string& err_details() const { return err_details_; }
  bool HasErr() const { return !err_.empty(); }
  void SetErr(std::string_view e) { err_.assign(e.data(), e.size()); }
  void SetErrDetails(std::string_view d) { err_details_.assign(d.data(), d.size()); }
  void ResetErr() { err_.clear(); }
  void ResetErrDetails() { err_details_.clear(); }

  // The labels a template sees (Loki's Map()): sorted views of every label
  // including the error pair, or the base alone when nothing changed.
  void TemplateLabels(std::vector<LabelView>* out);

  // Every current label (unsorted), including the error pair, in Loki's
  // UnsortedLabels order: base, structured metadata, parsed, errors.
  void AllLabels(std::vector<LabelView>* out);

  // The interned categorised result for the current state.
  const ResultLabels& Result();
  // The interned result after grouping (sample extraction).
  const ResultLabels& GroupedResult(const GroupingSpec& g);

  const Labels& base() const { return base_; }

 private:
  struct Slot {
    std::string name, value;
  };
  struct SlotList {
    std::vector<Slot> slots;
    size_t n = 0;
    int Find(std::string_view name) const;
    void Append(std::string_view name, std::string_view value);
    void RemoveAt(size_t i);
    bool Remove(std::string_view name);
  };
  struct Ref {
    std::string_view name, value;
    LabelCategory cat;
  };
  struct Cache {
    std::unordered_map<uint64_t, std::vector<std::unique_ptr<ResultLabels>>> map;
    const ResultLabels* last = nullptr;
  };

  bool HasAdd() const { return add_[0].n + add_[1].n + add_[2].n > 0; }
  bool HasDel() const { return n_del_ > 0; }
  bool IsDeleted(std::string_view name) const;
  bool InGroups(const GroupingSpec& g, std::string_view name) const;
  void CollectUnsorted();
  void SortRefs();
  const ResultLabels& Intern(Cache* cache, bool categorized);
  static ResultLabels Build(const std::vector<Ref>& refs, bool categorized);
  static bool Equal(const ResultLabels& r, const std::vector<Ref>& refs);
  static uint64_t KeyHash(const std::vector<Ref>& refs);

  Labels base_;
  SlotList add_[3];
  std::vector<std::string> del_;
  size_t n_del_ = 0;
  // Parsed labels deleted during this line: they still count as extracted.
  std::vector<std::string> removed_parsed_;
  size_t n_removed_parsed_ = 0;
  std::string err_, err_details_;
  std::string name_buf_;
  const std::vector<std::string>* hints_ = nullptr;

  std::vector<Ref> refs_;
  std::vector<Ref> merge_buf_;
  size_t sorted_prefix_ = 0;     // refs_[0, sorted_prefix_) is already sorted
  uint64_t base_first_[4] = {};  // bitmap of the first bytes of base names
  Cache result_cache_;
  Cache grouped_cache_;
  const ResultLabels* base_result_ = nullptr;
  const ResultLabels* empty_result_ = nullptr;
  const ResultLabels* base_grouped_ = nullptr;
  const GroupingSpec* base_grouped_spec_ = nullptr;
};

}  // namespace lode::logql
