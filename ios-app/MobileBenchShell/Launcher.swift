import Foundation
import ShellCore
import UIKit

/// The launch contract (docs/protocol.md, "The iOS app"): arguments `--request <path> --result <path>`, else the
/// environment's MB_REQUEST and MB_RESULT; relative paths are taken from the app's home (NSHomeDirectory()), and
/// both must resolve inside it. The request runs on one thread of user-interactive QoS; the result is written
/// atomically, then the process exits with status 0 (1 when the result could not be written).
enum Launcher {
    static let tag = "MobileBench"
    private(set) static var status = "no request given"

    static func log(_ message: String) {
        NSLog("%@: %@", tag, message)  // syslog, which the harness keeps for the row's error when no result comes
    }

    static func paths(arguments: [String], environment: [String: String]) -> (request: String, result: String)? {
        func argument(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        guard let request = argument("--request") ?? environment["MB_REQUEST"],
              let result = argument("--result") ?? environment["MB_RESULT"] else { return nil }
        return (request, result)
    }

    static func startIfRequested() {
        let process = ProcessInfo.processInfo
        guard let given = paths(arguments: process.arguments, environment: process.environment) else {
            log("started without --request/--result (or MB_REQUEST/MB_RESULT): waiting")
            return
        }
        let (request, result) = given
        status = "running \(request)"
        DispatchQueue.main.async { UIApplication.shared.isIdleTimerDisabled = true }
        let home = URL(fileURLWithPath: NSHomeDirectory(), isDirectory: true)
        let thread = Thread {
            let code = runOnce(requestURL: resolve(request, home), resultURL: resolve(result, home), home: home)
            exit(code)
        }
        thread.qualityOfService = .userInteractive
        thread.name = "bench"
        thread.start()
    }

    private static func resolve(_ path: String, _ home: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : home.appendingPathComponent(path)
    }

    private static func runOnce(requestURL: URL, resultURL: URL, home: URL) -> Int32 {
        let bench = Bench(shell: DeviceFacts.shell(), sessions: AppSessions(), host: DeviceFacts.host(root: home, log: log))
        var result: ResultMessage
        if isInside(resultURL, home) {
            log("request \(requestURL.path)")
            result = bench.run(requestAt: requestURL)
        } else {
            log("result path \(resultURL.path) is outside the app's home \(home.path): nothing written")
            return 1
        }
        result.shell["thermal_state_end"] = .string(DeviceFacts.thermalState())
        do {
            try FileManager.default.createDirectory(at: resultURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Wire.encode(result).write(to: resultURL, options: .atomic)
            log("\(result.status.rawValue): wrote \(resultURL.path)")
            return 0
        } catch {
            log("cannot write the result to \(resultURL.path): \(error.localizedDescription)")
            return 1
        }
    }
}
