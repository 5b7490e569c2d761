// Exactly once across crashes: numbered lines are written to three files
// that rotate in all three styles while lode is killed with SIGKILL again and
// again; at the end every number is stored once, in order, per file.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <random>

#include "tests/collector/collector_harness.h"

namespace lode::testing {
namespace {

constexpr int kLines = 3000;       // per file
constexpr int kRotateEvery = 250;  // lines

// Writes kLines numbered lines to `path` in small batches and rotates it
// every kRotateEvery lines in the given style.
// `stored` counts the lines lode has stored from this file. copytruncate
// loses a generation by its nature when the reader is lapped by two
// truncations (logrotate's documented race, in every shipper), so before
// each copytruncate the writer gives lode up to 5 s to catch up; the test
// then checks exactly-once for everything lode can see.
void Writer(const std::string& path, const std::string& style, std::atomic<bool>* stop,
            int* written, std::function<size_t()> stored) {
  const std::string tag = std::filesystem::path(path).stem().string();
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  for (int n = 0; n < kLines && !stop->load(); n += 10) {
    std::string s = NumberedLines(tag, n, n + 10);
    if (write(fd, s.data(), s.size()) != static_cast<ssize_t>(s.size()))
      ADD_FAILURE() << "write failed";
    if ((n + 10) % kRotateEvery == 0) {
      if (style == "copytruncate") {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (stored() < static_cast<size_t>(n + 10) &&
               std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CopyTruncate(path);
      } else {
        ShiftRotate(path);
        int fresh = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (style == "create" && n + 20 <= kLines) {
          // logrotate `create`: the program writes to the old file until it reopens.
          n += 10;
          std::string more = NumberedLines(tag, n, n + 10);
          if (write(fd, more.data(), more.size()) != static_cast<ssize_t>(more.size()))
            ADD_FAILURE();
        }
        close(fd);
        fd = fresh;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(12));
  }
  close(fd);
  *written = kLines;
}

TEST(CollectorExactlyOnce, Kill9WhileRotating) {
  TempDir d;
  WriteFile(d / "log-sources.yml",
            "log_sources:\n  - name: crash\n    path: logs\n    labels: {job: crash}\n"
            "    labels_from_path: '/(?P<stream>f\\d)\\.log$'\n    timestamp: read_time\n");
  std::filesystem::create_directories(d / "logs");
  LodeProcess lode({"--log-sources", d / "log-sources.yml"});
  ASSERT_TRUE(lode.Ready());
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  std::vector<int> written(3, 0);
  const std::vector<std::string> styles = {"create", "rotating_file_handler", "copytruncate"};
  for (size_t i = 0; i < styles.size(); ++i) {
    const std::string q = "{job=\"crash\", stream=\"f" + std::to_string(i) + "\"}";
    writers.emplace_back(Writer, d / ("logs/f" + std::to_string(i) + ".log"), styles[i], &stop,
                         &written[i], [&lode, q] { return QueryLines(lode, q).size(); });
  }
  std::mt19937 rng(42);
  int kills = 0;
  for (int round = 0; round < 6; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 500));
    lode.Kill9();
    ++kills;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(100 + rng() % 400));  // rotations happen meanwhile
    ASSERT_TRUE(lode.Start()) << "restart " << round;
  }
  for (auto& w : writers) w.join();
  EXPECT_GE(kills, 5);
  for (size_t i = 0; i < styles.size(); ++i) {
    std::string q = "{job=\"crash\", stream=\"f" + std::to_string(i) + "\"}";
    EXPECT_TRUE(
        WaitFor([&] { return QueryLines(lode, q).size() >= static_cast<size_t>(kLines); }, 30000))
        << styles[i] << ": " << QueryLines(lode, q).size() << " lines";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // anything extra would show now
  for (size_t i = 0; i < styles.size(); ++i) {
    std::string q = "{job=\"crash\", stream=\"f" + std::to_string(i) + "\"}";
    std::vector<int> got = Numbers(QueryLines(lode, q));
    ASSERT_EQ(written[i], kLines);
    EXPECT_EQ(got.size(), static_cast<size_t>(kLines)) << styles[i];
    std::map<int, int> count;
    for (int n : got) ++count[n];
    std::string dup, missing;
    for (int n = 0; n < kLines; ++n) {
      if (count[n] > 1 && dup.size() < 200)
        dup += std::to_string(n) + "x" + std::to_string(count[n]) + " ";
      if (count[n] == 0 && missing.size() < 200) missing += std::to_string(n) + " ";
    }
    EXPECT_TRUE(dup.empty() && missing.empty())
        << styles[i] << ": duplicated " << dup << "; missing " << missing;
    EXPECT_TRUE(got == Range(0, kLines)) << styles[i] << ": out of order";
  }
  if (::testing::Test::HasFailure()) {
    std::ifstream log(lode.data_dir() + "/lode.log");
    std::string line;
    while (std::getline(log, line)) {
      if (line.find("collector") != std::string::npos) std::cerr << line << "\n";
    }
  }
}

}  // namespace
}  // namespace lode::testing
