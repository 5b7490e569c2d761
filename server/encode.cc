#include "server/encode.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

namespace lode::server {

namespace {

// Length of a valid UTF-8 sequence starting at p, or 0.
size_t Utf8Len(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  const unsigned char* run = p;
  while (p < end) {
    unsigned char c = *p;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++p;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8Len(p, end);
      if (n) {
        p += n;
        continue;
      }
    }
    out->append(reinterpret_cast<const char*>(run), p - run);
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
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->append("\xEF\xBF\xBD");  // invalid UTF-8 byte
        }
    }
    ++p;
    run = p;
  }
  out->append(reinterpret_cast<const char*>(run), p - run);
  out->push_back('"');
}

void AppendLabelsObject(std::string* out, const Labels& ls) {
  out->push_back('{');
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, ls[i].name);
    out->push_back(':');
    AppendJsonString(out, ls[i].value);
  }
  out->push_back('}');
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  std::string s(buf, r.ptr);
  if (s == "-0") s = "-0";
  return s;
}

std::string FormatSeconds(int64_t ns) {
  int64_t s = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    s -= 1;
  }
  if (rem == 0) return std::to_string(s);
  int64_t ms = rem / 1000000;
  if (ms == 0) return std::to_string(s);
  char buf[8];
  snprintf(buf, sizeof(buf), "%03lld", static_cast<long long>(ms));
  std::string f = buf;
  while (!f.empty() && f.back() == '0') f.pop_back();
  return std::to_string(s) + "." + f;
}

