// Objective-C(++) code the Swift target sees: the LibTorch-Lite bridge.
#import "MBTorchLiteModule.h"
