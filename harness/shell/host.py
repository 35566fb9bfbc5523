"""The host shell: runs one request in this process, on one runtime, and writes the result.

Usage: python -m harness.shell.host REQUEST.json RESULT.json

It imports only the runtime the request names, times only the inference call with
time.monotonic_ns (garbage collector paused), and reports raw samples. It computes no statistics.
"""

from __future__ import annotations

import gc
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from harness import __version__
from harness.files import write_json_atomic
from harness.protocol.wire import PROTOCOL_VERSION, check, read_json
from harness.runtimes.base import Session
from harness.shell.memory import RssSampler, current_rss_bytes, peak_rss_bytes, pss_bytes
from harness.teardown import end_process

SHELL = {"name": "host-python", "version": __version__, "platform": f"{sys.platform}-{platform.machine()}"}
CLOCK = "time.monotonic_ns"
_ERROR_LIMIT = 4000
# The request is read and the result written as JSON checked against the committed schema, as the apps write
# theirs, so the process measured holds the runtime and this shell, not the harness's models (pydantic adds
# about 10 MB and 0.3 s).
Request = dict[str, Any]
_NO_TIMING: dict[str, Any] = {"clock": CLOCK, "load_ns": None, "first_inference_ns": None, "warmup_ns": None,
                              "warmup_samples_ns": [], "samples_ns": []}
_NO_MEMORY = dict.fromkeys(("rss_before_load_bytes", "rss_after_load_bytes", "peak_rss_bytes", "rss_peak_sampled_bytes",
                            "pss_bytes"))


class _Failure(Exception):
    def __init__(self, status: str, error: BaseException | str):
        self.status = status
        self.text = error if isinstance(error, str) else _describe(error)


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return text if len(text) <= _ERROR_LIMIT else text[:_ERROR_LIMIT] + " [...]"


def _read_inputs(request: Request, folder: Path) -> list[np.ndarray]:
    arrays = []
    for spec in request["inputs"]:
        shape, dtype = tuple(spec["shape"]), spec["dtype"]
        array = np.fromfile(folder / spec["path"], dtype=np.dtype(dtype).newbyteorder("<"))
        if array.size != int(np.prod(shape)):
            raise ValueError(f"{spec['path']} holds {array.size} values; shape {list(shape)} needs {int(np.prod(shape))}")
        arrays.append(array.reshape(shape).astype(dtype, copy=False))
    return arrays


def _runs(session: Session, min_count: int, min_seconds: float, max_seconds: float,
          clock: Callable[[], int] = time.monotonic_ns) -> list[int]:
    """Each run's time: runs until both the minimum count and minimum time are met, or the maximum time passes."""
    min_ns, max_ns = int(min_seconds * 1e9), int(max_seconds * 1e9)
    samples: list[int] = []
    start = clock()
    while True:
        elapsed = clock() - start
        if elapsed >= max_ns or (len(samples) >= min_count and elapsed >= min_ns):
            return samples
        begin = clock()
        session.run()
        samples.append(clock() - begin)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector neither runs nor walks the objects made so far, the same way for every runtime."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def _measure(session: Session, settings: dict, timing: dict, memory: dict) -> None:
    """First inference and warm-ups with RSS sampled, then the timed loop with no other thread running.

    Some runtimes (ExecuTorch's Python bindings) hold the GIL while inferring, so a sampling thread
    would take turns with the timed loop and add its own time to the samples. Warm-up runs until both
    warmup_runs and warmup_seconds are met, bounded by max_seconds as the timed loop is."""
    with ExitStack() as paused:  # one pause from the warm-up to the end of the timed loop: one full collection
        with RssSampler() as sampler:
            begin = time.monotonic_ns()
            session.run()
            timing["first_inference_ns"] = time.monotonic_ns() - begin
            paused.enter_context(_collector_paused())
            warmup = _runs(session, settings["warmup_runs"], settings.get("warmup_seconds", 0.0),
                           settings["max_seconds"])
        timing["warmup_samples_ns"], timing["warmup_ns"] = warmup, sum(warmup)
        timing["samples_ns"] = _runs(session, settings["min_iterations"], settings["min_seconds"],
                                     settings["max_seconds"])
    # VmHWM follows the kernel's lazily synced per-CPU RSS counters and can trail a VmRSS reading by a page
    peak = max(filter(None, (peak_rss_bytes(), sampler.peak)), default=None)
    memory.update(peak_rss_bytes=peak, rss_peak_sampled_bytes=sampler.peak, pss_bytes=pss_bytes())


def run_request(request: Request, folder: Path) -> dict:
    """The result message of one checked request."""
    from harness.runtimes import runtime

    if request.get("profile"):  # never timed: the runtime's profiler instead of the timed loop
        from harness.shell.profile import run_profile

        return run_profile(request, folder)

    timing: dict = {"clock": CLOCK}
    memory: dict = {}
    runtime_version, applied = None, None
    try:
        load = runtime(request["runtime"]).load_session()
        try:
            inputs = _read_inputs(request, folder)
        except (OSError, ValueError) as error:
            raise _Failure("bad_request", error) from None
        memory["rss_before_load_bytes"] = current_rss_bytes()
        begin = time.monotonic_ns()
        try:
            session = load(folder / request["model"]["path"], request["delegate"], request["threads"])
        except Exception as error:
            raise _Failure("load_failed", error) from None
        timing["load_ns"] = time.monotonic_ns() - begin
        runtime_version = session.version
        memory["rss_after_load_bytes"] = current_rss_bytes()
        try:
            session.set_inputs(inputs)
            _measure(session, request["measurement"], timing, memory)
        except Exception as error:
            raise _Failure("run_failed", error) from None
        applied = session.delegate_applied()
        status, error_text = "ok", None
    except _Failure as failure:
        status, error_text = failure.status, failure.text
    return _result(request["cell_id"], status, error_text, request["runtime"], runtime_version, applied,
                   timing, memory, cpu_time_ns=time.process_time_ns())


def _result(cell_id: str, status: str, error: str | None, runtime: str, version: str | None = None,
            applied: str | None = None, timing: dict | None = None, memory: dict | None = None,
            cpu_time_ns: int | None = None) -> dict:
    """The result message, checked against the committed schema: the same check the harness makes before reading
    it into its model, without loading pydantic into the shell (about 0.3 s of every process's life)."""
    return check({
        "kind": "result", "protocol_version": PROTOCOL_VERSION, "cell_id": cell_id, "status": status, "error": error,
        "shell": SHELL, "runtime": {"name": runtime, "version": version}, "delegate_applied": applied,
        "timing": {**_NO_TIMING, **(timing or {})}, "memory": {**_NO_MEMORY, **(memory or {})},
        "cpu_time_ns": cpu_time_ns}, "result")


def warm(runtime_name: str) -> None:
    """What a fork server of this shell imports once (harness.forkserver): the runtime's session."""
    from harness.runtimes import runtime

    runtime(runtime_name).load_session()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    request_path, result_path = Path(argv[0]), Path(argv[1])
    try:
        request = check(read_json(request_path), "request")
    except Exception as error:
        result = _result("unknown", "bad_request", _describe(error), "unknown")
    else:
        try:
            result = run_request(request, request_path.parent)
        except Exception as error:  # a bug in the shell itself: still answer with a result
            traceback.print_exc()
            result = _result(request["cell_id"], "run_failed", f"shell error: {_describe(error)}", request["runtime"])
    write_json_atomic(result_path, result)
    return 0


if __name__ == "__main__":
    end_process(main(sys.argv[1:]))