std::string FormatRfc3339Nano(int64_t ns) {
  int64_t secs = ns / 1000000000LL;
  int64_t frac = ns % 1000000000LL;
  if (frac < 0) {
    frac += 1000000000LL;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac) {
    char f[16];
    snprintf(f, sizeof(f), ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + "Z";
}

void AppendStats(std::string* out, const logql::QueryStats& st, size_t entries_returned) {
  double exec = st.exec_seconds > 0 ? st.exec_seconds : 1e-9;
  char buf[1024];
  snprintf(
      buf, sizeof(buf),
      "\"stats\":{\"summary\":{\"bytesProcessedPerSecond\":%llu,\"linesProcessedPerSecond\":%llu,"
      "\"totalBytesProcessed\":%llu,\"totalLinesProcessed\":%llu,\"execTime\":%.6f,\"queueTime\":0,"
      "\"subqueries\":0,\"totalEntriesReturned\":%zu,\"splits\":0,\"shards\":0,"
      "\"totalPostFilterLines\":0,\"totalStructuredMetadataBytesProcessed\":0},"
      "\"querier\":{\"store\":{\"totalChunksRef\":%llu,\"totalChunksDownloaded\":%llu,"
      "\"chunksDownloadTime\":0,\"chunk\":{\"headChunkBytes\":0,\"headChunkLines\":0,"
      "\"decompressedBytes\":%llu,\"decompressedLines\":%llu,\"compressedBytes\":0,"
      "\"totalDuplicates\":0}}},"
      "\"ingester\":{\"totalReached\":0,\"totalChunksMatched\":0,\"totalBatches\":0,"
      "\"totalLinesSent\":0,"
      "\"store\":{\"chunk\":{\"headChunkBytes\":0,\"headChunkLines\":0,\"decompressedBytes\":0,"
      "\"decompressedLines\":0,\"compressedBytes\":0,\"totalDuplicates\":0}}}}",
      static_cast<unsigned long long>(st.bytes_processed / exec),
      static_cast<unsigned long long>(st.lines_processed / exec),
      static_cast<unsigned long long>(st.bytes_processed),
      static_cast<unsigned long long>(st.lines_processed), st.exec_seconds, entries_returned,
      static_cast<unsigned long long>(st.chunks_read),
      static_cast<unsigned long long>(st.chunks_read),
      static_cast<unsigned long long>(st.bytes_processed),
      static_cast<unsigned long long>(st.lines_processed));
  out->append(buf);
}

// With categorize-labels only indexed labels identify a stream: entries whose
// metadata or parsed labels differ are merged back into their stream.
void MergeByStreamLabels(std::vector<logql::StreamResult>* streams, Direction dir) {
  std::vector<logql::StreamResult> out;
  std::map<std::string, size_t> index;
  for (auto& s : *streams) {
    auto [it, inserted] = index.try_emplace(LabelsToString(s.stream), out.size());
    if (inserted) {
      s.labels = s.stream;
      out.push_back(std::move(s));
      continue;
    }
    auto& dst = out[it->second].entries;
    for (auto& e : s.entries) dst.push_back(std::move(e));
  }
  bool fwd = dir == Direction::kForward;
  for (auto& s : out) {
    std::stable_sort(s.entries.begin(), s.entries.end(),
                     [fwd](const logql::ResultEntry& a, const logql::ResultEntry& b) {
                       return fwd ? a.ts < b.ts : a.ts > b.ts;
                     });
  }
  *streams = std::move(out);
}

std::string EncodeQueryResult(const logql::QueryResult& r, bool categorize) {
  std::string out;
  out.reserve(4096);
  out += "{\"status\":\"success\",\"data\":{";
  size_t entries = 0;
  using T = logql::QueryResult::Type;
  if (r.type == T::kStreams) {
    out += "\"resultType\":\"streams\",";
    if (categorize) out += "\"encodingFlags\":[\"categorize-labels\"],";
    out += "\"result\":[";
    for (size_t i = 0; i < r.streams.size(); ++i) {
      const auto& s = r.streams[i];
      if (i) out.push_back(',');
      out += "{\"stream\":";
      AppendLabelsObject(&out, categorize ? s.stream : s.labels);
      out += ",\"values\":[";
      for (size_t j = 0; j < s.entries.size(); ++j) {
        const auto& e = s.entries[j];
        if (j) out.push_back(',');
        out += "[\"" + std::to_string(e.ts) + "\",";
        AppendJsonString(&out, e.line);
        if (categorize && (!e.structured_metadata.empty() || !e.parsed.empty())) {
          out += ",{";
          bool first = true;
          if (!e.structured_metadata.empty()) {
            out += "\"structuredMetadata\":";
            AppendLabelsObject(&out, e.structured_metadata);
            first = false;
          }
          if (!e.parsed.empty()) {
            if (!first) out.push_back(',');
            out += "\"parsed\":";
            AppendLabelsObject(&out, e.parsed);
          }
          out.push_back('}');
        }
        out.push_back(']');
      }
      entries += s.entries.size();
      out += "]}";
    }
    out += "],";
  } else {
    const auto& m = r.metric;
    if (r.type == T::kScalar) {
      out += "\"resultType\":\"scalar\",\"result\":";
      int64_t t = 0;
      double v = 0;
      if (!m.series.empty() && !m.series[0].points.empty()) {
        t = m.series[0].points[0].t_ns;
        v = m.series[0].points[0].v;
      }
      out += "[" + FormatSeconds(t) + ",\"" + FormatValue(v) + "\"],";
    } else {
      bool matrix = r.type == T::kMatrix;
      out += matrix ? "\"resultType\":\"matrix\",\"result\":["
                    : "\"resultType\":\"vector\",\"result\":[";
      bool first = true;
      for (const auto& s : m.series) {
        if (s.points.empty()) continue;
        if (!first) out.push_back(',');
        first = false;
        out += "{\"metric\":";
        AppendLabelsObject(&out, s.metric);
        if (matrix) {
          out += ",\"values\":[";
          for (size_t j = 0; j < s.points.size(); ++j) {
            if (j) out.push_back(',');
            out +=
                "[" + FormatSeconds(s.points[j].t_ns) + ",\"" + FormatValue(s.points[j].v) + "\"]";
          }
          out += "]}";
        } else {
          out += ",\"value\":[" + FormatSeconds(s.points[0].t_ns) + ",\"" +
                 FormatValue(s.points[0].v) + "\"]}";
        }
      }
      out += "],";
    }
  }
  AppendStats(&out, r.stats, entries);
  out += "}}";
  return out;
}

std::string StringListJson(const std::vector<std::string>& v) {
  std::string out = "{\"status\":\"success\",\"data\":[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, v[i]);
  }
  out += "]}";
  return out;
}

}  // namespace lode::server
