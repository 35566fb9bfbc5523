package org.mobilebench.shell

import org.junit.Assert.assertEquals
import org.junit.Test

class MeasureTest {
    /** A clock that advances 1 ms per reading. */
    private fun fakeClock(): () -> Long { var now = 0L; return { now += 1_000_000; now } }

    @Test
    fun `stops at the minimum count once the minimum time has passed`() {
        val samples = timedLoop({}, minIterations = 5, minSeconds = 0.0, maxSeconds = 10.0, clock = fakeClock())
        assertEquals(5, samples.size)
        assertEquals(1_000_000L, samples[0])
    }

    @Test
    fun `keeps going until the minimum time`() {
        val samples = timedLoop({}, minIterations = 1, minSeconds = 0.02, maxSeconds = 10.0, clock = fakeClock())
        assertEquals(10, samples.size)  // two readings per iteration: 2 ms each
    }

    @Test
    fun `the maximum time wins over the minimum count`() {
        val samples = timedLoop({}, minIterations = 1000, minSeconds = 0.0, maxSeconds = 0.01, clock = fakeClock())
        assertEquals(5, samples.size)
    }

    @Test
    fun `status fields are read in bytes`() {
        val status = "Name:\tapp\nVmHWM:\t  20480 kB\nVmRSS:\t  10240 kB\n"
        assertEquals(20480L * 1024, statusBytes(status, "VmHWM"))
        assertEquals(10240L * 1024, statusBytes(status, "VmRSS"))
        assertEquals(null, statusBytes(status, "VmSwap"))
    }
}
