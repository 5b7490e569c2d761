// The alert state machine, recording rules and alert templates
// (ruler/group.h), driven by a fake query result and explicit timestamps.

#include "ruler/group.h"

#include <gtest/gtest.h>

namespace lode::ruler {
namespace {

constexpr int64_t kS = 1000000000;
constexpr int64_t kM = 60 * kS;

struct Fake {
  std::vector<VecSample> result;
  Status status;
  QueryFn Fn() {
    return [this](const std::string&, int64_t, std::vector<VecSample>* out) {
      *out = result;
      return status;
    };
  }
};

std::unique_ptr<Group> MakeGroup(const std::string& yaml, int64_t interval = kM) {
  RuleGroup g;
  Status s = ParseRuleGroup(yaml, "ns", &g);
  EXPECT_TRUE(s.ok()) << s.message();
  std::unique_ptr<Group> out;
  EXPECT_TRUE(Group::Create("t", "ns", g, interval, &out).ok());
  return out;
}

const Alert* OnlyAlert(Group& g, size_t rule = 0) {
  auto& alerts = g.rules()[rule].alerts;
  return alerts.size() == 1 ? &alerts.begin()->second : nullptr;
}

TEST(GroupTest, PendingThenFiringThenResolved) {
  auto g = MakeGroup(
      "name: g\nrules:\n  - alert: Crit\n    expr: vector(1)\n    for: 2m\n"
      "    labels: {severity: page}\n");
  Fake f;
  f.result = {{{{"service", "api"}}, 3}};
  std::vector<RecordedSample> rec;
  int64_t t0 = 1000 * kM;
  g->Eval(t0, f.Fn(), &rec);
  ASSERT_NE(OnlyAlert(*g), nullptr);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kPending);
  EXPECT_EQ(LabelsToString(OnlyAlert(*g)->labels),
            "{alertname=\"Crit\", service=\"api\", severity=\"page\"}");
  EXPECT_TRUE(g->Notifications(t0, kM).empty());  // pending alerts are not sent
  g->Eval(t0 + kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kPending);
  g->Eval(t0 + 2 * kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kFiring);
  EXPECT_EQ(OnlyAlert(*g)->active_at_ns, t0);
  EXPECT_EQ(OnlyAlert(*g)->fired_at_ns, t0 + 2 * kM);
  auto sent = g->Notifications(t0 + 2 * kM, 5 * kM);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.valid_until_ns, t0 + 2 * kM + 4 * 5 * kM);  // endsAt ahead
  // Not resent before resend_delay, resent after.
  g->Eval(t0 + 3 * kM, f.Fn(), &rec);
  EXPECT_TRUE(g->Notifications(t0 + 3 * kM, 5 * kM).empty());
  g->Eval(t0 + 7 * kM, f.Fn(), &rec);
  EXPECT_EQ(g->Notifications(t0 + 7 * kM, 5 * kM).size(), 1u);
  // The condition stops: resolved, sent once with its resolution time.
  f.result.clear();
  g->Eval(t0 + 8 * kM, f.Fn(), &rec);
  ASSERT_NE(OnlyAlert(*g), nullptr);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kInactive);
  EXPECT_EQ(OnlyAlert(*g)->resolved_at_ns, t0 + 8 * kM);
  sent = g->Notifications(t0 + 8 * kM, 5 * kM);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.state, AlertState::kInactive);
  g->Eval(t0 + 9 * kM, f.Fn(), &rec);
  EXPECT_TRUE(g->Notifications(t0 + 9 * kM, 5 * kM).empty());
  // Resolved alerts are forgotten after 15 minutes.
  g->Eval(t0 + 24 * kM, f.Fn(), &rec);
  EXPECT_TRUE(g->rules()[0].alerts.empty());
  EXPECT_TRUE(rec.empty());
  EXPECT_EQ(g->rules()[0].health, "ok");
}

TEST(GroupTest, PendingAlertThatStopsIsDropped) {
  auto g = MakeGroup("name: g\nrules:\n  - alert: A\n    expr: vector(1)\n    for: 5m\n");
  Fake f;
  f.result = {{{}, 1}};
  std::vector<RecordedSample> rec;
  g->Eval(0, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kPending);
  f.result.clear();
  g->Eval(kM, f.Fn(), &rec);
  EXPECT_TRUE(g->rules()[0].alerts.empty());
}

