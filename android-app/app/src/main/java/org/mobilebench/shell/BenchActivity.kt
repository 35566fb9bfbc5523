package org.mobilebench.shell

import android.app.Activity
import android.os.Build
import android.os.Bundle
import android.os.Debug
import android.os.PowerManager
import android.os.Process
import android.view.WindowManager
import java.io.File

/**
 * The one entry point: `am start -W -S -n org.mobilebench.shell/.BenchActivity --es request R --es result O`.
 * Runs the request on a background thread with the screen kept on, writes the result, and finishes.
 */
class BenchActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        val requestPath = intent.getStringExtra("request")
        val resultPath = intent.getStringExtra("result")
        if (requestPath == null || resultPath == null) {
            finish()  // nothing to answer to: the harness times out and says the extras were missing
            return
        }
        val sustained = requestedSustained(File(requestPath)) && applySustainedPerformance()
        val shell = mapOf(
            "name" to "android-app", "version" to BuildConfig.VERSION_NAME,
            "platform" to "android-${Build.VERSION.SDK_INT}-${Build.SUPPORTED_ABIS.firstOrNull()}",
            "sustained_performance" to sustained,
        )
        val bench = Bench(shell, pssBytes = { Debug.getPss() * 1024 },
                          cpuTimeNs = { Process.getElapsedCpuTime() * 1_000_000 })
        Thread({
            bench.runFile(File(requestPath), File(resultPath))
            runOnUiThread { finish() }
        }, "bench").start()
    }

    private fun requestedSustained(request: File): Boolean = try {
        org.json.JSONObject(request.readText()).optBoolean("sustained_performance", false)
    } catch (e: Exception) {
        false  // the bench thread reports the bad request
    }

    /** Sustained-performance mode, where the device supports it; the result records whether it applied. */
    private fun applySustainedPerformance(): Boolean {
        val power = getSystemService(POWER_SERVICE) as PowerManager
        if (!power.isSustainedPerformanceModeSupported) return false
        window.setSustainedPerformanceMode(true)
        return true
    }
}
