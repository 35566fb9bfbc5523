package org.mobilebench.shell

import java.io.File

/** VmRSS / VmHWM of this process from /proc/self/status, in bytes: the host shell's definitions. */
fun statusBytes(statusText: String, field: String): Long? =
    statusText.lineSequence().firstOrNull { it.startsWith("$field:") }
        ?.substringAfter(':')?.trim()?.split(Regex("\\s+"))?.firstOrNull()?.toLongOrNull()?.times(1024)

fun readStatus(): String = try { File("/proc/self/status").readText() } catch (e: Exception) { "" }

/** Samples VmRSS on a background thread until [stop]; [peak] is the largest sample. */
class RssSampler(private val intervalMs: Long = 5) {
    @Volatile var peak: Long? = null
        private set
    @Volatile private var running = true
    private val thread = Thread {
        while (running) {
            sample()
            try { Thread.sleep(intervalMs) } catch (e: InterruptedException) { return@Thread }
        }
    }

    private fun sample() {
        val rss = statusBytes(readStatus(), "VmRSS") ?: return
        if (peak == null || rss > peak!!) peak = rss
    }

    fun start(): RssSampler { sample(); thread.start(); return this }

    fun stop() { running = false; thread.join(); sample() }
}
