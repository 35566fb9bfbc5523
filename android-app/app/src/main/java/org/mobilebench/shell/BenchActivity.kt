package org.mobilebench.shell

import android.app.Activity
import android.os.Build
import android.os.Bundle
import android.os.Debug
import android.os.PowerManager
import android.os.Process
import android.os.SystemClock
import android.util.Log
import android.view.WindowManager
import java.io.File

/**
 * The one entry point: `am start -W -S -n <package>/org.mobilebench.shell.BenchActivity --es request R --es result O`.
 * Runs the request on a background thread with the screen kept on and shown over the lock screen, writes the
 * result, and finishes. Both paths must lie inside this app's external files folder.
 */
class BenchActivity : Activity() {
    @Volatile private var hasFocus = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // configChanges in the manifest keeps the activity through a fold or a dark-mode switch; a recreation
        // that still happens (the process kept, the activity not) must not start a second bench thread.
        if (savedInstanceState != null || started) {
            log("onCreate again in the same process: the first bench thread goes on; this one does nothing")
            return
        }
        showInForeground()
        val files = getExternalFilesDir(null)  // makes the system create this app's folder, writable by it
        if (files == null) {
            log("no external files folder (shared storage not mounted): cannot take requests")
            finish()
            return
        }
        val sandbox = Sandbox(files)
        val requestPath = intent.getStringExtra("request")
        val resultPath = intent.getStringExtra("result")
        val resultRefusal = sandbox.refusal("result", resultPath)
        val requestRefusal = sandbox.refusal("request", requestPath)
        if (resultRefusal != null || requestRefusal != null) {
            log("refused: ${listOfNotNull(requestRefusal, resultRefusal).joinToString("; ")}")
            if (resultRefusal == null) bench(sandbox, false).write(File(resultPath!!), bench(sandbox, false).refused(requestRefusal!!))
            finish()
            return
        }
        started = true
        val request = File(requestPath!!)
        val result = File(resultPath!!)
        val bench = bench(sandbox, sustainedAsked(request) && applySustainedPerformance(), phaseFile(result))
        log("running ${request.path}")
        Thread({
            val written = bench.runFile(request, result)
            log(if (written) "wrote ${result.path}" else "no result written")
            phaseFile(result).delete()
            started = false  // the next request, in this process or not, runs
            runOnUiThread { finish() }
        }, "bench").start()
    }

    private fun bench(sandbox: Sandbox, sustained: Boolean, phases: File? = null): Bench {
        val shell = mapOf(
            "name" to "android-app", "version" to BuildConfig.VERSION_NAME,
            "platform" to "android-${Build.VERSION.SDK_INT}-${Build.SUPPORTED_ABIS.firstOrNull()}",
            "sustained_performance" to sustained,
            "package" to packageName, "version_code" to BuildConfig.VERSION_CODE,
        )
        val host = Host(
            log = { log(it) },
            phase = { name -> log("phase $name"); phases?.let { writePhase(it, name) } },
            focused = { wait -> if (wait) awaitFocus() else hasFocus },
            pssBytes = { Debug.getPss() * 1024 },
            cpuTimeNs = { Process.getElapsedCpuTime() * 1_000_000 },
            sandbox = sandbox,
        )
        return Bench(shell, host = host)
    }

    private fun writePhase(file: File, name: String) = try {
        writeAtomically(file, name)
    } catch (e: Exception) {
        log("cannot write the phase file $file: ${e.message}")
    }

    /** Shown over the lock screen, turning the screen on: a background activity runs in a slower CPU group. */
    private fun showInForeground() {
        window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O_MR1) {
            setShowWhenLocked(true)
            setTurnScreenOn(true)
        } else {
            @Suppress("DEPRECATION")
            window.addFlags(WindowManager.LayoutParams.FLAG_SHOW_WHEN_LOCKED or WindowManager.LayoutParams.FLAG_TURN_SCREEN_ON)
        }
    }

    override fun onWindowFocusChanged(focus: Boolean) {
        super.onWindowFocusChanged(focus)
        hasFocus = focus
    }

    /** Called from the bench thread: waits up to [FOCUS_WAIT_MS] for the window's focus. */
    private fun awaitFocus(): Boolean {
        val deadline = SystemClock.uptimeMillis() + FOCUS_WAIT_MS
        while (!hasFocus && SystemClock.uptimeMillis() < deadline) SystemClock.sleep(10)
        return hasFocus
    }

    private fun sustainedAsked(request: File): Boolean = try {
        requestedSustained(request.readText())
    } catch (e: java.io.IOException) {
        false  // the bench thread reports the unreadable request
    }

    /** Sustained-performance mode, where the device supports it; the result records whether it applied. */
    private fun applySustainedPerformance(): Boolean {
        val power = getSystemService(POWER_SERVICE) as PowerManager
        if (!power.isSustainedPerformanceModeSupported) return false
        window.setSustainedPerformanceMode(true)
        return true
    }

    companion object {
        private const val FOCUS_WAIT_MS = 5_000L
        /** One bench thread per process, whatever happens to activities. */
        @Volatile private var started = false

        fun log(message: String) { Log.i(BuildConfig.LOG_TAG, message) }
    }
}
