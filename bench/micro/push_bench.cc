// Push decoding: snappy + protobuf and JSON bodies of 1 MiB of raw lines (as
// lode-bench sends them: ~6,000 lines over ~1,000 streams), label parsing and
// validation.
#include <benchmark/benchmark.h>

#include "base/labels.h"
#include "bench/micro/corpus.h"
#include "ingest/push.h"

namespace lode::micro {
namespace {

void SetPushCounters(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * PushBodyLines()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * PushBodyBytes()));
}

void BM_Push_SnappyOnly(benchmark::State& state) {
  const std::string& body = ProtobufPushBody();
  std::string out;
  for (auto _ : state) {
    Status s = ingest::SnappyDecode(body, 512u << 20, &out);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  SetPushCounters(state);
}
BENCHMARK(BM_Push_SnappyOnly);

void BM_Push_DecodeProtobuf(benchmark::State& state) {
  const std::string& body = ProtobufPushBody();
  for (auto _ : state) {
    ingest::PushRequest req;
    Status s = ingest::DecodeProtobufPush(body, &req);
    if (!s.ok() || req.TotalEntries() != PushBodyLines()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetPushCounters(state);
  state.counters["streams"] = static_cast<double>(GetCorpus().streams.size());
}
BENCHMARK(BM_Push_DecodeProtobuf);

void BM_Push_DecodeJson(benchmark::State& state) {
  const std::string& body = JsonPushBody();
  for (auto _ : state) {
    ingest::PushRequest req;
    Status s = ingest::DecodeJsonPush(body, &req);
    if (!s.ok() || req.TotalEntries() != PushBodyLines()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetPushCounters(state);
}
BENCHMARK(BM_Push_DecodeJson);

// Decode + validation (what the push handler runs before the store).
void BM_Push_DecodeProtobufAndValidate(benchmark::State& state) {
  const std::string& body = ProtobufPushBody();
  ingest::PushLimits limits;
  limits.reject_old_samples = false;
  limits.creation_grace_period_ns = 0;
  for (auto _ : state) {
    ingest::PushRequest req;
    std::vector<std::string> errors;
    Status s = ingest::DecodeProtobufPush(body, &req);
    ingest::Validate(limits, 0, &req, &errors);
    if (!s.ok() || !errors.empty()) state.SkipWithError("decode or validation failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  SetPushCounters(state);
}
BENCHMARK(BM_Push_DecodeProtobufAndValidate);

// Parsing the stream label strings of the data set (`{app="api", env=...}`).
void BM_ParseLabels(benchmark::State& state) {
  const auto& streams = GetCorpus().streams;
  uint64_t bytes = 0;
  for (const auto& s : streams) bytes += s.labels.size();
  Labels ls;
  for (auto _ : state) {
    for (const auto& s : streams) {
      Status st = ParseLabels(s.labels, &ls);
      if (!st.ok()) state.SkipWithError(st.message().c_str());
      benchmark::DoNotOptimize(ls.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * streams.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_ParseLabels);

void BM_LabelsToString(benchmark::State& state) {
  const auto& streams = GetCorpus().streams;
  std::vector<Labels> parsed(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) (void)ParseLabels(streams[i].labels, &parsed[i]);
  for (auto _ : state) {
    for (const auto& ls : parsed) {
      std::string s = LabelsToString(ls);
      benchmark::DoNotOptimize(s.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * parsed.size()));
}
BENCHMARK(BM_LabelsToString);

}  // namespace
}  // namespace lode::micro
