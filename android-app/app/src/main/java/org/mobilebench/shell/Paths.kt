package org.mobilebench.shell

import java.io.File
import java.io.IOException

/**
 * The activity is exported, so any app on the phone can start it: it reads and writes only inside its own
 * external files folder. [root] is getExternalFilesDir(null); every path is compared canonically, so `..`
 * and symbolic links cannot lead out of it.
 */
class Sandbox(root: File) {
    private val root: File = root.canonicalFile

    fun contains(path: File): Boolean = try {
        val canonical = path.canonicalFile
        canonical != root && canonical.path.startsWith(root.path + File.separator)
    } catch (e: IOException) {
        false
    }

    /** Why [path] is refused, or null when it is inside. */
    fun refusal(what: String, path: String?): String? = when {
        path.isNullOrEmpty() -> "no $what path given (--es $what <path>)"
        !contains(File(path)) -> "$what path $path is outside this app's files folder $root"
        else -> null
    }
}

/** The phase file next to a result: the harness samples PSS only while it does not say "timed". */
fun phaseFile(result: File): File = File(result.parentFile, result.name + ".phase")
