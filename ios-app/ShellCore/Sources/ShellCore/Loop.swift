import Foundation

/// A monotonic nanosecond clock. The app uses `UptimeClock`; the tests a fake that advances by a script.
public protocol MonotonicClock {
    /// How the result's `timing.clock` names it.
    var name: String { get }
    func nowNs() -> UInt64
}

#if canImport(Darwin)
/// `clock_gettime_nsec_np(CLOCK_UPTIME_RAW)`: monotonic, not slewed by NTP, stopped while the device sleeps.
public struct UptimeClock: MonotonicClock {
    public init() {}
    public var name: String { "clock_gettime_nsec_np(CLOCK_UPTIME_RAW)" }
    public func nowNs() -> UInt64 { clock_gettime_nsec_np(CLOCK_UPTIME_RAW) }
}
#endif

/// The loop rule every shell follows (harness/shell/host.py `_runs`): before each run, stop when `maxSeconds` has
/// passed, or when both `minCount` runs and `minSeconds` are reached; otherwise time one more run. Only `run` is
/// timed, and every sample is kept, in order. Raw samples only: statistics are the harness's.
public func timedRuns(minCount: Int, minSeconds: Double, maxSeconds: Double, clock: MonotonicClock,
                      run: () throws -> Void) rethrows -> [UInt64] {
    let minNs = UInt64(max(0, minSeconds) * 1e9)
    let maxNs = UInt64(max(0, maxSeconds) * 1e9)
    var samples: [UInt64] = []
    samples.reserveCapacity(max(minCount, 16))
    let start = clock.nowNs()
    while true {
        let elapsed = clock.nowNs() &- start
        if elapsed >= maxNs || (samples.count >= minCount && elapsed >= minNs) { return samples }
        let begin = clock.nowNs()
        try run()
        samples.append(clock.nowNs() &- begin)
    }
}

/// What one measured request gives: the first inference, the untimed warm-ups (each one's time kept apart, for
/// the harness to see whether they were long enough) and the timed samples. A phase that did not finish (an
/// inference threw) stays nil, and what came before it is kept, as the host shell keeps it.
public struct Measured: Equatable {
    public var firstInferenceNs: UInt64?
    public var warmupSamplesNs: [UInt64]?
    public var samplesNs: [UInt64]?

    public init(firstInferenceNs: UInt64? = nil, warmupSamplesNs: [UInt64]? = nil, samplesNs: [UInt64]? = nil) {
        self.firstInferenceNs = firstInferenceNs
        self.warmupSamplesNs = warmupSamplesNs
        self.samplesNs = samplesNs
    }
}

/// First inference, warm-ups until both `warmup_runs` and `warmup_seconds` are met (bounded by `max_seconds`),
/// then the timed loop bounded by `min_iterations`, `min_seconds` and `max_seconds`, each phase written into
/// `measured` as it ends. `betweenPhases` runs after the warm-ups and before the timed loop, outside any timed
/// span (the app stops its memory sampler there).
public func measureRuns(_ settings: MeasurementSettings, clock: MonotonicClock, into measured: inout Measured,
                        betweenPhases: () -> Void = {}, run: () throws -> Void) throws {
    let begin = clock.nowNs()
    try run()
    measured.firstInferenceNs = clock.nowNs() &- begin
    measured.warmupSamplesNs = try timedRuns(minCount: settings.warmupRuns, minSeconds: settings.warmupSeconds,
                                             maxSeconds: settings.maxSeconds, clock: clock, run: run)
    betweenPhases()
    measured.samplesNs = try timedRuns(minCount: settings.minIterations, minSeconds: settings.minSeconds,
                                       maxSeconds: settings.maxSeconds, clock: clock, run: run)
}

/// The same, returning what was measured (the loop tests use it).
public func measureRuns(_ settings: MeasurementSettings, clock: MonotonicClock, betweenPhases: () -> Void = {},
                        run: () throws -> Void) throws -> Measured {
    var measured = Measured()
    try measureRuns(settings, clock: clock, into: &measured, betweenPhases: betweenPhases, run: run)
    return measured
}
