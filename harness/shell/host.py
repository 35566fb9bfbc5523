"""The host shell: runs one request in this process, on one runtime, and writes the result.

Usage: python -m harness.shell.host REQUEST.json RESULT.json

It imports only the runtime the request names, times only the inference call with
time.monotonic_ns, and reports raw samples. It computes no statistics.
"""

from __future__ import annotations

import platform
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

import numpy as np

from harness import __version__
from harness.protocol import Memory, Request, Result, Timing, read_request, write_json_atomic
from harness.shell.memory import RssSampler, current_rss_bytes, peak_rss_bytes, pss_bytes

SHELL = {"name": "host-python", "version": __version__, "platform": f"{sys.platform}-{platform.machine()}"}
CLOCK = "time.monotonic_ns"
_ERROR_LIMIT = 4000


class _Failure(Exception):
    def __init__(self, status: str, error: BaseException | str):
        self.status = status
        self.text = error if isinstance(error, str) else _describe(error)


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return text if len(text) <= _ERROR_LIMIT else text[:_ERROR_LIMIT] + " [...]"


def _read_inputs(request: Request, folder: Path) -> list[np.ndarray]:
    arrays = []
    for spec in request.inputs:
        array = np.fromfile(folder / spec.path, dtype=np.dtype(spec.dtype).newbyteorder("<"))
        if array.size != int(np.prod(spec.shape)):
            raise ValueError(f"{spec.path} holds {array.size} values; shape {list(spec.shape)} needs {int(np.prod(spec.shape))}")
        arrays.append(array.reshape(spec.shape).astype(spec.dtype, copy=False))
    return arrays


def _timed_loop(session, request: Request) -> list[int]:
    """Run until both the minimum count and minimum time are met, or the maximum time passes."""
    clock = time.monotonic_ns
    min_ns, max_ns = int(request.min_seconds * 1e9), int(request.max_seconds * 1e9)
    samples: list[int] = []
    start = clock()
    while True:
        begin = clock()
        session.run()
        end = clock()
        samples.append(end - begin)
        elapsed = end - start
        if elapsed >= max_ns or (len(samples) >= request.min_iterations and elapsed >= min_ns):
            return samples


def _measure(session, request: Request, timing: Timing, memory: Memory) -> tuple[Timing, Memory]:
    """First inference and warm-ups with RSS sampled, then the timed loop with no other thread running.

    Some runtimes (ExecuTorch's Python bindings) hold the GIL while inferring, so a sampling thread
    would take turns with the timed loop and add its own time to the samples."""
    with RssSampler() as sampler:
        begin = time.monotonic_ns()
        session.run()
        timing = replace(timing, first_inference_ns=time.monotonic_ns() - begin)
        for _ in range(request.warmup_runs):
            session.run()
    timing = replace(timing, samples_ns=tuple(_timed_loop(session, request)))
    return timing, replace(memory, peak_rss_bytes=peak_rss_bytes(), rss_peak_sampled_bytes=sampler.peak,
                           pss_bytes=pss_bytes())


def run_request(request: Request, folder: Path) -> Result:
    from harness.runtimes.catalog import ADAPTERS

    timing, memory, runtime_version, applied = Timing(CLOCK), Memory(), None, None
    try:
        adapter = ADAPTERS.get(request.runtime)
        try:
            inputs = _read_inputs(request, folder)
        except (OSError, ValueError) as error:
            raise _Failure("bad_request", error) from None
        memory = Memory(rss_before_load_bytes=current_rss_bytes())
        begin = time.monotonic_ns()
        try:
            session = adapter(folder / request.model_path, request.delegate, request.threads)
        except Exception as error:
            raise _Failure("load_failed", error) from None
        timing = Timing(CLOCK, load_ns=time.monotonic_ns() - begin)
        runtime_version = session.version
        memory = replace(memory, rss_after_load_bytes=current_rss_bytes())
        try:
            session.set_inputs(inputs)
            timing, memory = _measure(session, request, timing, memory)
        except Exception as error:
            raise _Failure("run_failed", error) from None
        applied = session.delegate_applied()
        status, error_text = "ok", None
    except _Failure as failure:
        status, error_text = failure.status, failure.text
    return Result(request.cell_id, status, error_text, SHELL, request.runtime, runtime_version, applied, timing, memory,
                  cpu_time_ns=time.process_time_ns())


def _bad_request(error: BaseException) -> Result:
    return Result("unknown", "bad_request", _describe(error), SHELL, "unknown", None, None, Timing(CLOCK))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    request_path, result_path = Path(argv[0]), Path(argv[1])
    try:
        request = read_request(request_path)
    except Exception as error:
        result = _bad_request(error)
    else:
        try:
            result = run_request(request, request_path.parent)
        except Exception as error:  # a bug in the shell itself: still answer with a result
            traceback.print_exc()
            result = Result(request.cell_id, "run_failed", f"shell error: {_describe(error)}", SHELL,
                            request.runtime, None, None, Timing(CLOCK))
    write_json_atomic(result_path, result.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
