"""A run's conversions: cached files looked up first, the rest converted in parallel, each in its own processes.

Nothing is measured while files convert, so the machine's cores all go to converting. Each worker is a
thread that waits on a conversion's child processes; the number of workers is bounded by the cores and
by the memory a conversion may take. The processes are forked from servers that have imported their
converter or runtime once (harness.forkserver), each stopped once no conversion left needs it: importing
a converter took 1.8 to 5 s of every conversion on a quiet machine, twice that beside another
(docs/wall-budget.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from harness.convert.cache import Artifact, ArtifactCache, ConversionFailure, cache_key, conversion_steps
from harness.convert.catalog import Conversion
from harness.errors import HarnessError
from harness.forkserver import ForkServers
from harness.run.progress import PhaseClock, Progress
from harness.run.timeline import Timeline
from harness.runtimes import runtime_for_format

# What each parallel conversion may hold: a budget, not a measurement; torch.export with calibration or a
# TensorFlow conversion of a zoo model needs a few GB at most. --convert-jobs overrides the count it gives.
CONVERSION_MEMORY_BYTES = 4 << 30
Converted = dict[Conversion, Artifact | ConversionFailure]


def available_memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def conversion_workers(pending: int, requested: int | None = None) -> int:
    """As many as asked; else one per core, no more than memory allows for CONVERSION_MEMORY_BYTES each."""
    if requested:
        return max(1, min(requested, pending))
    workers = len(os.sched_getaffinity(0))
    memory = available_memory_bytes()
    if memory is not None:
        workers = min(workers, memory // CONVERSION_MEMORY_BYTES)
    return max(1, min(workers, pending))


def convert_all(conversions: list[Conversion], cache: ArtifactCache, use_cache: bool,
                report: Callable[[Progress], None], timeline: Timeline, workers: int | None = None) -> Converted:
    """Every conversion's file or failure. Progress and the cache keys stay on the calling thread."""
    clock = PhaseClock("convert", len(conversions), report)
    artifacts: Converted = {}
    to_convert: list[tuple[Conversion, str]] = []
    for conversion in conversions:
        key = cache_key(conversion)
        cached = cache.lookup(key) if use_cache else None
        if cached:
            artifacts[conversion] = cached
            clock.finished(conversion.label, "cached", quick=True)
        else:
            to_convert.append((conversion, key))
    if not to_convert:
        return artifacts

    forks = ForkServers()

    def convert(conversion: Conversion, key: str) -> Artifact | ConversionFailure:
        with timeline.span("convert", label=conversion.label, runtime=runtime_for_format(conversion.format).name):
            try:
                return cache.convert(conversion, key, use_cache=use_cache, forks=forks)
            except HarnessError as error:
                return ConversionFailure(str(error))

    try:
        with ThreadPoolExecutor(conversion_workers(len(to_convert), workers), thread_name_prefix="convert") as pool:
            futures = {pool.submit(convert, conversion, key): conversion for conversion, key in to_convert}
            clock.started(to_convert[0][0].label + (" and more" if len(to_convert) > 1 else ""))
            for future in as_completed(futures):
                conversion = futures[future]
                artifacts[conversion] = future.result()
                clock.finished(conversion.label, "failed" if isinstance(artifacts[conversion], ConversionFailure)
                               else "converted")
                forks.retire({step for c, _ in to_convert if c not in artifacts for step in conversion_steps(c)})
    finally:
        forks.stop()
    return artifacts
