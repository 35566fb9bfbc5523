import ExecuTorch
import Foundation
import ShellCore

/// ExecuTorch through its Swift package (`Module`, `AnyTensor`, `Value`). A .pte carries its delegates: the
/// session checks that `forward` names a backend for the requested one (MethodMetadata.backendNames) and refuses
/// the program otherwise, instead of reporting a CPU run as a delegated one.
final class ExecuTorchSession: Session {
    private let module: Module
    private let backendIds: [String]
    private let applied: String?
    private var inputs: [ValueConvertible] = []

    init(request: Request, model: URL) throws {
        module = Module(filePath: model.path)
        do {
            try module.load("forward")
            backendIds = try module.methodMetadata("forward").backendNames
        } catch {
            throw SessionError.loadFailed("ExecuTorch could not load forward from \(model.lastPathComponent): "
                                          + "\(error.localizedDescription)")
        }
        applied = try executorchDelegate(requested: request.delegate, backendIds: backendIds)
    }

    var runtimeVersion: String? { RuntimeVersions.executorch }
    /// Module.forward takes its inputs on every call and returns the outputs as Value objects.
    var timedSpan: String { "forward(inputs)" }

    func setInputs(_ inputs: [InputTensor]) throws {
        self.inputs = try inputs.map { input in
            AnyTensor(data: input.data, shape: input.spec.shape, dataType: try Self.dataType(input.spec.dtype))
        }
    }

    func run() throws {
        let _: [Value] = try module.forward(inputs)
    }

    func delegateApplied() -> String? { applied }
    func backends() -> [String]? { backendIds }
    /// The Apple Module has no thread setting: XNNPACK's threadpool takes its own default.
    func shellExtras() -> [String: JSONValue] { ["threads_applied": .string("runtime default")] }

    private static func dataType(_ dtype: String) throws -> DataType {
        switch dtype {
        case "float32": return .float
        case "int32": return .int
        case "int64": return .long
        case "int8": return .char
        case "uint8": return .byte
        default: throw SessionError.badRequest("dtype \(dtype) has no ExecuTorch DataType here")
        }
    }
}
