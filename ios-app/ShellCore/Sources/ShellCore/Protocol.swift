import Foundation

/// Protocol v2 (harness/protocol/schema/v2.json): the request the harness pushes and the result this shell writes.
/// Field names are the wire's (snake_case). Optional fields the schema requires are written as null, never left out.
public let protocolVersion = 2

public struct InputFile: Codable, Equatable {
    public var path: String
    public var shape: [Int]
    public var dtype: String

    enum CodingKeys: String, CodingKey, CaseIterable { case path, shape, dtype }

    public init(path: String, shape: [Int], dtype: String) {
        self.path = path
        self.shape = shape
        self.dtype = dtype
    }
}

public struct ModelFile: Codable, Equatable {
    public var path: String
    public var format: String
    public var sha256: String

    enum CodingKeys: String, CodingKey, CaseIterable { case path, format, sha256 }
}

public struct MeasurementSettings: Codable, Equatable {
    public var warmupRuns: Int
    /// Optional on the wire; 0 when absent (warm up by count alone).
    public var warmupSeconds: Double
    public var minIterations: Int
    public var minSeconds: Double
    public var maxSeconds: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case warmupRuns = "warmup_runs", warmupSeconds = "warmup_seconds", minIterations = "min_iterations"
        case minSeconds = "min_seconds", maxSeconds = "max_seconds"
    }

    public init(warmupRuns: Int, warmupSeconds: Double = 0, minIterations: Int, minSeconds: Double, maxSeconds: Double) {
        self.warmupRuns = warmupRuns
        self.warmupSeconds = warmupSeconds
        self.minIterations = minIterations
        self.minSeconds = minSeconds
        self.maxSeconds = maxSeconds
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        warmupRuns = try c.decode(Int.self, forKey: .warmupRuns)
        warmupSeconds = try c.decodeIfPresent(Double.self, forKey: .warmupSeconds) ?? 0
        minIterations = try c.decode(Int.self, forKey: .minIterations)
        minSeconds = try c.decode(Double.self, forKey: .minSeconds)
        maxSeconds = try c.decode(Double.self, forKey: .maxSeconds)
    }
}

public struct Request: Codable, Equatable {
    public var kind: String
    public var protocolVersion: Int
    public var cellId: String
    public var runtime: String
    public var model: ModelFile
    public var delegate: String
    public var threads: Int
    public var inputs: [InputFile]
    public var measurement: MeasurementSettings
    /// Android only; read so that a request carrying it is not refused, and otherwise ignored.
    public var sustainedPerformance: Bool?
    /// "operators" asks for the runtime's profiler; this shell has none and answers bad_request.
    public var profile: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, runtime, model, delegate, threads, inputs, measurement, profile
        case protocolVersion = "protocol_version", cellId = "cell_id", sustainedPerformance = "sustained_performance"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(protocolVersion, forKey: .protocolVersion)
        try c.encode(cellId, forKey: .cellId)
        try c.encode(runtime, forKey: .runtime)
        try c.encode(model, forKey: .model)
        try c.encode(delegate, forKey: .delegate)
        try c.encode(threads, forKey: .threads)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(measurement, forKey: .measurement)
        try c.encodeIfPresent(sustainedPerformance, forKey: .sustainedPerformance)
        try c.encodeIfPresent(profile, forKey: .profile)
    }
}

/// A JSON value, for the `shell` object's extra keys (the schema lets shells add their own).
public enum JSONValue: Codable, Equatable {
    case string(String), int(Int), double(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let value = try? c.decode(Bool.self) { self = .bool(value) }
        else if let value = try? c.decode(Int.self) { self = .int(value) }
        else if let value = try? c.decode(Double.self) { self = .double(value) }
        else if let value = try? c.decode(String.self) { self = .string(value) }
        else if let value = try? c.decode([String: JSONValue].self) { self = .object(value) }
        else { self = .array(try c.decode([JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let value): try c.encode(value)
        case .int(let value): try c.encode(value)
        case .double(let value): try c.encode(value)
        case .bool(let value): try c.encode(value)
        case .array(let value): try c.encode(value)
        case .object(let value): try c.encode(value)
        case .null: try c.encodeNil()
        }
    }
}

public struct RuntimeReport: Codable, Equatable {
    public var name: String
    public var version: String?

    public init(name: String, version: String?) {
        self.name = name
        self.version = version
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)  // null, not absent
    }
}

public struct Timing: Codable, Equatable {
    /// "clock_gettime_nsec_np(CLOCK_UPTIME_RAW)" in the app; the fake clock's name in tests.
    public var clock: String
    public var loadNs: UInt64?
    public var firstInferenceNs: UInt64?
    public var warmupNs: UInt64?
    public var warmupSamplesNs: [UInt64]
    public var samplesNs: [UInt64]

    enum CodingKeys: String, CodingKey {
        case clock
        case loadNs = "load_ns", firstInferenceNs = "first_inference_ns", warmupNs = "warmup_ns"
        case warmupSamplesNs = "warmup_samples_ns", samplesNs = "samples_ns"
    }

    public init(clock: String) {
        self.clock = clock
        warmupSamplesNs = []
        samplesNs = []
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clock = try c.decode(String.self, forKey: .clock)
        loadNs = try c.decodeIfPresent(UInt64.self, forKey: .loadNs)
        firstInferenceNs = try c.decodeIfPresent(UInt64.self, forKey: .firstInferenceNs)
        warmupNs = try c.decodeIfPresent(UInt64.self, forKey: .warmupNs)
        warmupSamplesNs = try c.decodeIfPresent([UInt64].self, forKey: .warmupSamplesNs) ?? []
        samplesNs = try c.decode([UInt64].self, forKey: .samplesNs)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clock, forKey: .clock)
        try c.encode(loadNs, forKey: .loadNs)
        try c.encode(firstInferenceNs, forKey: .firstInferenceNs)
        try c.encodeIfPresent(warmupNs, forKey: .warmupNs)  // optional on the wire: only once warm-ups ran
        if warmupNs != nil { try c.encode(warmupSamplesNs, forKey: .warmupSamplesNs) }
        try c.encode(samplesNs, forKey: .samplesNs)
    }
}

