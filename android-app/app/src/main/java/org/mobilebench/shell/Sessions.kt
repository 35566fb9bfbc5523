package org.mobilebench.shell

import java.nio.ByteBuffer
import java.nio.ByteOrder

/** The requested delegate cannot be applied here. Shells never fall back silently. */
class DelegateUnavailable(message: String) : Exception(message)

/** One loaded model on one runtime. Mirrors harness/runtimes/session.py. */
interface ModelSession {
    val version: String
    /** What one timed call covers, reported as shell.timed_span so that spans can be compared across paths. */
    val timedSpan: String
    fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>)
    /** One inference on the inputs already set: the only call the shell times. */
    fun run()
    /** What the runtime actually applied: one protocol delegate name, or null when it cannot tell. */
    fun delegateApplied(): String?
    /** Every backend the runtime reports for the model (ExecuTorch), or null; reported as shell.backends. */
    fun backends(): List<String>? = null
    /** The runtime's own timing of the last run, read after the timed call (LiteRT's Interpreter), or null. */
    fun lastNativeInferenceNs(): Long? = null
}

/** The runtimes this APK holds (runtimes.json's flavor, through BuildConfig.RUNTIMES). */
val APK_RUNTIMES: List<String> = BuildConfig.RUNTIMES.split(",")

fun openSession(request: Request): ModelSession {
    if (request.runtime !in APK_RUNTIMES) {
        throw BadRequest("this APK (${BuildConfig.APPLICATION_ID}) holds ${APK_RUNTIMES.joinToString()}; " +
            "${request.runtime} is in another flavor (android-app/runtimes.json)")
    }
    return openFlavorSession(request)  // defined once per flavor: src/<flavor>/java/.../FlavorSessions.kt
}

internal fun directBuffer(bytes: ByteArray): ByteBuffer =
    ByteBuffer.allocateDirect(bytes.size).order(ByteOrder.nativeOrder()).apply { put(bytes); rewind() }

internal fun littleEndian(bytes: ByteArray): ByteBuffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)

internal fun floats(bytes: ByteArray) = FloatArray(bytes.size / 4).also { littleEndian(bytes).asFloatBuffer().get(it) }
internal fun longs(bytes: ByteArray) = LongArray(bytes.size / 8).also { littleEndian(bytes).asLongBuffer().get(it) }
internal fun ints(bytes: ByteArray) = IntArray(bytes.size / 4).also { littleEndian(bytes).asIntBuffer().get(it) }