TEST(GroupTest, ForZeroFiresAtOnce) {
  auto g = MakeGroup("name: g\nrules:\n  - alert: A\n    expr: vector(1)\n");
  Fake f;
  f.result = {{{}, 1}};
  std::vector<RecordedSample> rec;
  g->Eval(kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kFiring);
}

TEST(GroupTest, KeepFiringFor) {
  auto g =
      MakeGroup("name: g\nrules:\n  - alert: A\n    expr: vector(1)\n    keep_firing_for: 2m\n");
  Fake f;
  f.result = {{{}, 1}};
  std::vector<RecordedSample> rec;
  g->Eval(kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kFiring);
  f.result.clear();
  g->Eval(2 * kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kFiring);
  g->Eval(3 * kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kFiring);
  g->Eval(4 * kM, f.Fn(), &rec);
  EXPECT_EQ(OnlyAlert(*g)->state, AlertState::kInactive);
}

TEST(GroupTest, FailingRuleDoesNotStopTheOthers) {
  auto g = MakeGroup(
      "name: g\nrules:\n  - alert: Bad\n    expr: vector(1)\n  - record: ok:rec\n    expr: "
      "vector(2)\n");
  int calls = 0;
  QueryFn fn = [&](const std::string&, int64_t, std::vector<VecSample>* out) {
    if (calls++ == 0) return Status::InvalidArgument("boom");
    out->push_back({{{"a", "b"}}, 2});
    return Status::OK();
  };
  std::vector<RecordedSample> rec;
  g->Eval(7 * kM, fn, &rec);
  EXPECT_EQ(g->rules()[0].health, "err");
  EXPECT_EQ(g->rules()[0].last_error, "boom");
  EXPECT_EQ(g->rules()[1].health, "ok");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(LabelsToString(rec[0].labels), "{__name__=\"ok:rec\", a=\"b\"}");
  EXPECT_EQ(rec[0].ts_ns, 7 * kM);
  EXPECT_EQ(rec[0].value, 2);
}

TEST(GroupTest, LimitFailsTheRule) {
  auto g = MakeGroup("name: g\nlimit: 1\nrules:\n  - alert: A\n    expr: vector(1)\n");
  Fake f;
  f.result = {{{{"a", "1"}}, 1}, {{{"a", "2"}}, 1}};
  std::vector<RecordedSample> rec;
  g->Eval(kM, f.Fn(), &rec);
  EXPECT_EQ(g->rules()[0].health, "err");
  EXPECT_EQ(g->rules()[0].last_error, "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(g->rules()[0].alerts.empty());
}

TEST(GroupTest, Templates) {
  auto g = MakeGroup(
      "name: g\nrules:\n  - alert: A\n    expr: vector(1)\n"
      "    labels: {team: '{{ $labels.service }}-oncall'}\n"
      "    annotations:\n"
      "      summary: '{{ $labels.service }} logged {{ $value }} lines ({{ humanize $value }})'\n"
      "      ratio: '{{ humanizePercentage 0.1234 }} {{ printf \"%.1f\" $value }} {{ .service }}'\n"
      "      big: '{{ humanize 1234567 }} {{ humanize 0.0012 }} {{ $value | humanize }}'\n");
  Fake f;
  f.result = {{{{"service", "api"}}, 12345}};
  std::vector<RecordedSample> rec;
  g->Eval(kM, f.Fn(), &rec);
  const Alert* a = OnlyAlert(*g);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*FindLabel(a->labels, "team"), "api-oncall");
  EXPECT_EQ(*FindLabel(a->annotations, "summary"), "api logged 12345 lines (12.35k)");
  EXPECT_EQ(*FindLabel(a->annotations, "ratio"), "12.34% 12345.0 api");
  EXPECT_EQ(*FindLabel(a->annotations, "big"), "1.235M 1.2m 12.35k");
}

TEST(GroupTest, ReloadKeepsState) {
  const char* y = "name: g\nrules:\n  - alert: A\n    expr: vector(1)\n    for: 5m\n";
  auto g = MakeGroup(y);
  Fake f;
  f.result = {{{}, 1}};
  std::vector<RecordedSample> rec;
  g->Eval(kM, f.Fn(), &rec);
  auto g2 = MakeGroup(y);
  g2->CopyStateFrom(g.get());
  ASSERT_NE(OnlyAlert(*g2), nullptr);
  EXPECT_EQ(OnlyAlert(*g2)->active_at_ns, kM);
}

}  // namespace
}  // namespace lode::ruler
