// Progress reports for long imports: a bar with rate and time left on a terminal, plain
// periodic lines otherwise (logs, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace eichub::cli {

// One line for a state rather than a running job: "label [####      ]  40% 4/10". Pure.
std::string progressLine(const std::string& label, uint64_t done, uint64_t total);

class Progress {
 public:
  // label names the work, e.g. "publishing". Writes to stderr.
  explicit Progress(std::string label);
  // Reports done out of total; redraws at most every 100 ms (terminal) or 2 s (plain).
  void update(uint64_t done, uint64_t total);
  // Draws the final state and ends the line.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool final_draw);

  std::string label_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  uint64_t done_ = 0;
  uint64_t total_ = 0;
  bool drawn_ = false;
};

}  // namespace eichub::cli
