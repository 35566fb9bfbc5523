// Usage: RUNNER REQUEST.json RESULT.json
// The same protocol as `python -m harness.shell.host`: load the model, first inference and warm-ups with RSS
// sampled, then the timed loop (min_iterations and min_seconds both met, or max_seconds passed) with only the
// inference call timed, and the memory readings from /proc/self.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "runner.h"

namespace runner {
namespace {

json optional_bytes(std::optional<int64_t> value) { return value ? json(*value) : json(); }

std::vector<int64_t> timed_loop(Model& model, const json& settings) {
  const int64_t min_ns = int64_t(settings["min_seconds"].get<double>() * 1e9);
  const int64_t max_ns = int64_t(settings["max_seconds"].get<double>() * 1e9);
  const size_t min_iterations = settings["min_iterations"].get<size_t>();
  std::vector<int64_t> samples;
  const int64_t start = monotonic_ns();
  while (true) {
    const int64_t begin = monotonic_ns();
    model.run_once();
    const int64_t end = monotonic_ns();
    samples.push_back(end - begin);
    if (end - start >= max_ns || (samples.size() >= min_iterations && end - start >= min_ns)) return samples;
  }
}

void measure(Model& model, const json& settings, json& result) {
  json& timing = result["timing"];
  RssSampler sampler;
  int64_t begin = monotonic_ns();
  model.run_once();
  timing["first_inference_ns"] = monotonic_ns() - begin;
  begin = monotonic_ns();
  for (int i = 0; i < settings["warmup_runs"].get<int>(); ++i) model.run_once();
  timing["warmup_ns"] = monotonic_ns() - begin;
  result["memory"]["rss_peak_sampled_bytes"] = optional_bytes(sampler.peak());  // stopped before the loop
  timing["samples_ns"] = timed_loop(model, settings);
  result["memory"]["peak_rss_bytes"] = optional_bytes(own_kib_field("status", "VmHWM"));
  result["memory"]["pss_bytes"] = optional_bytes(own_kib_field("smaps_rollup", "Pss"));
}

void run_request(const Runtime& runtime, const json& request, const std::string& folder, json& result) {
  std::vector<Input> inputs = read_inputs(request, folder);
  runtime.prepare(request);
  result["memory"]["rss_before_load_bytes"] = optional_bytes(own_kib_field("status", "VmRSS"));
  const int64_t begin = monotonic_ns();
  std::unique_ptr<Model> model = runtime.load(request, folder + "/" + request["model"]["path"].get<std::string>());
  result["timing"]["load_ns"] = monotonic_ns() - begin;
  result["memory"]["rss_after_load_bytes"] = optional_bytes(own_kib_field("status", "VmRSS"));
  model->bind(inputs);
  measure(*model, request["measurement"], result);
  result["delegate_applied"] = model->delegate_applied();
  result["status"] = "ok";
}

json empty_result(const Runtime& runtime) {
  return {{"kind", "result"}, {"protocol_version", 2}, {"cell_id", "unknown"}, {"status", "run_failed"},
          {"error", nullptr}, {"shell", {{"name", runtime.shell}, {"version", "1"}, {"platform", "linux-native"}}},
          {"runtime", {{"name", runtime.name}, {"version", runtime.version}}}, {"delegate_applied", nullptr},
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

int run_main(int argc, char** argv, const Runtime& runtime) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " REQUEST.json RESULT.json\n";
    return 2;
  }
  const std::string request_path = argv[1];
  const std::string folder = std::filesystem::path(request_path).parent_path().string();
  json result = empty_result(runtime);
  try {
    const json request = read_request(request_path, runtime.name);
    result["cell_id"] = request["cell_id"];
    try {
      run_request(runtime, request, folder.empty() ? "." : folder, result);
    } catch (const Failure&) {
      throw;
    } catch (const std::exception& error) {
      throw Failure("run_failed", std::string("runner error: ") + error.what());
    }
  } catch (const Failure& failure) {
    result["status"] = failure.status;
    result["error"] = failure.what();
  }
  result["cpu_time_ns"] = cpu_time_ns();
  write_atomically(argv[2], result);
  return 0;
}

}  // namespace runner
