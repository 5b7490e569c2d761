#include "bench/micro/corpus.h"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>

#include "bench/lode_bench/line_writer.h"
#include "bench/lode_bench/push_encoder.h"

namespace lode::micro {

namespace {

constexpr uint64_t kMixedLines = 100'000;                    // ~17 MB of raw lines
constexpr uint64_t kPerAppBytes = 4u << 20;                  // per-app corpora
constexpr uint64_t kPushBatchBytes = 1u << 20;               // lode-bench's --batch-bytes
constexpr int64_t kEndNs = 1'763'726'400LL * 1'000'000'000;  // fixed, for reproducibility

struct Data {
  Corpus corpus;
  std::deque<std::string> text;  // stable storage for line bytes
  std::vector<CorpusLine> by_app[bench::kAppCount];
  std::string protobuf_body, json_body;
  uint64_t push_lines = 0, push_bytes = 0;
};

std::string_view Keep(Data* s, const std::string& line) {
  if (s->text.empty() || s->text.back().size() + line.size() > s->text.back().capacity()) {
    s->text.emplace_back();
    s->text.back().reserve(std::max<size_t>(1 << 20, line.size()));
  }
  std::string& block = s->text.back();
  size_t at = block.size();
  block.append(line);
  return std::string_view(block.data() + at, line.size());
}

void BuildPushBodies(Data* s) {
  const Corpus& c = s->corpus;
  bench::PushEncoder enc(static_cast<uint32_t>(c.streams.size()));
  nlohmann::json streams = nlohmann::json::object();
  for (const CorpusLine& l : c.mixed) {
    enc.AddEntry(l.stream, c.streams[l.stream].labels, l.ts, l.line);
    const bench::StreamInfo& si = c.streams[l.stream];
    auto& js = streams[si.labels];
    if (js.is_null()) {
      js = {{"stream",
             {{"app", bench::AppName(si.app)},
              {"env", si.env},
              {"namespace", si.namespace_name},
              {"instance", si.instance},
              {"level", bench::LevelName(si.level)}}},
            {"values", nlohmann::json::array()}};
    }
    js["values"].push_back({std::to_string(l.ts), std::string(l.line)});
    s->push_lines++;
    s->push_bytes += l.line.size();
    if (enc.raw_line_bytes() >= kPushBatchBytes) break;
  }
  enc.Finish(&s->protobuf_body);
  nlohmann::json body = {{"streams", nlohmann::json::array()}};
  for (auto& [k, v] : streams.items()) body["streams"].push_back(v);
  s->json_body = body.dump();
}

Data* Build() {
  auto* s = new Data;
  Corpus& c = s->corpus;
  c.options.lines = 10'000'000;
  c.options.streams = 1000;
  c.options.end_ns = kEndNs;
  bench::Dataset ds(c.options);
  c.streams = ds.streams();
  bench::LineWriter writer;
  std::string line;
  for (uint64_t k = 0; k < kMixedLines; ++k) {
    uint32_t st = ds.StreamOf(k);
    int64_t ts = ds.TimestampOf(k);
    bench::Rng rng = ds.EntryRng(k);
    line.clear();
    writer.Append(c.streams[st], ts, rng, &line);
    c.mixed.push_back({st, ts, Keep(s, line)});
    c.mixed_bytes += line.size();
  }
  // Per-app corpora: continue the data set until each app has its bytes.
  uint64_t bytes[bench::kAppCount] = {};
  int done = 0;
  for (uint64_t k = 0; done < bench::kAppCount && k < c.options.lines; ++k) {
    uint32_t st = ds.StreamOf(k);
    int a = static_cast<int>(c.streams[st].app);
    if (bytes[a] >= kPerAppBytes) continue;
    int64_t ts = ds.TimestampOf(k);
    bench::Rng rng = ds.EntryRng(k);
    line.clear();
    writer.Append(c.streams[st], ts, rng, &line);
    s->by_app[a].push_back({st, ts, Keep(s, line)});
    bytes[a] += line.size();
    if (bytes[a] >= kPerAppBytes) ++done;
  }
  for (auto& v : s->by_app) {
    std::stable_sort(v.begin(), v.end(),
                     [](const CorpusLine& a, const CorpusLine& b) { return a.stream < b.stream; });
  }
  BuildPushBodies(s);
  return s;
}

Data& Get() {
  static Data* s = Build();
  return *s;
}

}  // namespace

const Corpus& GetCorpus() { return Get().corpus; }

const std::vector<CorpusLine>& LinesOf(bench::App app) {
  return Get().by_app[static_cast<int>(app)];
}

uint64_t BytesOf(const std::vector<CorpusLine>& lines) {
  uint64_t n = 0;
  for (const auto& l : lines) n += l.line.size();
  return n;
}

const std::string& ProtobufPushBody() { return Get().protobuf_body; }
const std::string& JsonPushBody() { return Get().json_body; }
uint64_t PushBodyLines() { return Get().push_lines; }
uint64_t PushBodyBytes() { return Get().push_bytes; }

}  // namespace lode::micro
