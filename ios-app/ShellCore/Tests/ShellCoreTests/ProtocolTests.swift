import XCTest
@testable import ShellCore

/// Every golden file decodes and encodes back to the same JSON (tests/protocol/test_ios_fixtures.py validates the
/// same files against harness/protocol/schema/v2.json and reads them with the harness's own parser).
final class ProtocolTests: XCTestCase {
    static let results = ["result_ok.json", "result_load_failed.json", "result_delegate_not_applicable_device.json",
                          "result_delegate_not_applicable_runtime.json", "result_run_failed.json",
                          "result_bad_request_runtime.json", "result_bad_request_input_size.json"]

    func testRequestsRoundTrip() throws {
        for name in ["request_ok.json", "request_full.json"] {
            let original = try Fixtures.data(name)
            let again = try Wire.encode(Wire.decodeRequest(original))
            XCTAssertEqual(try Fixtures.json(again), try Fixtures.json(original), name)
        }
    }

    func testWarmupSecondsIsOptionalOnTheWire() throws {
        let request = try Wire.decodeRequest(Fixtures.data("request_minimal.json"))
        XCTAssertEqual(request.measurement.warmupSeconds, 0)
        XCTAssertEqual(request.measurement.warmupRuns, 1)
        XCTAssertNil(request.sustainedPerformance)
        XCTAssertNil(request.profile)
    }

    func testOptionalRequestFieldsAreRead() throws {
        let request = try Wire.decodeRequest(Fixtures.data("request_full.json"))
        XCTAssertEqual(request.sustainedPerformance, true)
        XCTAssertEqual(request.measurement.warmupSeconds, 0.5)
        XCTAssertEqual(request.inputs.map(\.dtype), ["float32", "int64"])
    }

    func testResultsRoundTrip() throws {
        for name in Self.results {
            let original = try Fixtures.data(name)
            let again = try Wire.encode(Wire.decodeResult(original))
            XCTAssertEqual(try Fixtures.json(again), try Fixtures.json(original), name)
        }
    }

    func testNullsAreWrittenNotLeftOut() throws {
        let result = ResultMessage(cellId: "c", status: .loadFailed, error: "x", shell: baseShell,
                            runtime: RuntimeReport(name: "litert", version: nil), delegateApplied: nil,
                            timing: Timing(clock: "fake"), memory: Memory(), cpuTimeNs: nil)
        let json = try Fixtures.json(Wire.encode(result))
        for key in ["delegate_applied", "cpu_time_ns"] { XCTAssertTrue(json[key] is NSNull, key) }
        let timing = json["timing"] as! NSDictionary
        XCTAssertTrue(timing["load_ns"] is NSNull)
        XCTAssertNil(timing["warmup_ns"], "optional on the wire: absent until warm-ups ran")
        XCTAssertTrue((json["runtime"] as! NSDictionary)["version"] is NSNull)
        XCTAssertEqual((json["memory"] as! NSDictionary).count, 4)
    }

    func testAKeyTheSchemaDoesNotNameIsRefused() throws {
        var json = try Fixtures.json(Fixtures.data("request_ok.json")) as! [String: Any]
        var measurement = json["measurement"] as! [String: Any]
        measurement["warmup_secs"] = 1
        json["measurement"] = measurement
        json["extra"] = true
        XCTAssertThrowsError(try Wire.decodeRequest(JSONSerialization.data(withJSONObject: json))) { error in
            XCTAssertEqual(error as? ProtocolViolation,
                           ProtocolViolation(text: "not a protocol v2 request: unknown keys extra, measurement.warmup_secs"))
        }
    }

    func testShellExtrasMayNestObjects() throws {
        let value: JSONValue = .object(["device": .object(["model": .string("iPhone15,2")]), "cores": .int(6)])
        XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: Wire.encode(value)), value)
    }

    func testAResultWithAnUnknownStatusIsRefused() throws {
        var json = try Fixtures.json(Fixtures.data("result_ok.json")) as! [String: Any]
        json["status"] = "fell_back"
        XCTAssertThrowsError(try Wire.decodeResult(JSONSerialization.data(withJSONObject: json)))
    }
}
