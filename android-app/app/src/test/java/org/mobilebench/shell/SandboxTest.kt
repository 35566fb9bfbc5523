package org.mobilebench.shell

import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

class SandboxTest {
    @get:Rule val folder = TemporaryFolder()

    @Test
    fun `paths inside the files folder are taken, others refused`() {
        val files = folder.newFolder("files")
        val sandbox = Sandbox(files)
        assertNull(sandbox.refusal("request", files.resolve("cells/run/c1/request.json").path))
        assertTrue(sandbox.contains(File(files, "results/out.json")))
        assertFalse(sandbox.contains(File(files, "../outside.json")))  // canonically outside
        assertFalse(sandbox.contains(files))  // the folder itself is not a file in it
        assertFalse(sandbox.contains(File("/data/local/tmp/request.json")))
        assertTrue(sandbox.refusal("result", null)!!.contains("no result path"))
    }

    @Test
    fun `a symbolic link cannot lead out`() {
        val files = folder.newFolder("files")
        val outside = folder.newFolder("outside")
        val link = File(files, "link").toPath()
        java.nio.file.Files.createSymbolicLink(link, outside.toPath())
        assertFalse(Sandbox(files).contains(File(link.toFile(), "request.json")))
    }
}
