package org.mobilebench.shell

import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The results these tests build must equal the golden files in src/test/resources/golden/, which
 * tests/android_app/test_golden_results.py validates against harness/protocol/schema/v2.json. A result the
 * schema refuses (a joined delegate name, an unknown field) fails here or there.
 */
class GoldenResultsTest {
    private val shell = mapOf("name" to "android-app", "version" to "0.2.0", "platform" to "android-34-arm64-v8a",
                              "sustained_performance" to false, "package" to "org.mobilebench.shell", "version_code" to 2)

    private fun golden(name: String) =
        JSONObject(javaClass.getResourceAsStream("/golden/$name.json")!!.bufferedReader().readText())

    private fun check(name: String, result: Result) {
        val written = resultJson(result)
        assertTrue("$name.json differs from what the app writes:\n${written.toString(1)}", golden(name).similar(written))
    }

    @Test
    fun `an ExecuTorch file with two backends reports one delegate and the full list`() {
        val backends = listOf("XnnpackBackend", "VulkanBackend")
        check("executorch_two_backends", Result(
            "cell-1", "ok", null, shell + mapOf("timed_span" to "execute(inputs)+outputs_to_java", "backends" to backends),
            "executorch", "1.5.1", executorchDelegateApplied("xnnpack", backends),
            Timing(loadNs = 1000, firstInferenceNs = 500, warmupSamplesNs = longArrayOf(120, 105),
                   samplesNs = longArrayOf(100, 110)),
            Memory(rssBeforeLoad = 4096, rssAfterLoad = 8192, peakRss = 8192, rssPeakSampled = 8192, pss = 4096), 2000))
    }

    @Test
    fun `an unknown backend alone gives a null delegate, never its raw name`() {
        check("executorch_unknown_backend", Result(
            "cell-2", "ok", null, shell + mapOf("backends" to listOf("SomeVendorBackend")), "executorch", "1.5.1",
            executorchDelegateApplied("none", listOf("SomeVendorBackend")), Timing(samplesNs = longArrayOf(7)),
            Memory(), null))
    }

    @Test
    fun `a refused request is a bad_request with nulls where nothing ran`() {
        check("refused_request", Result("unknown", "bad_request", "request path /data/local/tmp/r.json is outside this " +
            "app's files folder /storage/emulated/0/Android/data/org.mobilebench.shell/files", shell, "unknown", null,
            null, Timing(), Memory(), null))
    }

    @Test
    fun `the delegate mapping`() {
        assertEquals("none", executorchDelegateApplied("none", emptyList()))
        assertEquals("vulkan", executorchDelegateApplied("none", listOf("VulkanBackend")))
        assertEquals(null, executorchDelegateApplied("none", listOf("XnnpackBackend", "VulkanBackend")))
    }
}
