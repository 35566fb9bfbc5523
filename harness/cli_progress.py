"""Progress on the terminal: bars on a TTY, one line per finished item otherwise."""

from __future__ import annotations

import sys

from tqdm import tqdm

from harness.run.progress import Progress

_BAR = "{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed}{postfix}"
_PHASES = {"convert": "converting", "peak": "measuring peak", "round": "interleaved rounds", "run": "running cells"}


def time_left(seconds: float) -> str:
    if seconds < 90:
        return f"about {max(round(seconds / 10) * 10, 10):.0f} s left"
    if seconds < 5400:
        return f"about {round(seconds / 60):.0f} min left"
    return f"about {seconds / 3600:.1f} h left"


def _left(event: Progress, before: str, after: str = "") -> str:
    if event.eta_seconds is None or event.done >= event.total:
        return ""
    return f"{before}{time_left(event.eta_seconds)}{after}"


class ProgressPrinter:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr  # looked up now: a test's captured stderr, say
        self.interactive = self.stream.isatty()
        self._bar: tqdm | None = None
        self._phase: str | None = None

    def __enter__(self) -> ProgressPrinter:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.close()

    def __call__(self, event: Progress) -> None:
        if self.interactive:
            self._update_bar(event)
        elif event.status is not None:
            print(f"[{event.phase} {event.done}/{event.total}] {event.label}: {event.status}{_left(event, ' (', ')')}",
                  file=self.stream, flush=True)

    def _update_bar(self, event: Progress) -> None:
        if event.phase != self._phase:
            if self._bar:
                self._bar.close()
            self._bar = tqdm(total=event.total, desc=_PHASES[event.phase], unit="item", file=self.stream,
                             bar_format=_BAR)  # the time left is ours, per phase (run/progress.py)
            self._phase = event.phase
        bar = self._bar
        assert bar is not None
        bar.set_postfix_str(event.label[-50:] + _left(event, ", "))
        if event.status is not None:
            bar.update(event.done - bar.n)
            if event.status not in ("ok", "converted", "cached"):
                bar.write(f"{event.label}: {event.status}")
