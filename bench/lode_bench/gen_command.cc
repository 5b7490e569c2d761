#include "bench/lode_bench/gen_command.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "bench/lode_bench/line_writer.h"
#include "bench/lode_bench/measure.h"

namespace lode::bench {

void AppendJsonEscaped(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t plain = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(text.data() + plain, text.size() - plain);
}

bool RunGen(const DatasetOptions& options, const std::string& format, FILE* out) {
  const double t0 = MonotonicSeconds();
  Dataset dataset(options);
  const double setup = MonotonicSeconds() - t0;
  const auto& streams = dataset.streams();
  std::vector<std::string> stream_json;
  if (format == "jsonl") {
    for (const StreamInfo& s : streams) {
      std::string j = "\",\"stream\":{\"app\":\"";
      j += AppName(s.app);
      j += "\",\"env\":\"" + s.env + "\",\"instance\":\"" + s.instance + "\",\"level\":\"" +
           LevelName(s.level) + "\",\"namespace\":\"" + s.namespace_name + "\"},\"line\":\"";
      stream_json.push_back(std::move(j));
    }
  }
  const bool write = format != "null";
  const bool jsonl = format == "jsonl";
  LineWriter writer;
  std::string line, buffer;
  buffer.reserve(1 << 21);
  uint64_t bytes = 0;
  bool ok = true;
  const double start = MonotonicSeconds();
  const std::clock_t cpu_start = std::clock();
  for (uint64_t k = 0; k < options.lines; ++k) {
    uint32_t s = dataset.StreamOf(k);
    int64_t ts = dataset.TimestampOf(k);
    Rng rng = dataset.EntryRng(k);
    line.clear();
    writer.Append(streams[s], ts, rng, &line);
    bytes += line.size();
    if (!write) continue;
    if (jsonl) {
      buffer.append("{\"ts\":\"");
      buffer.append(std::to_string(ts));
      buffer.append(stream_json[s]);
      AppendJsonEscaped(line, &buffer);
      buffer.append("\"}\n");
    } else {
      buffer.append(line);
      buffer.push_back('\n');
    }
    if (buffer.size() >= (1 << 20)) {
      if (fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
        ok = errno == EPIPE;
        break;
      }
      buffer.clear();
    }
  }
  if (ok && !buffer.empty() && fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
    ok = errno == EPIPE;
  }
  if (fflush(out) != 0 && errno != EPIPE) ok = false;
  const double elapsed = MonotonicSeconds() - start;
  // CPU time too: on a busy machine wall-clock rates understate the generator.
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double lines = static_cast<double>(options.lines);
  fprintf(stderr,
          "lode-bench gen: %llu lines, %s of text in %.2fs (setup %.3fs): %.2fM lines/s, "
          "%.0f MB/s; %.2fM lines per CPU-second\n",
          static_cast<unsigned long long>(options.lines),
          FormatBytes(static_cast<double>(bytes)).c_str(), elapsed, setup,
          elapsed > 0 ? lines / elapsed / 1e6 : 0.0,
          elapsed > 0 ? static_cast<double>(bytes) / elapsed / 1e6 : 0.0,
          cpu > 0 ? lines / cpu / 1e6 : 0.0);
  if (!ok) fprintf(stderr, "lode-bench gen: write failed: %s\n", strerror(errno));
  return ok;
}

}  // namespace lode::bench
