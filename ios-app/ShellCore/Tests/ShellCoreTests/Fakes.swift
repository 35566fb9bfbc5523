import Foundation
@testable import ShellCore

/// A clock that moves only when a fake run or load moves it.
final class FakeClock: MonotonicClock {
    var now: UInt64 = 1_000_000_000
    var name: String { "fake" }
    func nowNs() -> UInt64 { now }
    func advance(_ ns: UInt64) { now += ns }
}

struct FakeError: LocalizedError {
    var errorDescription: String? { "inference failed: out of memory" }
}

/// Each run takes the next scripted duration (the last one repeats); `failOnRun` makes that run (1-based) throw.
final class FakeSession: Session {
    let clock: FakeClock
    var durations: [UInt64]
    var failOnRun: Int?
    var runs = 0
    var inputs: [InputTensor] = []
    var applied: String?
    var backendIds: [String]?

    init(clock: FakeClock, durations: [UInt64], applied: String?, backendIds: [String]? = nil, failOnRun: Int? = nil) {
        self.clock = clock
        self.durations = durations
        self.applied = applied
        self.backendIds = backendIds
        self.failOnRun = failOnRun
    }

    var runtimeVersion: String? { "fake-1" }
    var timedSpan: String { "run" }
    func setInputs(_ inputs: [InputTensor]) throws { self.inputs = inputs }
    func delegateApplied() -> String? { applied }
    func backends() -> [String]? { backendIds }

    func run() throws {
        runs += 1
        if runs == failOnRun { throw FakeError() }
        clock.advance(durations[min(runs - 1, durations.count - 1)])
    }
}

/// Opens `session` after `loadNs`, or throws `failure`.
final class FakeFactory: SessionFactory {
    let clock: FakeClock
    var runtimes: [String]
    var loadNs: UInt64 = 7_000_000
    var session: FakeSession?
    var failure: Error?
    var opened = 0

    init(clock: FakeClock, runtimes: [String] = ["executorch", "litert", "torchscript"]) {
        self.clock = clock
        self.runtimes = runtimes
    }

    func version(of runtime: String) -> String? { "fake-1" }

    func open(_ request: Request, model: URL) throws -> Session {
        opened += 1
        clock.advance(loadNs)
        if let failure { throw failure }
        return session!
    }
}

enum Fixtures {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static func json(_ data: Data) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: data) as! NSDictionary
    }
}

let baseShell: [String: JSONValue] = ["name": .string("ios-app"), "version": .string("1"), "platform": .string("ios-test")]

/// A folder holding `request` and an input file of `inputBytes` bytes, as the harness pushes them.
func pushed(_ request: Request, inputBytes: Int = 8) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(count: inputBytes).write(to: folder.appendingPathComponent("input0.bin"))
    if !request.model.path.contains("..") {
        try Data("not a model".utf8).write(to: folder.appendingPathComponent(request.model.path))
    }
    let url = folder.appendingPathComponent("request.json")
    try Wire.encode(request).write(to: url)
    return url
}

/// A host whose memory readings are fixed values, so results can be compared with golden files.
func fakeHost(_ clock: FakeClock, root: URL? = nil) -> Host {
    var footprints: [UInt64] = [1000, 5000]
    return Host(clock: clock, footprintBytes: { footprints.isEmpty ? nil : footprints.removeFirst() },
                peakFootprintBytes: { 9000 }, cpuTimeNs: { 123_456 }, startSampling: { { 7000 } }, root: root)
}