/// phys_footprint (task_vm_info) in the protocol's memory columns; docs/methodology.md gives the mapping.
public struct Memory: Codable, Equatable {
    public var rssBeforeLoadBytes: UInt64?
    public var rssAfterLoadBytes: UInt64?
    public var peakRssBytes: UInt64?
    public var rssPeakSampledBytes: UInt64?

    enum CodingKeys: String, CodingKey {
        case rssBeforeLoadBytes = "rss_before_load_bytes", rssAfterLoadBytes = "rss_after_load_bytes"
        case peakRssBytes = "peak_rss_bytes", rssPeakSampledBytes = "rss_peak_sampled_bytes"
    }

    public init() {}

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rssBeforeLoadBytes, forKey: .rssBeforeLoadBytes)
        try c.encode(rssAfterLoadBytes, forKey: .rssAfterLoadBytes)
        try c.encode(peakRssBytes, forKey: .peakRssBytes)
        try c.encode(rssPeakSampledBytes, forKey: .rssPeakSampledBytes)
    }
}

public enum Status: String, Codable {
    case ok, badRequest = "bad_request", loadFailed = "load_failed", runFailed = "run_failed"
}

public struct ResultMessage: Codable, Equatable {
    public var kind = "result"
    public var protocolVersion = ShellCore.protocolVersion
    public var cellId: String
    public var status: Status
    public var error: String?
    /// name, version and platform, then this shell's own keys (timed_span, backends, device, ...).
    public var shell: [String: JSONValue]
    public var runtime: RuntimeReport
    public var delegateApplied: String?
    public var timing: Timing
    public var memory: Memory
    public var cpuTimeNs: UInt64?

    enum CodingKeys: String, CodingKey {
        case kind, status, error, shell, runtime, timing, memory
        case protocolVersion = "protocol_version", cellId = "cell_id", delegateApplied = "delegate_applied"
        case cpuTimeNs = "cpu_time_ns"
    }

    public init(cellId: String, status: Status, error: String?, shell: [String: JSONValue], runtime: RuntimeReport,
                delegateApplied: String?, timing: Timing, memory: Memory, cpuTimeNs: UInt64?) {
        self.cellId = cellId
        self.status = status
        self.error = error
        self.shell = shell
        self.runtime = runtime
        self.delegateApplied = delegateApplied
        self.timing = timing
        self.memory = memory
        self.cpuTimeNs = cpuTimeNs
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(protocolVersion, forKey: .protocolVersion)
        try c.encode(cellId, forKey: .cellId)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(shell, forKey: .shell)
        try c.encode(runtime, forKey: .runtime)
        try c.encode(delegateApplied, forKey: .delegateApplied)
        try c.encode(timing, forKey: .timing)
        try c.encode(memory, forKey: .memory)
        try c.encode(cpuTimeNs, forKey: .cpuTimeNs)
    }
}

/// A message the schema would refuse for a reason decoding does not catch (an unknown key).
public struct ProtocolViolation: Error, Equatable {
    public var text: String
}

public enum Wire {
    /// Sorted keys, so that a result file is byte-for-byte the same for the same result.
    public static func encode<T: Encodable>(_ message: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(message)
    }

    /// A request as the schema allows it: the types checked by decoding, then no key the schema does not name
    /// (its objects are `additionalProperties: false`, and the host shell refuses such a request too).
    public static func decodeRequest(_ data: Data) throws -> Request {
        let request = try JSONDecoder().decode(Request.self, from: data)
        let unknown = unknownKeys(inRequest: try JSONSerialization.jsonObject(with: data))
        if !unknown.isEmpty {
            throw ProtocolViolation(text: "not a protocol v2 request: unknown keys \(unknown.joined(separator: ", "))")
        }
        return request
    }

    /// The keys of a request (parsed JSON) that protocol v2 does not name, as paths such as `measurement.warmup`.
    static func unknownKeys(inRequest json: Any) -> [String] {
        guard let top = json as? [String: Any] else { return [] }
        var unknown = extraKeys(top, Request.CodingKeys.self, "")
        if let model = top["model"] as? [String: Any] { unknown += extraKeys(model, ModelFile.CodingKeys.self, "model.") }
        if let settings = top["measurement"] as? [String: Any] {
            unknown += extraKeys(settings, MeasurementSettings.CodingKeys.self, "measurement.")
        }
        for (index, input) in ((top["inputs"] as? [Any]) ?? []).enumerated() {
            if let input = input as? [String: Any] { unknown += extraKeys(input, InputFile.CodingKeys.self, "inputs[\(index)].") }
        }
        return unknown.sorted()
    }

    private static func extraKeys<Key: CodingKey & CaseIterable>(_ object: [String: Any], _: Key.Type,
                                                                _ prefix: String) -> [String] {
        let known = Set(Key.allCases.map(\.stringValue))
        return object.keys.filter { !known.contains($0) }.map { prefix + $0 }
    }

    public static func decodeResult(_ data: Data) throws -> ResultMessage {
        try JSONDecoder().decode(ResultMessage.self, from: data)
    }
}
