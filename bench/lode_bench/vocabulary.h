// Vocabulary: the word lists the log generator draws from, and the skewed
// choice tables that make some words far more common than others.
//
// Everything here is immutable after Vocabulary::Get() returns and may be
// shared by any number of threads. Strings are views into static storage
// (or into the Vocabulary singleton), valid for the whole program.
//
// The query suite (query_suite.cc) builds its needles from the constants
// below so that every query matches something in the generated data.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "bench/lode_bench/rng.h"

namespace lode::bench {

// A token found in about 1 of 10,000 lines of app="api" (a TLS error).
inline constexpr std::string_view kRareNeedle = "unknown authority";
// A path found in roughly 1 of 8 lines of app="api".
inline constexpr std::string_view kCommonNeedle = "/api/v1/orders";

// Chooses an index in [0, n) with a fixed distribution using a 4096-slot
// lookup table: one random draw and one load per choice. Items whose weight
// is below 1/4096 of the total may never be chosen.
class WeightedTable {
 public:
  WeightedTable() = default;
  explicit WeightedTable(const std::vector<double>& weights);
  // Zipf-like weights 1/(i+1)^exponent for i in [0, n).
  static WeightedTable Zipf(size_t n, double exponent);

  uint32_t Pick(Rng& rng) const { return slots_[rng.Next() >> 52]; }

 private:
  std::vector<uint16_t> slots_;
};

// A list of strings with a skewed choice table over it.
struct WordList {
  std::vector<std::string_view> words;
  WeightedTable table;

  std::string_view Pick(Rng& rng) const { return words[table.Pick(rng)]; }
};

struct Vocabulary {
  // JSON API logs (app="api").
  WordList http_methods;
  WordList api_paths;  // may contain one '#', replaced by a numeric id
  WordList users;
  WordList api_messages_ok;
  WordList api_messages_client_error;
  WordList api_messages_server_error;
  // logfmt worker logs (app="worker"), one message list per level.
  WordList queues;
  WordList worker_messages[4];
  // nginx combined access logs (app="nginx").
  WordList nginx_paths;
  WordList user_agents;
  WordList referrers;
  // syslog (app="syslog"), one template list per level; '#' is a number.
  WordList syslog_lines[4];
  // PostgreSQL (app="postgres").
  WordList sql_statements;
  WordList pg_errors;
  WordList pg_notices;
  // Java service (app="billing").
  WordList java_threads;
  WordList java_loggers;
  WordList java_messages[4];
  WordList java_exceptions;
  WordList java_frames;

  static const Vocabulary& Get();

 private:
  Vocabulary();
  std::deque<std::string> owned_;  // stable storage for generated words
};

}  // namespace lode::bench
