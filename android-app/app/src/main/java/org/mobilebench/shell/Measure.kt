package org.mobilebench.shell

/**
 * Timed inferences until both the minimum count and the minimum time are reached, or the maximum time
 * passes: the same rule as the host shell. Only [run] is timed; [after] runs outside the timed span (it reads
 * a runtime's own timing of the call). Raw samples only; no statistics here.
 */
fun timedLoop(run: () -> Unit, minIterations: Int, minSeconds: Double, maxSeconds: Double,
              clock: () -> Long = System::nanoTime, after: () -> Unit = {}): LongArray {
    val minNs = (minSeconds * 1e9).toLong()
    val maxNs = (maxSeconds * 1e9).toLong()
    val samples = ArrayList<Long>(maxOf(minIterations, 16))
    val start = clock()
    while (true) {
        val begin = clock()
        run()
        val end = clock()
        samples.add(end - begin)
        after()
        val elapsed = end - start
        if (elapsed >= maxNs || (samples.size >= minIterations && elapsed >= minNs)) return samples.toLongArray()
    }
}

/**
 * The untimed warm-up, each run's time kept: runs until both [minRuns] and [minSeconds] are met, or [maxSeconds]
 * passes, checked before each run, so 0 and 0 mean none. The host shell's warm-up rule (harness/shell/host.py).
 */
fun warmupLoop(run: () -> Unit, minRuns: Int, minSeconds: Double, maxSeconds: Double,
               clock: () -> Long = System::nanoTime): LongArray {
    val minNs = (minSeconds * 1e9).toLong()
    val maxNs = (maxSeconds * 1e9).toLong()
    val samples = ArrayList<Long>(maxOf(minRuns, 4))
    val start = clock()
    while (true) {
        val elapsed = clock() - start
        if (elapsed >= maxNs || (samples.size >= minRuns && elapsed >= minNs)) return samples.toLongArray()
        val begin = clock()
        run()
        samples.add(clock() - begin)
    }
}
