import XCTest
@testable import ShellCore

/// Whole requests through Bench with a fake session: what comes out must equal the golden result files.
final class BenchTests: XCTestCase {
    private var clock = FakeClock()
    private var factory: FakeFactory!

    override func setUp() {
        clock = FakeClock()
        factory = FakeFactory(clock: clock)
    }

    private func request(_ edit: (inout Request) -> Void = { _ in }) throws -> Request {
        var request = try Wire.decodeRequest(Fixtures.data("request_ok.json"))
        edit(&request)
        return request
    }

    private func runResult(_ request: Request, inputBytes: Int = 8) throws -> ResultMessage {
        let url = try pushed(request, inputBytes: inputBytes)
        let bench = Bench(shell: baseShell, sessions: factory, host: fakeHost(clock, root: url.deletingLastPathComponent()))
        return bench.run(requestAt: url)
    }

    private func assertGolden(_ result: ResultMessage, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try Fixtures.json(Wire.encode(result)), try Fixtures.json(Fixtures.data(name)), name,
                       file: file, line: line)
    }

    func testAnOkRunKeepsEverySample() throws {
        let ms: UInt64 = 1_000_000
        factory.session = FakeSession(clock: clock, durations: [5 * ms, 3 * ms, 2 * ms, ms], applied: "xnnpack",
                                      backendIds: ["XnnpackBackend"])
        let result = try runResult(try request())
        try assertGolden(result, "result_ok.json")
        XCTAssertEqual(factory.session!.inputs.map(\.data.count), [8])
    }

    func testALoadFailureIsAResult() throws {
        factory.failure = SessionError.loadFailed("cannot read the program: bad magic")
        try assertGolden(try runResult(try request()), "result_load_failed.json")
    }

    func testADelegateTheDeviceCannotApplyIsRefusedNotReplaced() throws {
        factory.failure = SessionError.delegateNotApplicable("CoreMLDelegate() returned nil: this device has no Neural Engine")
        try assertGolden(try runResult(try request { $0.runtime = "litert"; $0.delegate = "coreml" }),
                         "result_delegate_not_applicable_device.json")
    }

    func testADelegateTheRuntimeDoesNotTakeIsRefusedBeforeLoading() throws {
        let result = try runResult(try request { $0.runtime = "torchscript"; $0.delegate = "coreml" })
        try assertGolden(result, "result_delegate_not_applicable_runtime.json")
        XCTAssertEqual(factory.opened, 0)
    }

    func testAnInferenceFailureIsRunFailed() throws {
        factory.session = FakeSession(clock: clock, durations: [1_000_000], applied: "xnnpack", failOnRun: 2)
        try assertGolden(try runResult(try request()), "result_run_failed.json")
    }

    func testARuntimeThisAppDoesNotHoldIsABadRequest() throws {
        factory.runtimes = ["executorch", "litert"]
        let result = try runResult(try request { $0.runtime = "torchscript"; $0.delegate = "none" })
        try assertGolden(result, "result_bad_request_runtime.json")
    }

    func testAnInputOfTheWrongSizeIsABadRequest() throws {
        try assertGolden(try runResult(try request(), inputBytes: 4), "result_bad_request_input_size.json")
        XCTAssertEqual(factory.opened, 0)
    }

    func testARequestThatIsNotJSONIsABadRequest() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("request.json")
        try Data("{not json".utf8).write(to: url)
        let result = Bench(shell: baseShell, sessions: factory, host: fakeHost(clock)).run(requestAt: url)
        XCTAssertEqual(result.status, .badRequest)
        XCTAssertEqual(result.cellId, "unknown")
        XCTAssertNotNil(result.error)
    }

    func testARequestWithAnUnknownKeyIsABadRequest() throws {
        let url = try pushed(try request())
        var json = try Fixtures.json(Data(contentsOf: url)) as! [String: Any]
        json["warmup"] = 3
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let bench = Bench(shell: baseShell, sessions: factory, host: fakeHost(clock, root: url.deletingLastPathComponent()))
        let result = bench.run(requestAt: url)
        XCTAssertEqual(result.status, .badRequest)
        XCTAssertEqual(result.cellId, "unknown")
        XCTAssertEqual(result.error, "not a protocol v2 request: unknown keys warmup")
        XCTAssertEqual(factory.opened, 0)
    }

    func testAModelOutsideTheContainerIsABadRequest() throws {
        let url = try pushed(try request { $0.model.path = "../../elsewhere/model.pte" })
        let bench = Bench(shell: baseShell, sessions: factory, host: fakeHost(clock, root: url.deletingLastPathComponent()))
        let result = bench.run(requestAt: url)
        XCTAssertEqual(result.status, .badRequest)
        XCTAssertTrue(result.error!.contains("outside the app's container"), result.error!)
        XCTAssertEqual(factory.opened, 0)
    }

    func testAProfileRequestIsABadRequest() throws {
        let result = try runResult(try request { $0.profile = "operators" })
        XCTAssertEqual(result.status, .badRequest)
        XCTAssertEqual(factory.opened, 0)
    }

    func testExecuTorchDelegateRule() throws {
        XCTAssertEqual(try executorchDelegate(requested: "none", backendIds: []), "none")
        XCTAssertEqual(try executorchDelegate(requested: "coreml", backendIds: ["CoreMLBackend", "XnnpackBackend"]), "coreml")
        XCTAssertEqual(try executorchDelegate(requested: "none", backendIds: ["MPSBackend"]), "mps")
        XCTAssertNil(try executorchDelegate(requested: "none", backendIds: ["CoreMLBackend", "XnnpackBackend"]))
        XCTAssertThrowsError(try executorchDelegate(requested: "mps", backendIds: ["XnnpackBackend"]))
    }
}
