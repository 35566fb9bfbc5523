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
    fun `warm-up runs until both the count and the time are met, and keeps each run's time`() {
        val byCount = warmupLoop({}, minRuns = 3, minSeconds = 0.0, maxSeconds = 10.0, clock = fakeClock())
        assertEquals(listOf(1_000_000L, 1_000_000L, 1_000_000L), byCount.toList())
        val byTime = warmupLoop({}, minRuns = 1, minSeconds = 0.011, maxSeconds = 10.0, clock = fakeClock())
        assertEquals(4, byTime.size)  // three readings a run: the checks see 1, 4, 7, 10 and then 13 ms
    }

    @Test
    fun `no warm-up is asked for, none runs; the maximum time bounds a long one`() {
        assertEquals(0, warmupLoop({ error("ran") }, minRuns = 0, minSeconds = 0.0, maxSeconds = 10.0,
                                   clock = fakeClock()).size)
        assertEquals(3, warmupLoop({}, minRuns = 1000, minSeconds = 0.0, maxSeconds = 0.008, clock = fakeClock()).size)
    }

    @Test
    fun `status fields are read in bytes`() {
        val status = "Name:\tapp\nVmHWM:\t  20480 kB\nVmRSS:\t  10240 kB\n"
        assertEquals(20480L * 1024, statusBytes(status, "VmHWM"))
        assertEquals(10240L * 1024, statusBytes(status, "VmRSS"))
        assertEquals(null, statusBytes(status, "VmSwap"))
    }
}
