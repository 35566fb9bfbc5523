package org.mobilebench.shell

import java.io.File

private const val ERROR_LIMIT = 4000

private class Failure(val status: String, val text: String) : Exception(text)

private fun describe(error: Throwable): String =
    "${error.javaClass.simpleName}: ${error.message ?: ""}".trim().let { if (it.length <= ERROR_LIMIT) it else it.take(ERROR_LIMIT) + " [...]" }

/** What the activity gives a run: Android specifics as functions, so the JVM tests drive it with fakes. */
class Host(
    val log: (String) -> Unit = {},
    val phase: (String) -> Unit = {},
    /** Whether the window has focus; with `true`, after waiting up to a few seconds for it. */
    val focused: (wait: Boolean) -> Boolean = { true },
    val pssBytes: () -> Long? = { null },
    val cpuTimeNs: () -> Long? = { null },
    val sandbox: Sandbox? = null,
)

/**
 * Runs one request the way the host shell does (harness/shell/host.py): load, first inference and
 * warm-ups with RSS sampled, then the timed loop alone.
 */
class Bench(
    private val shell: Map<String, Any>,
    private val open: (Request) -> ModelSession = ::openSession,
    private val host: Host = Host(),
) {
    /** Runs the request and writes its result; false (and a logged error) when the result cannot be written. */
    fun runFile(requestFile: File, resultFile: File): Boolean {
        val result = try {
            run(parseRequest(requestFile.readText(), requestFile.absoluteFile.parentFile))
        } catch (e: BadRequest) {
            refused(describe(e))
        } catch (e: java.io.IOException) {
            refused(describe(e))
        } catch (e: Throwable) {  // a bug in the shell itself: still answer, so the harness never waits in vain
            failed("unknown", "unknown", "run_failed", "shell error: ${describe(e)}")
        }
        if (result.status != "ok") host.log("${result.status}: ${result.error}")
        return write(resultFile, result)
    }

    /** A bad_request result, for a request this app will not run. */
    fun refused(reason: String): Result = failed("unknown", "unknown", "bad_request", reason)

    fun write(resultFile: File, result: Result): Boolean = try {
        writeAtomically(resultFile, resultJson(result).toString(1))
        true
    } catch (e: Exception) {
        host.log("cannot write the result to $resultFile: ${describe(e)}")
        false
    }

    private fun failed(cellId: String, runtime: String, status: String, text: String, version: String? = null,
                       timing: Timing = Timing(), memory: Memory = Memory(), extra: Map<String, Any> = emptyMap()) =
        Result(cellId, status, text, shell + extra, runtime, version, null, timing, memory, host.cpuTimeNs())

    fun run(request: Request): Result {
        var timing = Timing()
        var memory = Memory()
        var version: String? = null
        val extra = LinkedHashMap<String, Any>()
        try {
            outsideSandbox(request)?.let { throw Failure("bad_request", it) }
            val inputs = try { readInputs(request) } catch (e: Exception) { throw Failure("bad_request", describe(e)) }
            host.phase("loading")
            memory = memory.copy(rssBeforeLoad = statusBytes(readStatus(), "VmRSS"))
            val begin = System.nanoTime()
            val session = try {
                open(request)
            } catch (e: BadRequest) {
                throw Failure("bad_request", describe(e))
            } catch (e: Throwable) {
                throw Failure("load_failed", describe(e))
            }
            timing = timing.copy(loadNs = System.nanoTime() - begin)
            version = session.version
            extra["timed_span"] = session.timedSpan
            session.backends()?.let { extra["backends"] = it }
            memory = memory.copy(rssAfterLoad = statusBytes(readStatus(), "VmRSS"))
            try {
                session.setInputs(inputs)
                host.phase("warmup")
                val sampler = RssSampler().start()
                try {
                    val first = System.nanoTime()
                    session.run()
                    timing = timing.copy(firstInferenceNs = System.nanoTime() - first)
                    val warmup = warmupLoop(session::run, request.warmupRuns, request.warmupSeconds, request.maxSeconds)
                    timing = timing.copy(warmupSamplesNs = warmup)
                } finally {
                    sampler.stop()
                }
                timing = timing.copy(samplesNs = timedInForeground(session, request, extra))
                memory = memory.copy(peakRss = statusBytes(readStatus(), "VmHWM"), rssPeakSampled = sampler.peak,
                                     pss = host.pssBytes())
            } catch (failure: Failure) {
                throw failure
            } catch (e: Throwable) {
                throw Failure("run_failed", describe(e))
            }
            return Result(request.cellId, "ok", null, shell + extra, request.runtime, version, session.delegateApplied(),
                          timing, memory, host.cpuTimeNs())
        } catch (failure: Failure) {
            return failed(request.cellId, request.runtime, failure.status, failure.text, version, timing, memory, extra)
        }
    }

    /** The timed loop, failed when the window did not have focus at its start or its end (item 7). */
    private fun timedInForeground(session: ModelSession, request: Request, extra: MutableMap<String, Any>): LongArray {
        val focusedBefore = host.focused(true)
        val native = ArrayList<Long>()
        host.phase("timed")
        val samples = try {
            timedLoop(session::run, request.minIterations, request.minSeconds, request.maxSeconds,
                      after = { session.lastNativeInferenceNs()?.let { native.add(it) } })
        } finally {
            host.phase("after")
        }
        val focusedAfter = host.focused(false)
        extra["window_focus"] = mapOf("loop_start" to focusedBefore, "loop_end" to focusedAfter)
        if (native.isNotEmpty()) extra["native_inference_ns"] = native
        if (!focusedBefore || !focusedAfter) {
            throw Failure("run_failed", "the activity's window had no focus at the " +
                (if (!focusedBefore) "start" else "end") + " of the timed loop (lock screen or another window in " +
                "front): its samples may have run in a background CPU group")
        }
        return samples
    }

    private fun outsideSandbox(request: Request): String? {
        val sandbox = host.sandbox ?: return null
        return sandbox.refusal("model", request.modelPath)
            ?: request.inputs.firstNotNullOfOrNull { sandbox.refusal("input", it.path) }
    }

    private fun readInputs(request: Request): List<Pair<InputSpec, ByteArray>> = request.inputs.map { spec ->
        val bytes = File(spec.path).readBytes()
        val expected = spec.elements * DTYPE_BYTES.getValue(spec.dtype)
        require(bytes.size.toLong() == expected) {
            "${File(spec.path).name} holds ${bytes.size} bytes; shape ${spec.shape.toList()} of ${spec.dtype} needs $expected"
        }
        spec to bytes
    }

    companion object {
        val DTYPE_BYTES = mapOf("float32" to 4, "int64" to 8, "int32" to 4, "int8" to 1, "uint8" to 1)
    }
}
