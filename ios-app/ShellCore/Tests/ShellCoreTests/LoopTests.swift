import XCTest
@testable import ShellCore

/// The loop rule with a fake clock: each fake run moves the clock by its scripted duration.
final class LoopTests: XCTestCase {
    private func loop(_ durations: [UInt64], minCount: Int, minSeconds: Double, maxSeconds: Double) -> [UInt64] {
        let clock = FakeClock()
        let session = FakeSession(clock: clock, durations: durations, applied: nil)
        return try! timedRuns(minCount: minCount, minSeconds: minSeconds, maxSeconds: maxSeconds, clock: clock,
                              run: session.run)
    }

    func testTheMinimumCountHoldsWhenTheMinimumTimeIsShort() {
        XCTAssertEqual(loop([1_000_000], minCount: 5, minSeconds: 0.001, maxSeconds: 1), Array(repeating: 1_000_000, count: 5))
    }

    func testTheMinimumTimeHoldsWhenTheCountIsReached() {
        XCTAssertEqual(loop([1_000_000], minCount: 1, minSeconds: 0.01, maxSeconds: 1).count, 10)
    }

    func testTheMaximumTimeStopsTheLoopBeforeTheCount() {
        // Runs start at 0, 100 and 200 ms; at 300 ms the 250 ms maximum has passed.
        XCTAssertEqual(loop([100_000_000], minCount: 100, minSeconds: 0, maxSeconds: 0.25), Array(repeating: 100_000_000, count: 3))
    }

    func testEverySampleIsKeptInOrder() {
        XCTAssertEqual(loop([5, 3, 9, 1, 7], minCount: 5, minSeconds: 0, maxSeconds: 1), [5, 3, 9, 1, 7])
    }

    func testWarmupsLastUntilBothTheirCountAndTheirTime() throws {
        let clock = FakeClock()
        let session = FakeSession(clock: clock, durations: [4_000_000, 1_000_000], applied: nil)
        let settings = MeasurementSettings(warmupRuns: 1, warmupSeconds: 0.005, minIterations: 2, minSeconds: 0, maxSeconds: 1)
        let measured = try measureRuns(settings, clock: clock, run: session.run)
        XCTAssertEqual(measured.firstInferenceNs, 4_000_000)
        XCTAssertEqual(measured.warmupSamplesNs, Array(repeating: 1_000_000, count: 5))
        XCTAssertEqual(measured.samplesNs, [1_000_000, 1_000_000])
    }

    func testNoWarmupsWhenNoneAreAsked() throws {
        let clock = FakeClock()
        let session = FakeSession(clock: clock, durations: [2], applied: nil)
        let settings = MeasurementSettings(warmupRuns: 0, minIterations: 1, minSeconds: 0, maxSeconds: 1)
        let measured = try measureRuns(settings, clock: clock, run: session.run)
        XCTAssertEqual(measured.warmupSamplesNs, [])
        XCTAssertEqual(session.runs, 2, "the first inference and one timed run")
    }

    func testMaxSecondsBoundsTheWarmupsToo() throws {
        let clock = FakeClock()
        let session = FakeSession(clock: clock, durations: [100_000_000], applied: nil)
        let settings = MeasurementSettings(warmupRuns: 50, minIterations: 1, minSeconds: 0, maxSeconds: 0.25)
        let measured = try measureRuns(settings, clock: clock, run: session.run)
        XCTAssertEqual(measured.warmupSamplesNs?.count, 3, "runs start at 0, 100 and 200 ms of warm-up")
        XCTAssertEqual(measured.samplesNs?.count, 1, "one timed run meets min_iterations 1 and min_seconds 0")
    }

    func testAFailedWarmupKeepsTheFirstInference() {
        let clock = FakeClock()
        let session = FakeSession(clock: clock, durations: [3], applied: nil, failOnRun: 2)
        let settings = MeasurementSettings(warmupRuns: 1, minIterations: 1, minSeconds: 0, maxSeconds: 1)
        var measured = Measured()
        XCTAssertThrowsError(try measureRuns(settings, clock: clock, into: &measured, run: session.run))
        XCTAssertEqual(measured, Measured(firstInferenceNs: 3))
    }

    func testTheSamplerStopsBeforeTheTimedLoop() throws {
        let clock = FakeClock()
        var order: [String] = []
        let settings = MeasurementSettings(warmupRuns: 1, minIterations: 1, minSeconds: 0, maxSeconds: 1)
        _ = try measureRuns(settings, clock: clock, betweenPhases: { order.append("stop") }, run: {
            order.append("run")
            clock.advance(1)
        })
        XCTAssertEqual(order, ["run", "run", "stop", "run"])
    }
}
