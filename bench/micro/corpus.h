// Corpus: realistic inputs for the micro-benchmarks, made with lode-bench's
// deterministic generator (bench/lode_bench/), so that micro and end-to-end
// numbers describe the same data.
//
// Everything is built once per process on first use and never changes;
// accessors return references that stay valid for the life of the process.
// Line views point into storage owned by the corpus.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/lode_bench/dataset.h"

namespace lode::micro {

// One generated log line with its stream and timestamp.
struct CorpusLine {
  uint32_t stream;
  int64_t ts;
  std::string_view line;
};

struct Corpus {
  bench::DatasetOptions options;  // 1000 streams, 24h
  std::vector<bench::StreamInfo> streams;
  std::vector<CorpusLine> mixed;  // the data set's mix of apps, in order
  uint64_t mixed_bytes = 0;       // raw line bytes of `mixed`
};

// The shared data set: 100,000 lines, about 17 MB (the default ingest mix).
const Corpus& GetCorpus();

// Lines of one app (JSON API logs, nginx, logfmt worker, ...) in stream
// order then time order (as one stream's chunk would hold them), about
// 4 MiB of raw bytes per app.
const std::vector<CorpusLine>& LinesOf(bench::App app);
uint64_t BytesOf(const std::vector<CorpusLine>& lines);

// Push request bodies holding consecutive lines of the data set until their
// raw line bytes reach 1 MiB (as lode-bench sends them).
// Snappy-compressed logproto.PushRequest:
const std::string& ProtobufPushBody();
// Loki JSON push body (uncompressed):
const std::string& JsonPushBody();
// Number of lines and raw line bytes in each of the two bodies above.
uint64_t PushBodyLines();
uint64_t PushBodyBytes();

}  // namespace lode::micro
