#import "MBTorchLiteModule.h"

#import <LibTorch-Lite/LibTorch-Lite.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

static NSString *const MBTorchLiteErrorDomain = @"org.mobilebench.shell.torchlite";

static BOOL MBFail(NSError **error, NSString *what, const std::exception &exception) {
  if (error) {
    NSString *text = [NSString stringWithFormat:@"%@: %s", what, exception.what()];
    *error = [NSError errorWithDomain:MBTorchLiteErrorDomain code:1 userInfo:@{NSLocalizedDescriptionKey: text}];
  }
  return NO;
}

static bool MBScalarType(NSString *dtype, at::ScalarType *type) {
  if ([dtype isEqualToString:@"float32"]) { *type = at::kFloat; return true; }
  if ([dtype isEqualToString:@"int32"]) { *type = at::kInt; return true; }
  if ([dtype isEqualToString:@"int64"]) { *type = at::kLong; return true; }
  if ([dtype isEqualToString:@"int8"]) { *type = at::kChar; return true; }
  if ([dtype isEqualToString:@"uint8"]) { *type = at::kByte; return true; }
  return false;
}

@implementation MBTorchLiteModule {
  torch::jit::mobile::Module _module;
  std::vector<c10::IValue> _inputs;
}

- (nullable instancetype)initWithFileAtPath:(NSString *)path threads:(NSInteger)threads error:(NSError **)error {
  self = [super init];
  if (!self) return nil;
  try {
    at::set_num_threads(static_cast<int>(threads));
    _module = torch::jit::_load_for_mobile(path.UTF8String);
  } catch (const std::exception &exception) {
    MBFail(error, @"_load_for_mobile", exception);
    return nil;
  }
  return self;
}

- (BOOL)setInputs:(NSArray<NSData *> *)data
           shapes:(NSArray<NSArray<NSNumber *> *> *)shapes
           dtypes:(NSArray<NSString *> *)dtypes
            error:(NSError **)error {
  try {
    _inputs.clear();
    for (NSUInteger index = 0; index < data.count; index++) {
      at::ScalarType type;
      if (!MBScalarType(dtypes[index], &type)) {
        throw std::invalid_argument(std::string("unsupported dtype ") + dtypes[index].UTF8String);
      }
      std::vector<int64_t> sizes;
      for (NSNumber *size in shapes[index]) sizes.push_back(size.longLongValue);
      // from_blob borrows the NSData's bytes; clone() gives the tensor its own copy.
      at::Tensor tensor = at::from_blob(const_cast<void *>(data[index].bytes), sizes, at::TensorOptions().dtype(type)).clone();
      _inputs.emplace_back(tensor);
    }
    return YES;
  } catch (const std::exception &exception) {
    return MBFail(error, @"inputs", exception);
  }
}

- (BOOL)runWithError:(NSError **)error {
  try {
    c10::InferenceMode guard;
    c10::IValue output = _module.forward(_inputs);
    (void)output;
    return YES;
  } catch (const std::exception &exception) {
    return MBFail(error, @"forward", exception);
  }
}

@end
