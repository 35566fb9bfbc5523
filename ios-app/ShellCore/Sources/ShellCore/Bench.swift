import Foundation

/// What a run needs from the device, as values and functions, so that tests drive it with fakes.
public struct Host {
    public var clock: MonotonicClock
    public var footprintBytes: () -> UInt64?
    public var peakFootprintBytes: () -> UInt64?
    public var cpuTimeNs: () -> UInt64?
    /// Starts sampling the footprint; the returned function stops it and gives the largest value seen.
    public var startSampling: () -> (() -> UInt64?)
    /// Every path a request names must resolve inside this folder (the app's container), or it is refused.
    public var root: URL?
    public var log: (String) -> Void

    public init(clock: MonotonicClock, footprintBytes: @escaping () -> UInt64? = { nil },
                peakFootprintBytes: @escaping () -> UInt64? = { nil }, cpuTimeNs: @escaping () -> UInt64? = { nil },
                startSampling: @escaping () -> (() -> UInt64?) = { { nil } }, root: URL? = nil,
                log: @escaping (String) -> Void = { _ in }) {
        self.clock = clock
        self.footprintBytes = footprintBytes
        self.peakFootprintBytes = peakFootprintBytes
        self.cpuTimeNs = cpuTimeNs
        self.startSampling = startSampling
        self.root = root
        self.log = log
    }
}

private struct Failure: Error {
    var status: Status
    var text: String
}

private let errorLimit = 4000

func describe(_ error: Error) -> String {
    let text: String
    switch error {
    case SessionError.delegateNotApplicable(let why): text = "delegate not applicable: \(why)"
    case SessionError.loadFailed(let why): text = why
    case SessionError.badRequest(let why): text = why
    case let violation as ProtocolViolation: text = violation.text
    case let error as DecodingError: text = "not a protocol v2 request: \(error)"
    default: text = "\(type(of: error)): \(error.localizedDescription)"
    }
    return text.count <= errorLimit ? text : String(text.prefix(errorLimit)) + " [...]"
}

public let dtypeBytes: [String: Int] = ["float32": 4, "int32": 4, "int64": 8, "int8": 1, "uint8": 1]

/// Runs one request the way the host shell does (harness/shell/host.py): check, load (timed), first inference
/// and warm-ups with the footprint sampled, then the timed loop alone. Every failure is a result with a status.
public struct Bench {
    public var shell: [String: JSONValue]
    public var sessions: SessionFactory
    public var host: Host

    public init(shell: [String: JSONValue], sessions: SessionFactory, host: Host) {
        self.shell = shell
        self.sessions = sessions
        self.host = host
    }

    /// The result for the request file at `requestURL`; never throws.
    public func run(requestAt requestURL: URL) -> ResultMessage {
        let request: Request
        do {
            try inside(requestURL, "request")
            request = try Wire.decodeRequest(Data(contentsOf: requestURL))
        } catch let failure as Failure {
            return refused(failure.text)
        } catch {
            return refused(describe(error))
        }
        return run(request, folder: requestURL.deletingLastPathComponent())
    }

    /// A bad_request result for a request this shell will not run (or cannot read).
    public func refused(_ reason: String, cellId: String = "unknown", runtime: String = "unknown") -> ResultMessage {
        ResultMessage(cellId: cellId, status: .badRequest, error: reason, shell: shell,
               runtime: RuntimeReport(name: runtime, version: nil), delegateApplied: nil,
               timing: Timing(clock: host.clock.name), memory: Memory(), cpuTimeNs: host.cpuTimeNs())
    }

    public func run(_ request: Request, folder: URL) -> ResultMessage {
        var timing = Timing(clock: host.clock.name)
        var memory = Memory()
        var extra: [String: JSONValue] = [:]
        var version = sessions.runtimes.contains(request.runtime) ? sessions.version(of: request.runtime) : nil
        var applied: String?
        var status = Status.ok
        var errorText: String?
        do {
            try check(request)
            let model = folder.appendingPathComponent(request.model.path)
            try inside(model, "model")
            let inputs = try readInputs(request, folder: folder)
            memory.rssBeforeLoadBytes = host.footprintBytes()
            let begin = host.clock.nowNs()
            let session: Session
            do {
                session = try sessions.open(request, model: model)
            } catch SessionError.badRequest(let why) {
                throw Failure(status: .badRequest, text: why)
            } catch {
                throw Failure(status: .loadFailed, text: describe(error))
            }
            timing.loadNs = host.clock.nowNs() &- begin
            version = session.runtimeVersion ?? version
            extra["timed_span"] = .string(session.timedSpan)
            extra.merge(session.shellExtras()) { $1 }
            if let backends = session.backends() { extra["backends"] = .array(backends.map { .string($0) }) }
            memory.rssAfterLoadBytes = host.footprintBytes()
            try measured(session, inputs, request.measurement, &timing, &memory)
            applied = session.delegateApplied()
        } catch let failure as Failure {
            status = failure.status
            errorText = failure.text
        } catch {
            status = .runFailed
            errorText = "shell error: \(describe(error))"
        }
        if status != .ok { host.log("\(status.rawValue): \(errorText ?? "")") }
        return ResultMessage(cellId: request.cellId, status: status, error: errorText, shell: shell.merging(extra) { $1 },
                      runtime: RuntimeReport(name: request.runtime, version: version), delegateApplied: applied,
                      timing: timing, memory: memory, cpuTimeNs: host.cpuTimeNs())
    }

