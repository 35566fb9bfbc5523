// A small Objective-C face on LibTorch-Lite's C++ API, for TorchLiteSession.swift. No C++ in this header, so the
// bridging header can import it into Swift.
#import <Foundation/Foundation.h>

NS_ASSUME_NONNULL_BEGIN

@interface MBTorchLiteModule : NSObject

/// torch::jit::_load_for_mobile on the file, after at::set_num_threads(threads). Swift: init(fileAtPath:threads:) throws.
- (nullable instancetype)initWithFileAtPath:(NSString *)path
                                    threads:(NSInteger)threads
                                      error:(NSError **)error NS_DESIGNATED_INITIALIZER;

- (instancetype)init NS_UNAVAILABLE;

/// Copies each raw little-endian buffer into a CPU tensor of that shape and dtype (float32, int32, int64, int8,
/// uint8), kept for every run.
- (BOOL)setInputs:(NSArray<NSData *> *)data
           shapes:(NSArray<NSArray<NSNumber *> *> *)shapes
           dtypes:(NSArray<NSString *> *)dtypes
            error:(NSError **)error;

/// One forward call under c10::InferenceMode; the outputs are dropped.
- (BOOL)runWithError:(NSError **)error;

@end

NS_ASSUME_NONNULL_END
