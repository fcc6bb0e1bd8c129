// Progress bar and periodic progress lines.
#include "node/cli/progress.h"

#include <algorithm>
#include <cstdio>

#include <fmt/core.h>
#include <unistd.h>

namespace eichub::cli {

namespace {
constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
constexpr auto kPlainInterval = std::chrono::seconds(2);
constexpr int kBarWidth = 30;
}  // namespace

std::string progressLine(const std::string& label, uint64_t done, uint64_t total) {
  const uint64_t shown = std::min(done, total);
  double fraction = total ? static_cast<double>(shown) / static_cast<double>(total) : 1.0;
  int filled = static_cast<int>(fraction * kBarWidth);
  return fmt::format("{} [{}{}] {:3.0f}% {}/{}", label, std::string(filled, '#'),
                     std::string(kBarWidth - filled, ' '), fraction * 100, done, total);
}

Progress::Progress(std::string label)
    : label_(std::move(label)),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      last_draw_(start_) {}

void Progress::update(uint64_t done, uint64_t total) {
  done_ = done;
  total_ = total;
  auto now = Clock::now();
  if (now - last_draw_ < (terminal_ ? kTerminalInterval : kPlainInterval)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (drawn_ || terminal_) draw(true);
}

void Progress::draw(bool final_draw) {
  drawn_ = true;
  double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  double left = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
  if (terminal_) {
    int filled = static_cast<int>(fraction * kBarWidth);
    fmt::print(stderr, "\r{} [{}{}] {:3.0f}% {}/{} {:.0f}/s {:.0f}s left  ", label_,
               std::string(filled, '#'), std::string(kBarWidth - filled, ' '), fraction * 100,
               done_, total_, rate, left);
    if (final_draw) fmt::print(stderr, "\n");
  } else {
    fmt::print(stderr, "{}: {}/{} ({:.0f}%) {:.0f}/s {:.0f}s left\n", label_, done_, total_,
               fraction * 100, rate, left);
  }
  std::fflush(stderr);
}

}  // namespace eichub::cli