    private func measured(_ session: Session, _ inputs: [InputTensor], _ settings: MeasurementSettings,
                          _ timing: inout Timing, _ memory: inout Memory) throws {
        var stopSampling: (() -> UInt64?)? = host.startSampling()
        defer { if let stop = stopSampling { _ = stop() } }
        var progress = Measured()
        do {
            try session.setInputs(inputs)
            try measureRuns(settings, clock: host.clock, into: &progress, betweenPhases: {
                memory.rssPeakSampledBytes = stopSampling?()
                stopSampling = nil
            }, run: session.run)
        } catch {
            timing.firstInferenceNs = progress.firstInferenceNs  // kept when a later run threw, as in the host shell
            throw Failure(status: .runFailed, text: describe(error))
        }
        timing.firstInferenceNs = progress.firstInferenceNs
        timing.warmupSamplesNs = progress.warmupSamplesNs ?? []
        timing.warmupNs = timing.warmupSamplesNs.reduce(0, +)
        timing.samplesNs = progress.samplesNs ?? []
        memory.peakRssBytes = host.peakFootprintBytes()
    }

    /// What the schema would refuse, and what this app cannot do: bad_request, before anything loads.
    private func check(_ request: Request) throws {
        func refuse(_ text: String) -> Failure { Failure(status: .badRequest, text: text) }
        if request.kind != "request" { throw refuse("expected a request message, got kind \(request.kind)") }
        if request.protocolVersion != protocolVersion {
            throw refuse("unsupported protocol_version \(request.protocolVersion); this shell speaks version \(protocolVersion)")
        }
        if request.profile != nil { throw refuse("profile \(request.profile!) is not supported by the iOS shell") }
        if request.cellId.isEmpty { throw refuse("cell_id is empty") }
        if request.threads < 1 { throw refuse("threads must be at least 1") }
        let m = request.measurement
        if m.warmupRuns < 0 || m.warmupSeconds < 0 || m.minIterations < 1 || m.minSeconds < 0 || !(m.maxSeconds > 0) {
            throw refuse("measurement out of range: warmup_runs >= 0, warmup_seconds >= 0, min_iterations >= 1, "
                         + "min_seconds >= 0, max_seconds > 0")
        }
        guard sessions.runtimes.contains(request.runtime) else {
            throw refuse("runtime \(request.runtime) is not in this app (it holds \(sessions.runtimes.joined(separator: ", ")))")
        }
        let delegates = iosDelegates[request.runtime] ?? []
        if !delegates.contains(request.delegate) {
            throw Failure(status: .loadFailed, text: "delegate not applicable: \(request.runtime) on iOS takes "
                          + "\(delegates.joined(separator: ", ")), not \(request.delegate)")
        }
    }

    private func readInputs(_ request: Request, folder: URL) throws -> [InputTensor] {
        try request.inputs.map { spec in
            let url = folder.appendingPathComponent(spec.path)
            try inside(url, "input")
            guard let size = dtypeBytes[spec.dtype] else { throw Failure(status: .badRequest, text: "unknown dtype \(spec.dtype)") }
            guard !spec.shape.isEmpty, spec.shape.allSatisfy({ $0 >= 1 }) else {
                throw Failure(status: .badRequest, text: "\(spec.path): shape \(spec.shape) is not a list of positive sizes")
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw Failure(status: .badRequest, text: "cannot read \(spec.path): \(error.localizedDescription)")
            }
            let expected = spec.shape.reduce(1, *) * size
            guard data.count == expected else {
                throw Failure(status: .badRequest, text: "\(url.lastPathComponent) holds \(data.count) bytes; "
                              + "shape \(spec.shape) of \(spec.dtype) needs \(expected)")
            }
            return InputTensor(spec: spec, data: data)
        }
    }

    /// Refuses a path that resolves (symbolic links followed, `..` removed) outside `host.root`.
    private func inside(_ url: URL, _ what: String) throws {
        guard let root = host.root, !isInside(url, root) else { return }
        throw Failure(status: .badRequest, text: "\(what) path \(url.path) is outside the app's container \(root.path)")
    }
}

/// Whether `url` resolves inside `root`: symbolic links followed (through the nearest folder that exists, so a
/// file not yet written is judged by where it would go) and `..` removed.
public func isInside(_ url: URL, _ root: URL) -> Bool {
    let base = resolved(root).path
    let path = resolved(url).path
    return path == base || path.hasPrefix(base.hasSuffix("/") ? base : base + "/")
}

func resolved(_ url: URL) -> URL {
    let plain = url.standardizedFileURL
    if FileManager.default.fileExists(atPath: plain.path) || plain.path == "/" {
        return plain.resolvingSymlinksInPath()
    }
    return resolved(plain.deletingLastPathComponent()).appendingPathComponent(plain.lastPathComponent)
}
