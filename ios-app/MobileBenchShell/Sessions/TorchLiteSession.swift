import Foundation
import ShellCore

/// The TorchScript lite interpreter (LibTorch-Lite) through the Objective-C++ bridge in TorchLite/.
/// CPU only: the request's delegate must be "none" (ShellCore refuses anything else before loading).
final class TorchLiteSession: Session {
    private let module: MBTorchLiteModule
    private let threads: Int

    init(request: Request, model: URL) throws {
        do {
            module = try MBTorchLiteModule(fileAtPath: model.path, threads: request.threads)
        } catch {
            throw SessionError.loadFailed("_load_for_mobile(\(model.lastPathComponent)): \(error.localizedDescription)")
        }
        threads = request.threads
    }

    var runtimeVersion: String? { RuntimeVersions.torchscript }
    /// Inputs are made into tensors once; forward and its outputs are timed.
    var timedSpan: String { "forward(inputs)" }

    func setInputs(_ inputs: [InputTensor]) throws {
        try module.setInputs(inputs.map(\.data), shapes: inputs.map { $0.spec.shape.map { NSNumber(value: $0) } },
                             dtypes: inputs.map(\.spec.dtype))
    }

    func run() throws {
        try module.run()
    }

    func delegateApplied() -> String? { "none" }
    func shellExtras() -> [String: JSONValue] { ["threads_applied": .int(threads)] }
}
