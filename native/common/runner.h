// The native host runners: one request of the harness's protocol (harness/protocol/schema/v2.json), run on a
// runtime's own C++ API, answered with one result file. Raw samples only; no statistics. This part is the same
// for every runtime; each runtime's folder supplies a Runtime and calls run_main.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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
  std::vector<int64_t> shape;
  std::string dtype;  // the protocol's name: float32, int32, int64, int8, uint8
};

// A loaded model: its inputs bound once, then what the measurement loop calls.
class Model {
 public:
  virtual ~Model() = default;
  virtual void bind(std::vector<Input>& inputs) = 0;  // not timed; the inputs outlive the model's runs
  virtual void run_once() = 0;  // one inference; throws Failure("run_failed", ...) when it fails
  virtual std::string delegate_applied() = 0;
};

struct Runtime {
  std::string name;     // the request's runtime, e.g. executorch
  std::string shell;    // the result's shell.name, e.g. host-native-executorch
  std::string version;  // the runtime's version, as its package names it
  // Before the baseline memory reading: thread count, delegate checks. Throws Failure.
  std::function<void(const json& request)> prepare;
  // Loads the model file, timed as load_ns. Throws Failure.
  std::function<std::unique_ptr<Model>(const json& request, const std::string& path)> load;
};

// main.cpp: the whole program, for `RUNNER REQUEST.json RESULT.json`.
int run_main(int argc, char** argv, const Runtime& runtime);

// request.cpp: the checked request, and its input files read from the request's folder.
json read_request(const std::string& path, const std::string& runtime);
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
