// Usage: executorch_runner REQUEST.json RESULT.json
// The same protocol as `python -m harness.shell.host`: load the .pte, first inference and warm-ups with RSS
// sampled, then the timed loop (min_iterations and min_seconds both met, or max_seconds passed) with only the
// inference call timed, and the memory readings from /proc/self.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <executorch/runtime/backend/interface.h>

#include "runner.h"

// The wheel ships the thread pool library but not its header: the two calls used here, as it defines them.
namespace executorch::extension::threadpool {
class ThreadPool {
 public:
  bool _unsafe_reset_threadpool(uint32_t num_threads);
};
ThreadPool* get_threadpool();
}  // namespace executorch::extension::threadpool

namespace runner {
namespace {

using executorch::extension::Module;
using executorch::runtime::EValue;

const std::map<std::string, std::string> kBackendIds = {
    {"xnnpack", "XnnpackBackend"}, {"vulkan", "VulkanBackend"}, {"coreml", "CoreMLBackend"},
    {"mps", "MPSBackend"}, {"qnn", "QnnBackend"}};

std::string error_text(const char* what, executorch::runtime::Error error) {
  return std::string(what) + " (ExecuTorch error " + std::to_string(int(error)) + ")";
}

json optional_bytes(std::optional<int64_t> value) { return value ? json(*value) : json(); }

std::string applied_delegates(Module& module) {
  auto meta = module.method_meta("forward");
  std::string names;
  for (size_t i = 0; meta.ok() && i < meta->num_backends(); ++i) {
    auto name = meta->get_backend_name(i);
    std::string id = name.ok() ? *name : "unknown";
    for (const auto& [delegate, backend] : kBackendIds)
      if (backend == id) id = delegate;
    const std::string joined = "+" + names + "+";
    if (joined.find("+" + id + "+") == std::string::npos) names += (names.empty() ? "" : "+") + id;  // once per backend
  }
  return names.empty() ? "none" : names;
}

void run_once(Module& module, const std::vector<EValue>& inputs) {
  auto outputs = module.forward(inputs);
  if (!outputs.ok()) throw Failure("run_failed", error_text("forward failed", outputs.error()));
}

std::vector<int64_t> timed_loop(Module& module, const std::vector<EValue>& inputs, const json& settings) {
  const int64_t min_ns = int64_t(settings["min_seconds"].get<double>() * 1e9);
  const int64_t max_ns = int64_t(settings["max_seconds"].get<double>() * 1e9);
  const size_t min_iterations = settings["min_iterations"].get<size_t>();
  std::vector<int64_t> samples;
  const int64_t start = monotonic_ns();
  while (true) {
    const int64_t begin = monotonic_ns();
    run_once(module, inputs);
    const int64_t end = monotonic_ns();
    samples.push_back(end - begin);
    if (end - start >= max_ns || (samples.size() >= min_iterations && end - start >= min_ns)) return samples;
  }
}

std::unique_ptr<Module> load(const json& request, const std::string& folder, json& result) {
  const std::string delegate = request["delegate"];
  if (delegate != "none") {
    auto id = kBackendIds.find(delegate);
    if (id == kBackendIds.end() || executorch::runtime::get_backend_class(id->second.c_str()) == nullptr)
      throw Failure("load_failed", "this ExecuTorch build has no " + delegate + " backend");
  }
  executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(request["threads"].get<uint32_t>());
  result["memory"]["rss_before_load_bytes"] = optional_bytes(own_kib_field("status", "VmRSS"));
  const int64_t begin = monotonic_ns();
  auto module = std::make_unique<Module>(folder + "/" + request["model"]["path"].get<std::string>());
  const auto error = module->load_forward();
  if (error != executorch::runtime::Error::Ok) throw Failure("load_failed", error_text("cannot load forward", error));
  result["timing"]["load_ns"] = monotonic_ns() - begin;
  result["memory"]["rss_after_load_bytes"] = optional_bytes(own_kib_field("status", "VmRSS"));
  return module;
}

void measure(Module& module, const std::vector<EValue>& inputs, const json& settings, json& result) {
  json& timing = result["timing"];
  RssSampler sampler;
  int64_t begin = monotonic_ns();
  run_once(module, inputs);
  timing["first_inference_ns"] = monotonic_ns() - begin;
  begin = monotonic_ns();
  for (int i = 0; i < settings["warmup_runs"].get<int>(); ++i) run_once(module, inputs);
  timing["warmup_ns"] = monotonic_ns() - begin;
  result["memory"]["rss_peak_sampled_bytes"] = optional_bytes(sampler.peak());  // stopped before the loop
  timing["samples_ns"] = timed_loop(module, inputs, settings);
  result["memory"]["peak_rss_bytes"] = optional_bytes(own_kib_field("status", "VmHWM"));
  result["memory"]["pss_bytes"] = optional_bytes(own_kib_field("smaps_rollup", "Pss"));
}

void run_request(const json& request, const std::string& folder, json& result) {
  std::vector<Input> inputs = read_inputs(request, folder);
  auto module = load(request, folder, result);
  std::vector<executorch::extension::TensorPtr> tensors;
  std::vector<EValue> values;
  for (Input& input : inputs) {
    tensors.push_back(executorch::extension::make_tensor_ptr(input.shape, input.bytes.data(), input.type));
    values.emplace_back(*tensors.back());
  }
  measure(*module, values, request["measurement"], result);
  result["delegate_applied"] = applied_delegates(*module);
  result["status"] = "ok";
}

json empty_result(const std::string& cell_id) {
  return {{"kind", "result"}, {"protocol_version", 2}, {"cell_id", cell_id}, {"status", "run_failed"},
          {"error", nullptr},
          {"shell", {{"name", "host-native-executorch"}, {"version", "1"}, {"platform", "linux-native"}}},
          {"runtime", {{"name", "executorch"}, {"version", EXECUTORCH_VERSION}}}, {"delegate_applied", nullptr},
          {"timing", {{"clock", "std::chrono::steady_clock"}, {"load_ns", nullptr}, {"first_inference_ns", nullptr},
                      {"samples_ns", json::array()}}},
          {"memory", {{"rss_before_load_bytes", nullptr}, {"rss_after_load_bytes", nullptr},
                      {"peak_rss_bytes", nullptr}, {"rss_peak_sampled_bytes", nullptr}}},
          {"cpu_time_ns", nullptr}};
}

void write_atomically(const std::string& path, const json& result) {
  const std::string temporary = path + ".partial";
  std::ofstream(temporary) << result.dump(1) << "\n";
  std::filesystem::rename(temporary, path);
}

}  // namespace
}  // namespace runner

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: executorch_runner REQUEST.json RESULT.json\n";
    return 2;
  }
  const std::string request_path = argv[1];
  const std::string folder = std::filesystem::path(request_path).parent_path().string();
  runner::json result = runner::empty_result("unknown");
  try {
    const runner::json request = runner::read_request(request_path);
    result["cell_id"] = request["cell_id"];
    try {
      runner::run_request(request, folder.empty() ? "." : folder, result);
    } catch (const runner::Failure&) {
      throw;
    } catch (const std::exception& error) {
      throw runner::Failure("run_failed", std::string("runner error: ") + error.what());
    }
  } catch (const runner::Failure& failure) {
    result["status"] = failure.status;
    result["error"] = failure.what();
  }
  result["cpu_time_ns"] = runner::cpu_time_ns();
  runner::write_atomically(argv[2], result);
  return 0;
}
