// executorch_runner REQUEST.json RESULT.json: a .pte run on ExecuTorch's Module from the installed wheel.
#include <map>

#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor_ptr.h>
#include <executorch/runtime/backend/interface.h>

#include "../common/runner.h"

// The wheel ships the thread pool library but not its header: the two calls used here, as it defines them.
namespace executorch::extension::threadpool {
class ThreadPool {
 public:
  bool _unsafe_reset_threadpool(uint32_t num_threads);
};
ThreadPool* get_threadpool();
}  // namespace executorch::extension::threadpool

namespace {

using executorch::aten::ScalarType;
using executorch::extension::Module;
using executorch::runtime::EValue;
using runner::Failure;

const std::map<std::string, std::string> kBackendIds = {
    {"xnnpack", "XnnpackBackend"}, {"vulkan", "VulkanBackend"}, {"coreml", "CoreMLBackend"},
    {"mps", "MPSBackend"}, {"qnn", "QnnBackend"}};

const std::map<std::string, ScalarType> kScalarTypes = {
    {"float32", ScalarType::Float}, {"int32", ScalarType::Int}, {"int64", ScalarType::Long},
    {"int8", ScalarType::Char}, {"uint8", ScalarType::Byte}};

std::string error_text(const char* what, executorch::runtime::Error error) {
  return std::string(what) + " (ExecuTorch error " + std::to_string(int(error)) + ")";
}

class ExecuTorchModel : public runner::Model {
 public:
  explicit ExecuTorchModel(const std::string& path) : module_(path) {
    const auto error = module_.load_forward();
    if (error != executorch::runtime::Error::Ok) throw Failure("load_failed", error_text("cannot load forward", error));
  }

  void bind(std::vector<runner::Input>& inputs) override {
    for (runner::Input& input : inputs) {
      std::vector<executorch::aten::SizesType> shape(input.shape.begin(), input.shape.end());
      tensors_.push_back(executorch::extension::make_tensor_ptr(shape, input.bytes.data(),
                                                                kScalarTypes.at(input.dtype)));
      values_.emplace_back(*tensors_.back());
    }
  }

  void run_once() override {
    auto outputs = module_.forward(values_);
    if (!outputs.ok()) throw Failure("run_failed", error_text("forward failed", outputs.error()));
  }

  std::string delegate_applied() override {
    auto meta = module_.method_meta("forward");
    std::string names;
    for (size_t i = 0; meta.ok() && i < meta->num_backends(); ++i) {
      auto name = meta->get_backend_name(i);
      std::string id = name.ok() ? *name : "unknown";
      for (const auto& [delegate, backend] : kBackendIds)
        if (backend == id) id = delegate;
      const std::string joined = "+" + names + "+";
      if (joined.find("+" + id + "+") == std::string::npos) names += (names.empty() ? "" : "+") + id;  // once each
    }
    return names.empty() ? "none" : names;
  }

 private:
  Module module_;
  std::vector<executorch::extension::TensorPtr> tensors_;
  std::vector<EValue> values_;
};

void prepare(const runner::json& request) {
  const std::string delegate = request["delegate"];
  if (delegate != "none") {
    auto id = kBackendIds.find(delegate);
    if (id == kBackendIds.end() || executorch::runtime::get_backend_class(id->second.c_str()) == nullptr)
      throw Failure("load_failed", "this ExecuTorch build has no " + delegate + " backend");
  }
  executorch::extension::threadpool::get_threadpool()->_unsafe_reset_threadpool(request["threads"].get<uint32_t>());
}

}  // namespace

int main(int argc, char** argv) {
  const runner::Runtime runtime{
      "executorch", "host-native-executorch", EXECUTORCH_VERSION, prepare,
      [](const runner::json&, const std::string& path) { return std::make_unique<ExecuTorchModel>(path); }};
  return runner::run_main(argc, argv, runtime);
}
