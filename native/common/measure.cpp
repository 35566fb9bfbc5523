#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <time.h>

#include "runner.h"

namespace runner {

std::optional<int64_t> own_kib_field(const char* file, const char* field) {
  std::ifstream text(std::string("/proc/self/") + file);
  std::string line, prefix = std::string(field) + ":";
  while (std::getline(text, line)) {
    if (line.rfind(prefix, 0) == 0) {
      std::istringstream rest(line.substr(prefix.size()));
      int64_t kib = 0;
      if (rest >> kib) return kib * 1024;
    }
  }
  return std::nullopt;
}

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t cpu_time_ns() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return int64_t(now.tv_sec) * 1000000000 + now.tv_nsec;
}

struct RssSampler::State {
  std::atomic<bool> stop{false};
  std::mutex lock;
  std::optional<int64_t> peak;
  std::thread thread;

  void sample() {
    auto rss = own_kib_field("status", "VmRSS");
    std::lock_guard<std::mutex> guard(lock);
    if (rss && (!peak || *rss > *peak)) peak = rss;
  }
};

RssSampler::RssSampler() : state_(new State) {
  state_->sample();
  state_->thread = std::thread([state = state_] {
    while (!state->stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // as the Python shell's sampler
      state->sample();
    }
  });
}

std::optional<int64_t> RssSampler::peak() {
  if (state_->thread.joinable()) {
    state_->stop = true;
    state_->thread.join();
    state_->sample();
  }
  return state_->peak;
}

RssSampler::~RssSampler() {
  peak();
  delete state_;
}

}  // namespace runner
