"""Resident memory of this process, as the kernel reports it."""

from __future__ import annotations

import resource
import sys
import threading

SAMPLE_INTERVAL_SECONDS = 0.005


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def current_rss_bytes() -> int | None:
    """VmRSS: resident pages now."""
    kib = _status_kib("VmRSS")
    return kib * 1024 if kib is not None else None


def peak_rss_bytes() -> int:
    """VmHWM: the kernel's high-water mark of resident pages since the process started."""
    kib = _status_kib("VmHWM")
    if kib is not None:
        return kib * 1024
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max_rss if sys.platform == "darwin" else max_rss * 1024


def pss_bytes() -> int | None:
    """Proportional set size: resident pages, shared ones divided among the processes sharing them."""
    try:
        with open("/proc/self/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class RssSampler:
    """Samples VmRSS on a background thread while in the ``with`` block; ``peak`` is the largest sample."""

    def __init__(self, interval: float = SAMPLE_INTERVAL_SECONDS):
        self.interval, self.peak = interval, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        rss = current_rss_bytes()
        if rss is not None and (self.peak is None or rss > self.peak):
            self.peak = rss

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
