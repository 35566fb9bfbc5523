// torchscript_runner REQUEST.json RESULT.json: a .ptl run on the lite interpreter (torch::jit::mobile) of the
// installed torch wheel, called as PyTorch Mobile's Android and iOS libraries call it: _load_for_mobile, then
// forward under c10::InferenceMode.
#include <map>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/csrc/jit/mobile/module.h>

#include "../common/runner.h"

namespace {

using runner::Failure;

const std::map<std::string, at::ScalarType> kScalarTypes = {
    {"float32", at::kFloat}, {"int32", at::kInt}, {"int64", at::kLong}, {"int8", at::kChar}, {"uint8", at::kByte}};

// The first line of a c10::Error, without the C++ stack trace it appends.
std::string first_line(const std::exception& error) {
  const std::string text = error.what();
  return text.substr(0, text.find('\n'));
}

class LiteInterpreterModel : public runner::Model {
 public:
  explicit LiteInterpreterModel(const std::string& path) try : module_(torch::jit::_load_for_mobile(path)) {
  } catch (const std::exception& error) {
    throw Failure("load_failed", "cannot load the lite interpreter model: " + first_line(error));
  }

  void bind(std::vector<runner::Input>& inputs) override {
    for (runner::Input& input : inputs)
      inputs_.emplace_back(at::from_blob(input.bytes.data(), input.shape, kScalarTypes.at(input.dtype)));
  }

  void run_once() override {
    c10::InferenceMode guard;
    try {
      module_.forward(inputs_);
    } catch (const std::exception& error) {
      throw Failure("run_failed", "forward failed: " + first_line(error));
    }
  }

  std::string delegate_applied() override { return "none"; }

 private:
  torch::jit::mobile::Module module_;
  std::vector<c10::IValue> inputs_;
};

void prepare(const runner::json& request) {
  if (request["delegate"] != "none")
    throw Failure("load_failed", "the lite interpreter runs on its CPU kernels only; " +
                                     request["delegate"].get<std::string>() + " is not available");
  at::set_num_threads(request["threads"].get<int>());
}

}  // namespace

int main(int argc, char** argv) {
  const runner::Runtime runtime{
      "torchscript", "host-native-torchscript", TORCH_PACKAGE_VERSION, prepare,
      [](const runner::json&, const std::string& path) { return std::make_unique<LiteInterpreterModel>(path); }};
  return runner::run_main(argc, argv, runtime);
}
