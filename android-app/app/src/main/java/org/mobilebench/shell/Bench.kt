package org.mobilebench.shell

import java.io.File

private const val ERROR_LIMIT = 4000

private class Failure(val status: String, val text: String) : Exception(text)

private fun describe(error: Throwable): String =
    "${error.javaClass.simpleName}: ${error.message ?: ""}".trim().let { if (it.length <= ERROR_LIMIT) it else it.take(ERROR_LIMIT) + " [...]" }

/**
 * Runs one request the way the host shell does (harness/shell/host.py): load, first inference and
 * warm-ups with RSS sampled, then the timed loop alone. Android specifics come in as functions, so the
 * JVM unit tests drive it with a fake session.
 */
class Bench(
    private val shell: Map<String, Any>,
    private val open: (Request) -> ModelSession = ::openSession,
    private val pssBytes: () -> Long? = { null },
    private val cpuTimeNs: () -> Long? = { null },
) {
    fun runFile(requestFile: File, resultFile: File) {
        val result = try {
            run(parseRequest(requestFile.readText(), requestFile.absoluteFile.parentFile))
        } catch (e: BadRequest) {
            badRequest(e)
        } catch (e: java.io.IOException) {
            badRequest(e)
        } catch (e: Throwable) {  // a bug in the shell itself: still answer, so the harness never waits in vain
            Result("unknown", "run_failed", "shell error: ${describe(e)}", shell, "unknown", null, null, Timing(), Memory(),
                   cpuTimeNs())
        }
        writeAtomically(resultFile, resultJson(result).toString(1))
    }

    private fun badRequest(error: Throwable) =
        Result("unknown", "bad_request", describe(error), shell, "unknown", null, null, Timing(), Memory(), cpuTimeNs())

    fun run(request: Request): Result {
        var timing = Timing()
        var memory = Memory()
        var version: String? = null
        try {
            val inputs = try { readInputs(request) } catch (e: Exception) { throw Failure("bad_request", describe(e)) }
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
            memory = memory.copy(rssAfterLoad = statusBytes(readStatus(), "VmRSS"))
            try {
                session.setInputs(inputs)
                val sampler = RssSampler().start()
                try {
                    val first = System.nanoTime()
                    session.run()
                    timing = timing.copy(firstInferenceNs = System.nanoTime() - first)
                    repeat(request.warmupRuns) { session.run() }
                } finally {
                    sampler.stop()
                }
                val samples = timedLoop(session::run, request.minIterations, request.minSeconds, request.maxSeconds)
                timing = timing.copy(samplesNs = samples)
                memory = memory.copy(peakRss = statusBytes(readStatus(), "VmHWM"), rssPeakSampled = sampler.peak,
                                     pss = pssBytes())
            } catch (e: Throwable) {
                throw Failure("run_failed", describe(e))
            }
            return Result(request.cellId, "ok", null, shell, request.runtime, version, session.delegateApplied(), timing,
                          memory, cpuTimeNs())
        } catch (failure: Failure) {
            return Result(request.cellId, failure.status, failure.text, shell, request.runtime, version, null, timing,
                          memory, cpuTimeNs())
        }
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
