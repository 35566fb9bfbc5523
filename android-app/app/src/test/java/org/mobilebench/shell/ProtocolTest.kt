package org.mobilebench.shell

import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

class ProtocolTest {
    private val folder = File("/data/local/tmp/cell")

    private fun request(version: Int = PROTOCOL_VERSION) = """
        {"kind": "request", "protocol_version": $version, "cell_id": "abc", "runtime": "litert",
         "model": {"path": "model.tflite", "format": "tflite", "sha256": "00"}, "delegate": "xnnpack", "threads": 2,
         "inputs": [{"path": "input0.bin", "shape": [1, 3, 8, 8], "dtype": "float32"}],
         "measurement": {"warmup_runs": 3, "min_iterations": 10, "min_seconds": 0.5, "max_seconds": 5}}
    """.trimIndent()

    @Test
    fun `a request resolves its paths against the request's folder`() {
        val parsed = parseRequest(request(), folder)
        assertEquals("/data/local/tmp/cell/model.tflite", parsed.modelPath)
        assertEquals("/data/local/tmp/cell/input0.bin", parsed.inputs[0].path)
        assertEquals(192L, parsed.inputs[0].elements)
        assertEquals(10, parsed.minIterations)
        assertEquals(5.0, parsed.maxSeconds, 0.0)
        assertFalse(parsed.sustainedPerformance)
        assertEquals(0.0, parsed.warmupSeconds, 0.0)  // absent: optional in v2
        val timed = parseRequest(request().replace("\"warmup_runs\": 3,", "\"warmup_runs\": 3, \"warmup_seconds\": 2.5,"), folder)
        assertEquals(2.5, timed.warmupSeconds, 0.0)
    }

    @Test(expected = BadRequest::class)
    fun `another protocol version is a bad request`() {
        parseRequest(request(version = 1), folder)
    }

    @Test(expected = BadRequest::class)
    fun `a missing field is a bad request`() {
        parseRequest(request().replace("\"threads\": 2,", ""), folder)
    }

    @Test
    fun `results carry every field the schema requires, nulls included`() {
        val result = Result("abc", "load_failed", "boom", mapOf("name" to "android-app", "version" to "0.1.0"),
                            "litert", null, null, Timing(loadNs = 5), Memory(rssBeforeLoad = 1024), null)
        val json = resultJson(result)
        for (key in listOf("kind", "protocol_version", "cell_id", "status", "error", "shell", "runtime",
                           "delegate_applied", "timing", "memory", "cpu_time_ns")) {
            assertTrue(key, json.has(key))
        }
        assertEquals(2, json.getInt("protocol_version"))
        assertTrue(json.isNull("delegate_applied"))
        assertEquals(5L, json.getJSONObject("timing").getLong("load_ns"))
        assertTrue(json.getJSONObject("timing").isNull("first_inference_ns"))
        assertEquals(0, json.getJSONObject("timing").getJSONArray("samples_ns").length())
        assertEquals(JSONObject.NULL, json.getJSONObject("runtime").get("version"))
    }

    @Test
    fun `the sustained-performance flag is read only when the request sets it`() {
        assertTrue(requestedSustained(request().replace("\"threads\": 2,", "\"threads\": 2, \"sustained_performance\": true,")))
        assertFalse(requestedSustained(request()))
        assertFalse(requestedSustained("{not json"))
        assertTrue(parseRequest(request().replace("\"threads\": 2,", "\"threads\": 2, \"sustained_performance\": true,"),
                                folder).sustainedPerformance)
    }
}
