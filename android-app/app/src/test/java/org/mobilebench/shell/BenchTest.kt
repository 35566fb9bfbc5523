package org.mobilebench.shell

import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

class BenchTest {
    @get:Rule val folder = TemporaryFolder()

    private class FakeSession(private val failOnRun: Boolean = false) : ModelSession {
        var runs = 0
        override val version = "fake-1"
        override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {}
        override fun run() { if (failOnRun) throw IllegalStateException("kernel missing"); runs++ }
        override fun delegateApplied() = "xnnpack"
    }

    private fun writeRequest(inputBytes: Int = 16): java.io.File {
        folder.newFile("input0.bin").writeBytes(ByteArray(inputBytes))
        folder.newFile("model.tflite").writeBytes(ByteArray(8))
        return folder.newFile("request.json").apply {
            writeText("""{"kind": "request", "protocol_version": 2, "cell_id": "c1", "runtime": "litert",
                "model": {"path": "model.tflite", "format": "tflite", "sha256": "00"}, "delegate": "xnnpack",
                "threads": 1, "inputs": [{"path": "input0.bin", "shape": [1, 4], "dtype": "float32"}],
                "measurement": {"warmup_runs": 2, "min_iterations": 7, "min_seconds": 0, "max_seconds": 30}}""")
        }
    }

    private fun runWith(session: () -> ModelSession, inputBytes: Int = 16): JSONObject {
        val result = folder.root.resolve("out/result.json")
        Bench(mapOf("name" to "android-app", "version" to "test"), open = { session() }).runFile(writeRequest(inputBytes), result)
        return JSONObject(result.readText())
    }

    @Test
    fun `an ok run writes raw samples matching the request and no statistics`() {
        val fake = FakeSession()
        val json = runWith({ fake })
        assertEquals("ok", json.getString("status"))
        assertEquals(7, json.getJSONObject("timing").getJSONArray("samples_ns").length())
        assertEquals(1 + 2 + 7, fake.runs)  // first inference, warm-ups, timed
        assertEquals("xnnpack", json.getString("delegate_applied"))
        assertEquals("fake-1", json.getJSONObject("runtime").getString("version"))
        assertTrue(json.getJSONObject("timing").getLong("load_ns") >= 0)
        assertTrue(!json.getJSONObject("memory").isNull("peak_rss_bytes"))  // /proc/self/status on Linux
    }

    @Test
    fun `failures are results with a status, never a hang`() {
        assertEquals("run_failed", runWith({ FakeSession(failOnRun = true) }).getString("status"))
        folder.delete(); folder.create()
        val unavailable = runWith({ throw DelegateUnavailable("no gpu here") })
        assertEquals("load_failed", unavailable.getString("status"))
        assertTrue(unavailable.getString("error").contains("no gpu here"))
        assertTrue(unavailable.isNull("delegate_applied"))
        folder.delete(); folder.create()
        assertEquals("bad_request", runWith({ FakeSession() }, inputBytes = 3).getString("status"))
    }

    @Test
    fun `an unreadable request still gets a result`() {
        val request = folder.newFile("request.json").apply { writeText("{not json") }
        val result = folder.root.resolve("result.json")
        Bench(mapOf("name" to "android-app", "version" to "test"), open = { FakeSession() }).runFile(request, result)
        val json = JSONObject(result.readText())
        assertEquals("bad_request", json.getString("status"))
        assertNull(json.optString("delegate_applied", null))
    }
}
