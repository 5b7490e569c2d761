// OTLP logs decoding (ingest/otlp.h) against Loki push decoding on the same
// lines: the first PushBodyLines() lines of the corpus (1 MiB of raw lines,
// as lode-bench batches them), one ResourceLogs per stream with the stream's
// labels as resource attributes (bench/lode_bench/otlp_encoder.h), mapped
// with an otlp_config that indexes every resource attribute, so that both
// produce the same streams. Compare with BM_Push_DecodeProtobuf: bytes/s are
// raw line bytes in both.
#include <benchmark/benchmark.h>

#include "bench/lode_bench/otlp_encoder.h"
#include "bench/micro/corpus.h"
#include "ingest/otlp.h"

namespace lode::micro {
namespace {

const std::string& OtlpBody(bool gzip) {
  static std::string bodies[2];
  std::string& b = bodies[gzip];
  if (b.empty()) {
    const Corpus& c = GetCorpus();
    bench::OtlpEncoder enc(static_cast<uint32_t>(c.streams.size()), gzip);
    for (uint64_t i = 0; i < PushBodyLines(); ++i) {
      const CorpusLine& l = c.mixed[i];
      enc.AddEntry(l.stream, c.streams[l.stream].labels, l.ts, l.line);
    }
    enc.Finish(&b);
  }
  return b;
}

const ingest::OtlpConfig& IndexEverything() {
  static const ingest::OtlpConfig cfg = [] {
    ingest::OtlpConfig c;
    ingest::OtlpAttributesRule r;
    r.action = ingest::OtlpAction::kIndexLabel;
    r.regex = ".*";
    ingest::CompileOtlpRule(&r);
    c.resource_rules.push_back(r);
    return c;
  }();
  return cfg;
}

void BM_Otlp_DecodeProtobuf(benchmark::State& state) {
  const std::string& body = OtlpBody(false);
  for (auto _ : state) {
    ingest::PushRequest req;
    ingest::OtlpMapStats st;
    Status s = ingest::DecodeOtlpProtobuf(body, IndexEverything(), 0, &req, &st);
    if (!s.ok() || req.TotalEntries() != PushBodyLines()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * PushBodyLines()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * PushBodyBytes()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_Otlp_DecodeProtobuf);

void BM_Otlp_GunzipAndDecodeProtobuf(benchmark::State& state) {
  const std::string& body = OtlpBody(true);
  std::string raw;
  for (auto _ : state) {
    ingest::PushRequest req;
    ingest::OtlpMapStats st;
    Status s = ingest::Gunzip(body, 256u << 20, &raw);
    if (s.ok()) s = ingest::DecodeOtlpProtobuf(raw, IndexEverything(), 0, &req, &st);
    if (!s.ok() || req.TotalEntries() != PushBodyLines()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(req.streams.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * PushBodyLines()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * PushBodyBytes()));
}
BENCHMARK(BM_Otlp_GunzipAndDecodeProtobuf);

}  // namespace
}  // namespace lode::micro
