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
        override val timedSpan = "fake"
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

    private fun runWith(session: () -> ModelSession, inputBytes: Int = 16, host: Host = Host()): JSONObject {
        val result = folder.root.resolve("out/result.json")
        Bench(mapOf("name" to "android-app", "version" to "test"), open = { session() }, host = host)
            .runFile(writeRequest(inputBytes), result)
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
        // VmHWM comes from /proc/self/status: present on Linux (and Android), absent on a macOS build machine.
        assertEquals(java.io.File("/proc/self/status").canRead(), !json.getJSONObject("memory").isNull("peak_rss_bytes"))
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

    @Test
    fun `phases are marked around the timed loop, in order`() {
        val phases = ArrayList<String>()
        assertEquals("ok", runWith({ FakeSession() }, host = Host(phase = { phases.add(it) })).getString("status"))
        assertEquals(listOf("loading", "warmup", "timed", "after"), phases)
    }

    @Test
    fun `a window without focus fails the repetition, its reason named`() {
        val json = runWith({ FakeSession() }, host = Host(focused = { false }))
        assertEquals("run_failed", json.getString("status"))
        assertTrue(json.getString("error").contains("no focus"))
        assertEquals(false, json.getJSONObject("shell").getJSONObject("window_focus").getBoolean("loop_start"))
        folder.delete(); folder.create()
        val lostAtEnd = runWith({ FakeSession() }, host = Host(focused = { wait -> wait }))  // had it, then lost it
        assertEquals("run_failed", lostAtEnd.getString("status"))
        assertTrue(lostAtEnd.getString("error").contains("at the end of the timed loop"))
    }

    @Test
    fun `a model outside the sandbox is refused before anything is read`() {
        val sandbox = Sandbox(folder.newFolder("files"))
        val json = runWith({ FakeSession() }, host = Host(sandbox = sandbox))
        assertEquals("bad_request", json.getString("status"))
        assertTrue(json.getString("error").contains("outside this app's files folder"))
    }

    @Test
    fun `a result that cannot be written is a logged error, not a dead thread`() {
        val logged = ArrayList<String>()
        val blocker = folder.newFile("not-a-folder")
        val written = Bench(mapOf("name" to "android-app", "version" to "test"), open = { FakeSession() },
                            host = Host(log = { logged.add(it) })).runFile(writeRequest(), blocker.resolve("result.json"))
        assertEquals(false, written)
        assertTrue(logged.any { it.contains("cannot write the result") })
    }
}
