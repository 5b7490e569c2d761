#include "logql/range_agg.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <utility>

namespace lode::logql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool NaNLowestLess(double a, double b) { return (std::isnan(a) && !std::isnan(b)) || a < b; }

// A window sum that keeps NaN and infinities aside, so that samples can be
// removed again: the result matches Go's sequential `sum += v`.
struct RunningSum {
  double sum = 0;
  uint32_t nan = 0, pinf = 0, ninf = 0;

  void Add(double v) {
    if (std::isnan(v)) {
      ++nan;
    } else if (std::isinf(v)) {
      v > 0 ? ++pinf : ++ninf;
    } else {
      sum += v;
    }
  }
  void Remove(double v) {
    if (std::isnan(v)) {
      --nan;
    } else if (std::isinf(v)) {
      v > 0 ? --pinf : --ninf;
    } else {
      sum -= v;
    }
  }
  void Reset() { *this = RunningSum(); }
  double Value() const {
    if (nan > 0 || (pinf > 0 && ninf > 0)) return kNaN;
    if (pinf > 0) return kInf;
    if (ninf > 0) return -kInf;
    return sum;
  }
};

// Sample indices with non-NaN values whose front is the window's max (or
// min): Loki's max/min_over_time skip NaN unless every value is NaN.
class MonoQueue {
 public:
  void Push(const std::vector<Sample>& s, uint32_t i, bool max) {
    double v = s[i].value;
    if (std::isnan(v)) return;
    while (idx_.size() > head_ && (max ? s[idx_.back()].value < v : s[idx_.back()].value > v)) {
      idx_.pop_back();
    }
    idx_.push_back(i);
  }
  void PopFront(uint32_t i) {
    if (head_ < idx_.size() && idx_[head_] == i) ++head_;
    if (head_ == idx_.size()) {
      Clear();
    } else if (head_ >= 64 && head_ * 2 >= idx_.size()) {
      idx_.erase(idx_.begin(), idx_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  bool empty() const { return head_ == idx_.size(); }
  uint32_t front() const { return idx_[head_]; }
  void Clear() {
    idx_.clear();
    head_ = 0;
  }

 private:
  std::vector<uint32_t> idx_;
  size_t head_ = 0;
};

// Order statistics of the window for quantile_over_time: every sample gets
// the rank of its value among the series' distinct values (NaN lowest), and
// a Fenwick tree counts the window's samples per rank, so adding, removing
// and selecting the k-th smallest value cost O(log n).
class RankIndex {
 public:
  void Build(const std::vector<Sample>& s) {
    std::vector<uint32_t> order(s.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return NaNLowestLess(s[a].value, s[b].value); });
    rank_.resize(s.size());
    for (uint32_t i : order) {
      double v = s[i].value;
      bool same = !values_.empty() &&
                  (values_.back() == v || (std::isnan(values_.back()) && std::isnan(v)));
      if (!same) values_.push_back(v);
      rank_[i] = static_cast<uint32_t>(values_.size() - 1);
    }
    tree_.assign(values_.size() + 1, 0);
    top_ = 1;
    while (top_ * 2 <= values_.size()) top_ *= 2;
  }
  void Add(size_t i, int32_t delta) {
    for (size_t p = rank_[i] + 1; p < tree_.size(); p += p & (~p + 1)) tree_[p] += delta;
  }
  // The k-th smallest value (0-based) in the window.
  double Kth(size_t k) const {
    size_t pos = 0;
    int64_t rem = static_cast<int64_t>(k) + 1;
    for (size_t step = top_; step > 0; step >>= 1) {
      if (pos + step < tree_.size() && tree_[pos + step] < rem) {
        pos += step;
        rem -= tree_[pos];
      }
    }
    return values_[pos];
  }

 private:
  std::vector<uint32_t> rank_;  // per sample
  std::vector<double> values_;  // distinct values, ascending
  std::vector<int32_t> tree_;
  size_t top_ = 1;
};

// One series and its sliding window samples[lo, hi).
struct Window {
  uint32_t id = 0;
  bool error = false;
  std::vector<Sample> samples;
  size_t lo = 0, hi = 0;
  size_t removed = 0;  // removals since the running sum was last rebuilt
  RunningSum sum;
  MonoQueue queue;
  RankIndex ranks;  // quantile_over_time only
};

bool CarriesError(const Labels& ls) {
  const std::string* err = FindLabel(ls, "__error__");
  if (err == nullptr || err->empty()) return false;
  const std::string* keep = FindLabel(ls, "__preserve_error__");
  return keep == nullptr || *keep != "true";
}

class RangeAggEvaluator : public StepEvaluator {
 public:
  RangeAggEvaluator(const Expr& expr, std::vector<Window> series, uint32_t absent_id,
                    LabelTable* table)
      : op_(expr.range_op),
        unwrap_(expr.log_range.unwrap.has_value()),
        param_(expr.param.value_or(0)),
        range_ns_(expr.log_range.range_ns),
        offset_ns_(expr.log_range.offset_ns),
        range_seconds_(RangeSeconds(expr.log_range.range_ns)),
        absent_id_(absent_id),
        table_(table),
        series_(std::move(series)) {
    // count_over_time and rate count lines as the sum of their values (1
    // each, more for samples a WindowFold folded).
    uses_sum_ = op_ == RangeOp::kBytesRate || op_ == RangeOp::kBytesOverTime ||
                op_ == RangeOp::kSumOverTime || op_ == RangeOp::kAvgOverTime ||
                op_ == RangeOp::kRate || op_ == RangeOp::kCountOverTime;
    uses_queue_ = op_ == RangeOp::kMinOverTime || op_ == RangeOp::kMaxOverTime;
    uses_ranks_ = op_ == RangeOp::kQuantileOverTime;
    for (uint32_t i = 0; i < series_.size(); ++i) {
      if (series_[i].samples.empty()) continue;
      if (uses_ranks_) series_[i].ranks.Build(series_[i].samples);
      pending_.emplace(series_[i].samples[0].ts, i);
    }
  }

  Status Next(int64_t t_ns, StepVector* out) override {
    out->clear();
    const int64_t wend = t_ns - offset_ns_;
    const int64_t wstart = wend - range_ns_;
    bool added = false;
    while (!pending_.empty() && pending_.top().first <= wend) {
      active_.push_back(pending_.top().second);
      pending_.pop();
      added = true;
    }
    // Series are sorted by labels; keep emitting them in that order.
    if (added) std::sort(active_.begin(), active_.end());
    size_t kept = 0;
    bool any = false;
    for (uint32_t idx : active_) {
      Window& w = series_[idx];
      if (!Slide(&w, wstart, wend)) {
        if (w.hi < w.samples.size()) pending_.emplace(w.samples[w.hi].ts, idx);
        continue;
      }
      active_[kept++] = idx;
      if (w.error) return Status::InvalidArgument(PipelineErrorMessage(table_->Get(w.id)));
      any = true;
      if (op_ != RangeOp::kAbsentOverTime) out->push_back({w.id, Compute(&w, wstart, wend)});
    }
    active_.resize(kept);
    if (op_ == RangeOp::kAbsentOverTime && !any) out->push_back({absent_id_, 1.0});
    return Status::OK();
  }

 private:
  void Add(Window* w, size_t i) {
    if (uses_sum_) w->sum.Add(w->samples[i].value);
    if (uses_queue_)
      w->queue.Push(w->samples, static_cast<uint32_t>(i), op_ == RangeOp::kMaxOverTime);
    if (uses_ranks_) w->ranks.Add(i, +1);
  }

  void Remove(Window* w, size_t i) {
    if (uses_sum_) w->sum.Remove(w->samples[i].value);
    if (uses_queue_) w->queue.PopFront(static_cast<uint32_t>(i));
    if (uses_ranks_) w->ranks.Add(i, -1);
    ++w->removed;
  }

  // Moves the window to (wstart, wend]; returns whether it holds samples.
  bool Slide(Window* w, int64_t wstart, int64_t wend) {
    const std::vector<Sample>& s = w->samples;
    while (w->lo < w->hi && s[w->lo].ts <= wstart) Remove(w, w->lo++);
    if (w->lo == w->hi) {
      while (w->hi < s.size() && s[w->hi].ts <= wstart) ++w->hi;
      w->lo = w->hi;
      w->sum.Reset();
      w->queue.Clear();
      w->removed = 0;
    }
    while (w->hi < s.size() && s[w->hi].ts <= wend) Add(w, w->hi++);
    return w->hi > w->lo;
  }

  double WindowSum(Window* w) {
    // Re-add from scratch once a window's worth of samples was subtracted:
    // amortized O(1) per sample, and bit-identical to Loki's sequential sum.
    if (w->removed > 0 && w->removed >= w->hi - w->lo) {
      w->sum.Reset();
      for (size_t i = w->lo; i < w->hi; ++i) w->sum.Add(w->samples[i].value);
      w->removed = 0;
    }
    return w->sum.Value();
  }

  // QuantileOverTime over the window, through the rank index.
  double WindowQuantile(const Window& w) const {
    if (param_ < 0) return -kInf;
    if (param_ > 1) return kInf;
    const double n = static_cast<double>(w.hi - w.lo);
    const double rank = param_ * (n - 1);
    const double lower = std::max(0.0, std::floor(rank));
    const double upper = std::min(n - 1, lower + 1);
    const double weight = rank - std::floor(rank);
    const double lv = w.ranks.Kth(static_cast<size_t>(lower));
    const double uv = upper > lower ? w.ranks.Kth(static_cast<size_t>(upper)) : lv;
    return lv * (1 - weight) + uv * weight;
  }

  double Compute(Window* w, int64_t wstart, int64_t wend) {
    const Sample* begin = w->samples.data() + w->lo;
    const Sample* end = w->samples.data() + w->hi;
    const double n = static_cast<double>(w->hi - w->lo);
    switch (op_) {
      case RangeOp::kCountOverTime:
        return WindowSum(w);
      case RangeOp::kRate:
      case RangeOp::kBytesRate:
        return WindowSum(w) / range_seconds_;
      case RangeOp::kBytesOverTime:
      case RangeOp::kSumOverTime:
        return WindowSum(w);
      case RangeOp::kAvgOverTime:
        return WindowSum(w) / n;
      case RangeOp::kMinOverTime:
      case RangeOp::kMaxOverTime:
        return w->queue.empty() ? kNaN : w->samples[w->queue.front()].value;
      case RangeOp::kStdvarOverTime:
        return StdvarOverTime(begin, end);
      case RangeOp::kStddevOverTime:
        return std::sqrt(StdvarOverTime(begin, end));
      case RangeOp::kQuantileOverTime:
        return WindowQuantile(*w);
      case RangeOp::kFirstOverTime:
        return begin->value;
      case RangeOp::kLastOverTime:
        return (end - 1)->value;
      case RangeOp::kRateCounter:
        return RateCounter(begin, end, wstart, wend, range_ns_);
      case RangeOp::kAbsentOverTime:
        return 1.0;
    }
    return kNaN;
  }

  using Pending = std::pair<int64_t, uint32_t>;  // (next sample ts, series index)

  const RangeOp op_;
  const bool unwrap_;
  const double param_;
  const int64_t range_ns_;
  const int64_t offset_ns_;
  const double range_seconds_;
  const uint32_t absent_id_;
  bool uses_sum_ = false;
  bool uses_queue_ = false;
  bool uses_ranks_ = false;
  LabelTable* table_;
  std::vector<Window> series_;
  std::vector<uint32_t> active_;  // series whose window held samples at the last step
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
};

// Merges the source's series by label set and sorts them by labels.
std::vector<Window> MergeSeries(std::vector<SampleSeries>* in, LabelTable* table) {
  struct Group {
    Labels labels;
    std::vector<std::vector<Sample>> parts;
  };
  std::vector<Group> groups;
  std::unordered_multimap<uint64_t, size_t> index;
  for (SampleSeries& s : *in) {
    if (s.samples.empty()) continue;
    auto by_name = [](const Label& a, const Label& b) { return a.name < b.name; };
    if (!std::is_sorted(s.labels.begin(), s.labels.end(), by_name)) SortLabels(&s.labels);
    uint64_t hash = HashLabels(s.labels);
    size_t found = groups.size();
    auto range = index.equal_range(hash);
    for (auto it = range.first; it != range.second; ++it) {
      if (groups[it->second].labels == s.labels) {
        found = it->second;
        break;
      }
    }
    if (found == groups.size()) {
      index.emplace(hash, found);
      groups.push_back(Group{std::move(s.labels), {}});
    }
    groups[found].parts.push_back(std::move(s.samples));
  }
  std::sort(groups.begin(), groups.end(),
            [](const Group& a, const Group& b) { return a.labels < b.labels; });
  std::vector<Window> out(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    Group& g = groups[i];
    Window& w = out[i];
    w.error = CarriesError(g.labels);
    w.samples = std::move(g.parts[0]);
    if (g.parts.size() > 1) {
      for (size_t p = 1; p < g.parts.size(); ++p) {
        w.samples.insert(w.samples.end(), g.parts[p].begin(), g.parts[p].end());
      }
      std::stable_sort(w.samples.begin(), w.samples.end(),
                       [](const Sample& a, const Sample& b) { return a.ts < b.ts; });
    }
    w.id = table->Intern(std::move(g.labels));
  }
  return out;
}

}  // namespace

WindowFold::WindowFold(const Expr& range, const EvalParams& params) {
  if (range.kind != Expr::Kind::kRangeAgg || range.log_range.unwrap) return;
  switch (range.range_op) {
    case RangeOp::kCountOverTime:
    case RangeOp::kRate:
    case RangeOp::kBytesOverTime:
    case RangeOp::kBytesRate:
    case RangeOp::kAbsentOverTime:
      break;
    default:
      return;
  }
  if (!params.instant && params.step_ns <= 0) return;
  // The steps Evaluate walks: start, start + step, ... up to end.
  const int64_t start = params.start_ns;
  if (!params.instant) {
    if (params.end_ns < start) return;
    step_ = static_cast<uint64_t>(params.step_ns);
    steps_ = (static_cast<uint64_t>(params.end_ns) - static_cast<uint64_t>(start)) / step_;
  }
  right0_ = start - range.log_range.offset_ns;
  left0_ = right0_ - range.log_range.range_ns;
  enabled_ = true;
}

double RangeSeconds(int64_t ns) {
  return static_cast<double>(ns / 1000000000) + static_cast<double>(ns % 1000000000) / 1e9;
}

Labels AbsentLabels(const LogSelectorExpr& selector) {
  Labels out;
  std::vector<std::string> dropped;
  for (const MatcherPtr& m : selector.matchers) {
    if (m == nullptr || m->name() == "__name__") continue;
    bool present = FindLabel(out, m->name()) != nullptr;
    if (m->type() == MatchType::kEqual && !present) {
      // Prometheus' labels builder treats an empty value as a deletion.
      if (!m->value().empty()) {
        out.push_back(Label{m->name(), m->value()});
        SortLabels(&out);
      }
    } else {
      dropped.push_back(m->name());
    }
  }
  for (const std::string& name : dropped) {
    out.erase(
        std::remove_if(out.begin(), out.end(), [&](const Label& l) { return l.name == name; }),
        out.end());
  }
  return out;
}

std::string PipelineErrorMessage(const Labels& series) {
  const std::string* type = FindLabel(series, "__error__");
  std::string t = type ? *type : "";
  return "pipeline error: '" + t + "' for series: '" + LabelsToString(series) +
         "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"" + t +
         "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
         "The label filter can also be specified after unwrap. (e.g | unwrap latency | "
         "__error__=\"\" )\n";
}

double QuantileOverTime(double q, std::vector<double>* values) {
  if (values->empty()) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  const double n = static_cast<double>(values->size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  auto lo_it = values->begin() + static_cast<std::ptrdiff_t>(lower);
  std::nth_element(values->begin(), lo_it, values->end(), NaNLowestLess);
  const double lv = *lo_it;
  double uv = lv;
  if (upper > lower) uv = *std::min_element(lo_it + 1, values->end(), NaNLowestLess);
  return lv * (1 - weight) + uv * weight;
}

double StdvarOverTime(const Sample* begin, const Sample* end) {
  double aux = 0, count = 0, mean = 0;
  for (const Sample* s = begin; s != end; ++s) {
    count++;
    double delta = s->value - mean;
    mean += delta / count;
    aux += delta * (s->value - mean);
  }
  return aux / count;
}

double RateCounter(const Sample* begin, const Sample* end, int64_t window_start_ns,
                   int64_t window_end_ns, int64_t range_ns) {
  const size_t n = static_cast<size_t>(end - begin);
  if (n < 2) return 0;
  const Sample& first = begin[0];
  const Sample& last = begin[n - 1];
  double result = last.value - first.value;
  double prev = 0;
  for (const Sample* s = begin; s != end; ++s) {
    if (s->value < prev) result += prev;  // counter reset: add back the pre-drop value
    prev = s->value;
  }
  double to_start = static_cast<double>(first.ts - window_start_ns) / 1e9;
  double to_end = static_cast<double>(window_end_ns - last.ts) / 1e9;
  const double sampled = static_cast<double>(last.ts - first.ts) / 1e9;
  const double avg_interval = sampled / static_cast<double>(n - 1);
  // Extrapolate to each edge, by at most half an interval when the nearest
  // sample is far from it; then never back past the counter's zero point.
  const double threshold = avg_interval * 1.1;
  if (to_start >= threshold) to_start = avg_interval / 2;
  if (result > 0 && first.value >= 0) {
    double to_zero = sampled * (first.value / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  if (to_end >= threshold) to_end = avg_interval / 2;
  result *= (sampled + to_start + to_end) / sampled;
  return result / RangeSeconds(range_ns);
}

Status NewRangeAggEvaluator(const Expr& expr, const EvalParams& params, const SampleSource& source,
                            LabelTable* table, StepEvaluatorPtr* out) {
  if (expr.range_op == RangeOp::kQuantileOverTime && !expr.param.has_value()) {
    return Status::InvalidArgument("parse error : parameter required for quantile_over_time");
  }
  const int64_t end = params.instant ? params.start_ns : params.end_ns;
  const int64_t from = params.start_ns - expr.log_range.range_ns - expr.log_range.offset_ns;
  const int64_t to = end - expr.log_range.offset_ns;
  std::vector<SampleSeries> raw;
  LODE_RETURN_IF_ERROR(source(expr, from, to, &raw));
  std::vector<Window> series = MergeSeries(&raw, table);
  uint32_t absent_id = LabelTable::kNone;
  if (expr.range_op == RangeOp::kAbsentOverTime) {
    absent_id = table->Intern(AbsentLabels(expr.log_range.selector));
  }
  *out = std::make_unique<RangeAggEvaluator>(expr, std::move(series), absent_id, table);
  return Status::OK();
}

}  // namespace lode::logql
