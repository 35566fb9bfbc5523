#include <fstream>
#include <iterator>
#include <map>

#include "runner.h"

namespace runner {

namespace {

const std::map<std::string, size_t> kDtypeBytes = {
    {"float32", 4}, {"int32", 4}, {"int64", 8}, {"int8", 1}, {"uint8", 1}};

void require(bool holds, const std::string& message) {
  if (!holds) throw Failure("bad_request", message);
}

}  // namespace

// The fields this runner reads, checked enough that a malformed request is a bad_request, never a crash.
json read_request(const std::string& path, const std::string& runtime) {
  std::ifstream file(path);
  require(bool(file), "cannot read the request file " + path);
  json request = json::parse(file, nullptr, false);
  require(!request.is_discarded() && request.is_object(), "the request is not a JSON object");
  require(request.value("kind", "") == "request", "kind: expected \"request\"");
  require(request.value("protocol_version", 0) == 2,
          "protocol_version: this runner speaks protocol 2, not " + request.value("protocol_version", json()).dump());
  for (const char* key : {"cell_id", "runtime", "delegate"})
    require(request.contains(key) && request[key].is_string(), std::string(key) + ": a string is required");
  require(request["runtime"] == runtime, "runtime: this runner runs " + runtime + " only, not " +
                                            request["runtime"].get<std::string>());
  require(request.contains("model") && request["model"].is_object() && request["model"].contains("path"),
          "model.path is required");
  require(request.value("threads", 0) >= 1, "threads: at least 1");
  require(request.contains("inputs") && request["inputs"].is_array(), "inputs: a list is required");
  const json& m = request.value("measurement", json::object());
  for (const char* key : {"warmup_runs", "min_iterations", "min_seconds", "max_seconds"})
    require(m.contains(key) && m[key].is_number() && m[key].get<double>() >= 0,
            std::string("measurement.") + key + ": a number >= 0 is required");
  require(m["min_iterations"].get<double>() >= 1 && m["max_seconds"].get<double>() > 0,
          "measurement: min_iterations >= 1 and max_seconds > 0 are required");
  require(!request.contains("profile"), "profile: this runner does not profile operators; use the Python shell");
  return request;
}

std::vector<Input> read_inputs(const json& request, const std::string& folder) {
  std::vector<Input> inputs;
  for (const json& spec : request["inputs"]) {
    const std::string path = spec.value("path", "");
    auto dtype = kDtypeBytes.find(spec.value("dtype", ""));
    require(dtype != kDtypeBytes.end(), path + ": unknown dtype " + spec.value("dtype", json()).dump());
    Input input{{}, {}, dtype->first};
    size_t count = 1;
    for (const json& size : spec.value("shape", json::array())) {
      require(size.is_number_integer() && size.get<int64_t>() >= 0, path + ": a shape holds sizes >= 0");
      input.shape.push_back(size.get<int64_t>());
      count *= size.get<size_t>();
    }
    std::ifstream file(folder + "/" + path, std::ios::binary);
    require(bool(file), "cannot read the input file " + path);
    input.bytes.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    const size_t needed = count * dtype->second;
    require(input.bytes.size() == needed, path + " holds " + std::to_string(input.bytes.size()) +
                                              " bytes; its shape and dtype need " + std::to_string(needed));
    inputs.push_back(std::move(input));
  }
  return inputs;
}

}  // namespace runner
