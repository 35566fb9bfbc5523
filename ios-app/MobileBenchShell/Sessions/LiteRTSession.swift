import Foundation
import ShellCore
import TensorFlowLite

/// LiteRT through TensorFlowLiteSwift: the CPU kernels, XNNPACK (`Options.isXNNPackEnabled`), or one delegate
/// (`CoreMLDelegate`, `MetalDelegate`). A delegate that cannot be created or applied fails the load; the
/// interpreter never quietly runs the model on the CPU instead. How much of the graph a delegate took is not
/// visible from the Swift API; the harness reports that share from the model file.
final class LiteRTSession: Session {
    private let interpreter: Interpreter
    private let delegate: String
    private let threads: Int
    private var inputs: [Data] = []

    init(request: Request, model: URL) throws {
        var options = Interpreter.Options()
        options.threadCount = request.threads
        // "xnnpack" installs the XNNPACK delegate after any other (Interpreter.swift, configureXNNPack). "none" only
        // leaves it out: the Swift API has no switch for delegates the C library may apply by default, so whether
        // TensorFlowLiteC 2.17 adds XNNPACK on its own for "none" is to be read in the syslog on a first run
        // ("Created TensorFlow Lite XNNPACK delegate for CPU"); ios-app/README.md lists it as not verified.
        options.isXNNPackEnabled = request.delegate == "xnnpack"
        var delegates: [Delegate] = []
        switch request.delegate {
        case "coreml":
            // nil on a device without the Neural Engine (CoreMLDelegate.Options.enabledDevices = .neuralEngine).
            guard let coreML = CoreMLDelegate() else {
                throw SessionError.delegateNotApplicable("CoreMLDelegate() returned nil: this device has no Neural Engine")
            }
            delegates = [coreML]
        case "metal":
            delegates = [MetalDelegate()]
        default:
            break
        }
        do {
            interpreter = try Interpreter(modelPath: model.path, options: options, delegates: delegates)
            try interpreter.allocateTensors()
        } catch {
            // One status for both causes (a model the interpreter refuses, a delegate that fails to apply); the
            // text names the delegate asked for and the interpreter's own error.
            throw SessionError.loadFailed("LiteRT could not create the interpreter with delegate \(request.delegate): \(error)")
        }
        delegate = request.delegate
        threads = request.threads
    }

    var runtimeVersion: String? { RuntimeVersions.litert }
    /// The same span as the Android app's LiteRT sessions.
    var timedSpan: String { "copy_in+invoke+copy_out" }

    func setInputs(_ inputs: [InputTensor]) throws {
        guard inputs.count == interpreter.inputTensorCount else {
            throw SessionError.badRequest("the model takes \(interpreter.inputTensorCount) inputs; the request gives \(inputs.count)")
        }
        self.inputs = inputs.map(\.data)
    }

    func run() throws {
        for (index, data) in inputs.enumerated() {
            try interpreter.copy(data, toInputAt: index)
        }
        try interpreter.invoke()
        for index in 0..<interpreter.outputTensorCount {
            _ = try interpreter.output(at: index)
        }
    }

    func delegateApplied() -> String? { delegate }
    func shellExtras() -> [String: JSONValue] { ["threads_applied": .int(threads)] }
}
