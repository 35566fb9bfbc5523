import Foundation
import ShellCore

/// The three runtimes this app links, each behind the ShellCore Session protocol.
struct AppSessions: SessionFactory {
    var runtimes: [String] { ["executorch", "litert", "torchscript"] }

    func version(of runtime: String) -> String? {
        switch runtime {
        case "executorch": return RuntimeVersions.executorch
        case "litert": return RuntimeVersions.litert
        case "torchscript": return RuntimeVersions.torchscript
        default: return nil
        }
    }

    func open(_ request: Request, model: URL) throws -> Session {
        switch request.runtime {
        case "executorch": return try ExecuTorchSession(request: request, model: model)
        case "litert": return try LiteRTSession(request: request, model: model)
        case "torchscript": return try TorchLiteSession(request: request, model: model)
        default: throw SessionError.badRequest("runtime \(request.runtime) is not in this app")
        }
    }
}
