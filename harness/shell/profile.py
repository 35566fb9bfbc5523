"""The host shell's profiling path: a request with profile: operators runs under the runtime's own profiler.

It is a separate process from every timed repetition, so the profiler's overhead never reaches a latency
column. It reports the profiler's raw per-inference times; the harness computes every statistic.
"""

from __future__ import annotations

import time
from pathlib import Path

from harness.shell import host


def run_profile(request: host.Request, folder: Path) -> dict:
    """The result of one checked request that asks for a profile."""
    from harness.protocol import OperatorProfile
    from harness.runtimes import runtime

    timing = {"clock": host.CLOCK}
    profile, version = None, None
    try:
        described = runtime(request["runtime"])
        profiler = described.load_profiler()
        if profiler is None:
            raise host._Failure("bad_request", f"{described.name} offers no operator profile on the host")
        try:
            inputs = host._read_inputs(request, folder)
        except (OSError, ValueError) as error:
            raise host._Failure("bad_request", error) from None
        settings = request["measurement"]
        try:
            raw = profiler(folder / request["model"]["path"], request["delegate"], request["threads"], inputs,
                           settings["warmup_runs"], settings["min_iterations"], folder)
        except Exception as error:
            raise host._Failure("run_failed", error) from None
        profile = OperatorProfile.model_validate(raw)
        version = _version(described.packages)
        status, error_text = "ok", None
    except host._Failure as failure:
        status, error_text = failure.status, failure.text
    result = host._result(request["cell_id"], status, error_text, request["runtime"], version,
                          timing=timing, cpu_time_ns=time.process_time_ns())
    if profile is not None:
        result["operator_profile"] = profile.model_dump(mode="json")
    return result


def _version(packages: tuple[str, ...]) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(packages[0]) if packages else None
    except PackageNotFoundError:
        return None
