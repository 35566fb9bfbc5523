"""The practical single-precision peak of this machine: the best of several large float32 matrix products.

Usage: python -m harness.shell.peak JOB.json OUTCOME.json   (threads from OPENBLAS_NUM_THREADS / OMP_NUM_THREADS)
"""

from __future__ import annotations

import sys
import time
from typing import Literal

import numpy as np
from pydantic import BaseModel

from harness.child import child_main
from harness.teardown import end_process


class PeakJob(BaseModel):
    size: int = 2048
    trials: int = 5


class PeakOutcome(BaseModel):
    status: Literal["ok"] = "ok"
    gflops: float


def measure(job: PeakJob) -> PeakOutcome:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((job.size, job.size), dtype=np.float32)
    b = rng.standard_normal((job.size, job.size), dtype=np.float32)
    a @ b  # the first product pays for thread start-up
    best = float("inf")
    for _ in range(job.trials):
        begin = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - begin)
    return PeakOutcome(gflops=2 * job.size**3 / best / 1e9)


if __name__ == "__main__":
    end_process(child_main(sys.argv[1:], measure, PeakJob, lambda error: f"{type(error).__name__}: {error}"))
