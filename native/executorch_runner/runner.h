// The native host runner: one request of the harness's protocol (harness/protocol/schema/v2.json),
// run on ExecuTorch's Module, answered with one result file. Raw samples only; no statistics.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor_ptr.h>
#include <nlohmann/json.hpp>

namespace runner {

using json = nlohmann::json;

// A request that cannot be run as asked: answered with this status and message, never a crash.
struct Failure : std::runtime_error {
  Failure(std::string status_, const std::string& message) : std::runtime_error(message), status(std::move(status_)) {}
  std::string status;  // bad_request, load_failed or run_failed
};

struct Input {
  std::vector<uint8_t> bytes;
  std::vector<executorch::aten::SizesType> shape;
  executorch::aten::ScalarType type;
};

// request.cpp: the checked request, and its input files read from the request's folder.
json read_request(const std::string& path);
std::vector<Input> read_inputs(const json& request, const std::string& folder);

// measure.cpp: /proc/self readings, in bytes; empty where the kernel does not say.
std::optional<int64_t> own_kib_field(const char* file, const char* field);
int64_t monotonic_ns();
int64_t cpu_time_ns();

class RssSampler {  // VmRSS sampled on a thread while it lives; peak() is the largest sample
 public:
  RssSampler();
  ~RssSampler();
  std::optional<int64_t> peak();

 private:
  struct State;
  State* state_;
};

}  // namespace runner
