package org.mobilebench.shell

import org.json.JSONArray
import org.json.JSONObject
import java.io.File

/** The request/result protocol, version 2: harness/protocol/schema/v2.json is the specification. */
const val PROTOCOL_VERSION = 2

class BadRequest(message: String) : Exception(message)

data class InputSpec(val path: String, val shape: LongArray, val dtype: String) {
    val elements: Long get() = shape.fold(1L) { a, b -> a * b }
}

data class Request(
    val cellId: String,
    val runtime: String,
    val modelPath: String,
    val delegate: String,
    val threads: Int,
    val inputs: List<InputSpec>,
    val warmupRuns: Int,
    val warmupSeconds: Double,
    val minIterations: Int,
    val minSeconds: Double,
    val maxSeconds: Double,
    val sustainedPerformance: Boolean,
)

/** Parses a request; paths in it are relative to the request file's folder, returned here resolved. */
fun parseRequest(text: String, folder: File): Request {
    val message = try { JSONObject(text) } catch (e: Exception) { throw BadRequest("not JSON: ${e.message}") }
    if (message.optString("kind") != "request") throw BadRequest("expected a request message")
    val version = message.opt("protocol_version")
    if (version != PROTOCOL_VERSION) {
        throw BadRequest("unsupported protocol_version $version; this app speaks version $PROTOCOL_VERSION")
    }
    try {
        val model = message.getJSONObject("model")
        val measurement = message.getJSONObject("measurement")
        val inputs = message.getJSONArray("inputs")
        return Request(
            cellId = message.getString("cell_id"),
            runtime = message.getString("runtime"),
            modelPath = File(folder, model.getString("path")).path,
            delegate = message.getString("delegate"),
            threads = message.getInt("threads"),
            inputs = (0 until inputs.length()).map { i ->
                val input = inputs.getJSONObject(i)
                val shape = input.getJSONArray("shape")
                InputSpec(File(folder, input.getString("path")).path,
                          LongArray(shape.length()) { shape.getLong(it) }, input.getString("dtype"))
            },
            warmupRuns = measurement.getInt("warmup_runs"),
            warmupSeconds = measurement.optDouble("warmup_seconds", 0.0),  // optional in v2: absent means 0
            minIterations = measurement.getInt("min_iterations"),
            minSeconds = measurement.getDouble("min_seconds"),
            maxSeconds = measurement.getDouble("max_seconds"),
            sustainedPerformance = message.optBoolean("sustained_performance", false),
        )
    } catch (e: org.json.JSONException) {
        throw BadRequest("invalid request: ${e.message}")
    }
}

/** Whether a request asks for sustained-performance mode; false for anything unreadable (the bench thread reports it). */
fun requestedSustained(text: String): Boolean = try {
    JSONObject(text).optBoolean("sustained_performance", false)
} catch (e: org.json.JSONException) {
    false
}

data class Timing(
    val loadNs: Long? = null,
    val firstInferenceNs: Long? = null,
    val warmupSamplesNs: LongArray = LongArray(0),
    val samplesNs: LongArray = LongArray(0),
)

data class Memory(
    val rssBeforeLoad: Long? = null,
    val rssAfterLoad: Long? = null,
    val peakRss: Long? = null,
    val rssPeakSampled: Long? = null,
    val pss: Long? = null,
)

data class Result(
    val cellId: String,
    val status: String,  // ok, bad_request, load_failed, run_failed
    val error: String?,
    val shell: Map<String, Any>,
    val runtime: String,
    val runtimeVersion: String?,
    val delegateApplied: String?,
    val timing: Timing,
    val memory: Memory,
    val cpuTimeNs: Long?,
)

fun resultJson(result: Result): JSONObject = JSONObject()
    .put("kind", "result")
    .put("protocol_version", PROTOCOL_VERSION)
    .put("cell_id", result.cellId)
    .put("status", result.status)
    .put("error", result.error ?: JSONObject.NULL)
    .put("shell", jsonValue(result.shell))
    .put("runtime", JSONObject().put("name", result.runtime).put("version", result.runtimeVersion ?: JSONObject.NULL))
    .put("delegate_applied", result.delegateApplied ?: JSONObject.NULL)
    .put("timing", JSONObject()
        .put("clock", "System.nanoTime")
        .put("load_ns", result.timing.loadNs ?: JSONObject.NULL)
        .put("first_inference_ns", result.timing.firstInferenceNs ?: JSONObject.NULL)
        .put("warmup_ns", if (result.timing.warmupSamplesNs.isEmpty()) JSONObject.NULL else result.timing.warmupSamplesNs.sum())
        .put("warmup_samples_ns", JSONArray(result.timing.warmupSamplesNs.toList()))
        .put("samples_ns", JSONArray(result.timing.samplesNs.toList())))
    .put("memory", JSONObject()
        .put("rss_before_load_bytes", result.memory.rssBeforeLoad ?: JSONObject.NULL)
        .put("rss_after_load_bytes", result.memory.rssAfterLoad ?: JSONObject.NULL)
        .put("peak_rss_bytes", result.memory.peakRss ?: JSONObject.NULL)
        .put("rss_peak_sampled_bytes", result.memory.rssPeakSampled ?: JSONObject.NULL)
        .put("pss_bytes", result.memory.pss ?: JSONObject.NULL))
    .put("cpu_time_ns", result.cpuTimeNs ?: JSONObject.NULL)

/** Write next to the target, then rename: the harness polls for the file and never sees half of it. */
fun writeAtomically(target: File, text: String) {
    target.parentFile?.mkdirs()
    val partial = File(target.parentFile, ".${target.name}.partial")
    partial.writeText(text)
    if (!partial.renameTo(target)) throw java.io.IOException("cannot rename $partial to $target")
}

/** Maps, lists and arrays as JSON (org.json's own wrapping differs between Android and the JVM library). */
fun jsonValue(value: Any?): Any = when (value) {
    null -> JSONObject.NULL
    is Map<*, *> -> JSONObject().apply { value.forEach { (k, v) -> put(k.toString(), jsonValue(v)) } }
    is Iterable<*> -> JSONArray().apply { value.forEach { put(jsonValue(it)) } }
    is LongArray -> JSONArray().apply { value.forEach { put(it) } }
    else -> value
}
