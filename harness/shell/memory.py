"""Resident memory of this process, as the kernel reports it."""

from __future__ import annotations

import resource
import sys
import threading

from harness.procfs import kib_values

SAMPLE_INTERVAL_SECONDS = 0.005


def _own(file: str, field: str) -> int | None:
    try:
        with open(f"/proc/self/{file}") as text:
            values = kib_values(text.read(), field)
    except OSError:
        return None
    return values[0] if values else None


def current_rss_bytes() -> int | None:
    """VmRSS: resident pages now."""
    return _own("status", "VmRSS")


def peak_rss_bytes() -> int:
    """VmHWM: the kernel's high-water mark of resident pages since the process started.

    Not ru_maxrss where VmHWM exists: that also counts the image the process replaced at exec."""
    peak = _own("status", "VmHWM")
    if peak is not None:
        return peak
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max_rss if sys.platform == "darwin" else max_rss * 1024


def pss_bytes() -> int | None:
    """Proportional set size: resident pages, shared ones divided among the processes sharing them."""
    return _own("smaps_rollup", "Pss")


class RssSampler:
    """Samples VmRSS on a background thread while in the ``with`` block; ``peak`` is the largest sample."""

    def __init__(self, interval: float = SAMPLE_INTERVAL_SECONDS):
        self.interval = interval
        self.peak: int | None = None
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
