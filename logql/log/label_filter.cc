#include "logql/log/label_filter.h"

#include <cmath>
#include <string>

#include "base/go_parse.h"
#include "logql/log/ip_filter.h"

namespace lode::logql {

namespace {

class Filter {
 public:
  virtual ~Filter() = default;
  virtual bool Keep(LabelsBuilder* lbs) const = 0;
};

using FilterPtr = std::unique_ptr<Filter>;

class BinaryFilter : public Filter {
 public:
  BinaryFilter(FilterPtr l, FilterPtr r, bool is_and)
      : l_(std::move(l)), r_(std::move(r)), and_(is_and) {}
  bool Keep(LabelsBuilder* lbs) const override {
    const bool lok = l_->Keep(lbs);
    if (!and_ && lok) return true;
    const bool rok = r_->Keep(lbs);
    return and_ ? (lok && rok) : (lok || rok);
  }

 private:
  FilterPtr l_, r_;
  bool and_;
};

class StringFilter : public Filter {
 public:
  explicit StringFilter(MatcherPtr m) : m_(std::move(m)), is_error_(m_->name() == kErrorLabel) {}
  bool Keep(LabelsBuilder* lbs) const override {
    if (is_error_) return m_->Matches(lbs->err());
    std::string_view v;
    if (!lbs->Get(m_->name(), &v)) v = {};
    return m_->Matches(v);
  }

 private:
  MatcherPtr m_;
  bool is_error_;
};

template <class T>
bool Compare(CmpOp op, T a, T b) {
  switch (op) {
    case CmpOp::kEq:
      return a == b;
    case CmpOp::kNeq:
      return a != b;
    case CmpOp::kGt:
      return a > b;
    case CmpOp::kGte:
      return a >= b;
    case CmpOp::kLt:
      return a < b;
    case CmpOp::kLte:
      return a <= b;
  }
  return false;
}

void SetFilterError(LabelsBuilder* lbs, const std::string& details) {
  // Keep an earlier, probably more useful, error.
  if (lbs->HasErr()) return;
  lbs->SetErr(kErrLabelFilter);
  lbs->SetErrDetails(details);
}

class NumericFilter : public Filter {
 public:
  NumericFilter(std::string name, CmpOp op, double v) : name_(std::move(name)), op_(op), v_(v) {}
  bool Keep(LabelsBuilder* lbs) const override {
    std::string_view s;
    if (!lbs->Get(name_, &s)) return false;
    double x;
    std::string err;
    if (!GoParseFloat(s, &x, &err)) {
      SetFilterError(lbs, err);
      return true;
    }
    return Compare(op_, x, v_);
  }

 private:
  std::string name_;
  CmpOp op_;
  double v_;
};

class DurationFilter : public Filter {
 public:
  DurationFilter(std::string name, CmpOp op, double seconds)
      : name_(std::move(name)), op_(op), ns_(std::llround(seconds * 1e9)) {}
  bool Keep(LabelsBuilder* lbs) const override {
    std::string_view s;
    if (!lbs->Get(name_, &s)) return false;
    int64_t ns;
    std::string err;
    if (!GoParseDuration(s, &ns, &err)) {
      SetFilterError(lbs, err);
      return true;
    }
    return Compare<int64_t>(op_, ns, ns_);
  }

 private:
  std::string name_;
  CmpOp op_;
  int64_t ns_;
};

class BytesFilter : public Filter {
 public:
  BytesFilter(std::string name, CmpOp op, double bytes)
      : name_(std::move(name)), op_(op), v_(bytes <= 0 ? 0 : static_cast<uint64_t>(bytes)) {}
  bool Keep(LabelsBuilder* lbs) const override {
    std::string_view s;
    if (!lbs->Get(name_, &s)) return false;
    uint64_t b;
    std::string err;
    if (!HumanizeParseBytes(s, &b, &err)) {
      SetFilterError(lbs, err);
      return true;
    }
    return Compare<uint64_t>(op_, b, v_);
  }

 private:
  std::string name_;
  CmpOp op_;
  uint64_t v_;
};

class IpLabelFilter : public Filter {
 public:
  IpLabelFilter(std::string name, bool negate, std::unique_ptr<IpMatcher> m)
      : name_(std::move(name)), negate_(negate), m_(std::move(m)) {}
  bool Keep(LabelsBuilder* lbs) const override {
    // Only string matchers may drop an errored line.
    if (lbs->HasErr()) return true;
    std::string_view s;
    if (!lbs->Get(name_, &s)) return false;
    return m_->FindIn(s) != negate_;
  }

 private:
  std::string name_;
  bool negate_;
  std::unique_ptr<IpMatcher> m_;
};

Status Build(const LabelFilterExpr& e, FilterPtr* out) {
  switch (e.kind) {
    case LabelFilterExpr::Kind::kAnd:
    case LabelFilterExpr::Kind::kOr: {
      if (!e.left || !e.right) return Status::Internal("label filter: missing operand");
      FilterPtr l, r;
      LODE_RETURN_IF_ERROR(Build(*e.left, &l));
      LODE_RETURN_IF_ERROR(Build(*e.right, &r));
      *out = std::make_unique<BinaryFilter>(std::move(l), std::move(r),
                                            e.kind == LabelFilterExpr::Kind::kAnd);
      return Status::OK();
    }
    case LabelFilterExpr::Kind::kString:
      if (!e.matcher) return Status::Internal("label filter: missing matcher");
      *out = std::make_unique<StringFilter>(e.matcher);
      return Status::OK();
    case LabelFilterExpr::Kind::kNumeric:
      *out = std::make_unique<NumericFilter>(e.name, e.cmp, e.number);
      return Status::OK();
    case LabelFilterExpr::Kind::kDuration:
      *out = std::make_unique<DurationFilter>(e.name, e.cmp, e.number);
      return Status::OK();
    case LabelFilterExpr::Kind::kBytes:
      *out = std::make_unique<BytesFilter>(e.name, e.cmp, e.number);
      return Status::OK();
    case LabelFilterExpr::Kind::kIp: {
      if (e.cmp != CmpOp::kEq && e.cmp != CmpOp::kNeq) {
        return Status::InvalidArgument("ip: invalid operation");
      }
      std::unique_ptr<IpMatcher> m;
      LODE_RETURN_IF_ERROR(IpMatcher::Create(e.ip_pattern, &m));
      *out = std::make_unique<IpLabelFilter>(e.name, e.cmp == CmpOp::kNeq, std::move(m));
      return Status::OK();
    }
  }
  return Status::Internal("label filter: unknown kind");
}

class LabelFilterRunner : public LogStage {
 public:
  explicit LabelFilterRunner(FilterPtr f) : f_(std::move(f)) {}
  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs, StageState*) const override {
    return f_->Keep(lbs);
  }

 private:
  FilterPtr f_;
};

}  // namespace

Status NewLabelFilterStage(const LabelFilterExpr& e, LogStagePtr* out) {
  FilterPtr f;
  LODE_RETURN_IF_ERROR(Build(e, &f));
  *out = std::make_unique<LabelFilterRunner>(std::move(f));
  return Status::OK();
}

}  // namespace lode::logql
