"""ExecuTorch's own profiler on the host: an ETDump from the bindings, read with `executorch.devtools.Inspector`.

Without an ETRecord the Inspector names events as the runtime logged them: `native_call_<op>.out` for
the portable kernels, and the XNNPACK delegate's own operator names (`Convolution (NHWC, F32) IGEMM #1`)
inside each `DELEGATE_CALL`. Wrapper events (OPERATOR_CALL, DELEGATE_CALL, Method::execute) are not
operators; `Method::execute` gives the profiled inference time.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from harness.runtimes.executorch.program import BACKEND_IDS
from harness.runtimes.executorch.session import ExecuTorchSession, Runtime, Verification, portable_lib
from harness.runtimes.session import DelegateUnavailable

PROFILER = "ExecuTorch ETDump (executorch.devtools.Inspector)"
PORTABLE_CALL = "native_call_"
_WRAPPERS = {"OPERATOR_CALL", "DELEGATE_CALL", "Method::execute"}
_INSTANCE = re.compile(r"\s+#\d+$")  # XNNPACK numbers each operator of a kind


def profile(path: Path, delegate: str, threads: int, inputs: list[np.ndarray], warmup_runs: int, runs: int,
            folder: Path) -> dict:
    if delegate != "none" and BACKEND_IDS.get(delegate) not in portable_lib._get_registered_backend_names():
        raise DelegateUnavailable(f"this ExecuTorch build has no {delegate} backend")
    portable_lib._unsafe_reset_threadpool(threads)
    program = Runtime.get().load_program(path, verification=Verification.Minimal, enable_etdump=True)
    session = ExecuTorchSession(path, program.load_method("forward"))
    session.set_inputs(inputs)
    for _ in range(1 + warmup_runs + runs):
        session.run()
    etdump = folder / "profile.etdp"
    program.write_etdump_result_to_file(str(etdump), str(folder / "profile.debug.bin"))
    return read_etdump(etdump, skip=1 + warmup_runs, backend=delegate)


def read_etdump(etdump: Path, skip: int, backend: str) -> dict:
    """The operators of each execution after the first ``skip`` (the first inference and the warm-ups)."""
    from executorch.devtools import Inspector  # loads the exporter: seconds, in a profiling process only

    inspector = Inspector(etdump_path=str(etdump))
    block = next(b for b in inspector.event_blocks if b.name == "Execute")
    operators, inference_ns = [], []
    for event in block.events:
        samples = tuple(round(ms * 1e6) for ms in (event.perf_data.raw if event.perf_data else ())[skip:])
        if event.name == "Method::execute":
            inference_ns = list(samples)
        elif event.name not in _WRAPPERS:
            operators.append(_operator(event.name, bool(event.is_delegated_op), backend, samples))
    return {"profiler": PROFILER, "inferences": len(inference_ns), "inference_ns": inference_ns,
            "operators": operators}


def _operator(name: str, delegated: bool, backend: str, samples: tuple[int, ...]) -> dict:
    if delegated:
        kind = _INSTANCE.sub("", name)
        return {"name": name, "type": kind, "ran_on": backend, "calls": 1, "samples_ns": samples}
    kind = name.removeprefix(PORTABLE_CALL)
    return {"name": kind, "type": kind, "ran_on": "portable", "calls": 1, "samples_ns": samples}
