import Foundation

/// One input, read from its raw file: little-endian, C order, as the request describes it.
public struct InputTensor: Equatable {
    public var spec: InputFile
    public var data: Data
}

/// Why a session could not be opened. Each one becomes a result with a status; none falls back silently.
public enum SessionError: Error, Equatable {
    /// The runtime cannot apply the requested delegate here (not in this build, not on this device, or not in
    /// the model file): load_failed, and the error says which.
    case delegateNotApplicable(String)
    /// The runtime could not load the model: load_failed.
    case loadFailed(String)
    /// The request asks for something this shell cannot do at all (a runtime it does not hold): bad_request.
    case badRequest(String)
}

/// One loaded model on one runtime. Mirrors harness/runtimes/session.py and the Android app's ModelSession.
public protocol Session: AnyObject {
    var runtimeVersion: String? { get }
    /// What one timed call covers (reported as shell.timed_span), so spans can be compared across paths.
    var timedSpan: String { get }
    func setInputs(_ inputs: [InputTensor]) throws
    /// One inference on the inputs already set: the only call the shell times.
    func run() throws
    /// The one delegate the runtime applied, as a protocol name; nil when it cannot tell.
    func delegateApplied() -> String?
    /// Every backend the model file names (ExecuTorch), reported as shell.backends; nil elsewhere.
    func backends() -> [String]?
    /// What the runtime did with the request's settings, for the result's `shell` object (e.g. threads_applied).
    func shellExtras() -> [String: JSONValue]
}

public extension Session {
    func backends() -> [String]? { nil }
    func shellExtras() -> [String: JSONValue] { [:] }
}

/// Opens sessions for the runtimes this app holds.
public protocol SessionFactory {
    /// The runtimes this build links, by their protocol names.
    var runtimes: [String] { get }
    /// The runtime's version when known without loading a model (reported on load failures too).
    func version(of runtime: String) -> String?
    func open(_ request: Request, model: URL) throws -> Session
}

/// The delegates each runtime can be asked for on iOS. Anything else is refused before loading.
public let iosDelegates: [String: [String]] = [
    "executorch": ["none", "xnnpack", "coreml", "mps"],
    "litert": ["none", "xnnpack", "coreml", "metal"],
    "torchscript": ["none"],
]

/// ExecuTorch backend ids (MethodMetadata.backendNames) and the protocol's delegate names.
public let executorchBackends: [String: String] = [
    "XnnpackBackend": "xnnpack", "CoreMLBackend": "coreml", "MPSBackend": "mps",
]

/// The delegate an ExecuTorch program applies, given the backends its `forward` names: the same rule as the
/// Android app (Delegates.kt), except that a requested delegate the file does not hold is refused instead of
/// being reported as something else.
public func executorchDelegate(requested: String, backendIds: [String]) throws -> String? {
    let names = backendIds.map { executorchBackends[$0] }
    if requested != "none" && !names.contains(requested) {
        throw SessionError.delegateNotApplicable(
            "delegate \(requested) requested, but the program's forward names backends \(backendIds) (a .pte carries "
            + "its delegates; convert it for \(requested))")
    }
    if names.isEmpty { return "none" }
    if requested != "none" { return requested }
    let distinct = Set(names.compactMap { $0 })
    return distinct.count == 1 && !names.contains(nil) ? distinct.first : nil
}
