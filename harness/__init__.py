"""Benchmark harness comparing ExecuTorch, the TorchScript lite interpreter and LiteRT on the same models.

What a script needs, and nothing heavier until it is used:

    import harness
    matrix = harness.load_matrix("configs/matrices/default.yaml")
    device = harness.open_device("host")
    summary = harness.run_bench(matrix, device, "results", harness.ArtifactCache(harness.default_cache_dir()))
    frame = harness.results.load(summary.run_dir)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_matrix": "harness.config.matrix",
    "Matrix": "harness.config.matrix",
    "open_device": "harness.devices.inventory",
    "run_bench": "harness.run.bench",
    "Progress": "harness.run.progress",
    "RunSummary": "harness.run.bench",
    "ArtifactCache": "harness.convert.cache",
    "convert_model": "harness.convert.cache",
    "zoo_model": "harness.models.zoo",
    "default_cache_dir": "harness.paths",
    "HarnessError": "harness.errors",
    "latest_run": "harness.report.runs",
    "wall_budget": "harness.run.wall_budget",
    "budget_table": "harness.run.wall_budget",
    "repetition_ratio": "harness.stats",
    "paired_repetition_ratio": "harness.stats",
    "latency_summary": "harness.stats",
    "relative_error": "harness.stats",
    "more_repetitions_needed": "harness.stats",
}
__all__ = ["ArtifactCache", "HarnessError", "Matrix", "Progress", "RunSummary", "__version__", "budget_table",
           "convert_model", "default_cache_dir", "latency_summary", "latest_run", "load_matrix", "more_repetitions_needed",
           "open_device", "paired_repetition_ratio", "relative_error", "repetition_ratio", "results", "run_bench",
           "wall_budget", "zoo_model"]

if TYPE_CHECKING:
    from harness import results
    from harness.config.matrix import Matrix, load_matrix
    from harness.convert.cache import ArtifactCache, convert_model
    from harness.devices.inventory import open_device
    from harness.errors import HarnessError
    from harness.models.zoo import zoo_model
    from harness.paths import default_cache_dir
    from harness.report.runs import latest_run
    from harness.run.bench import RunSummary, run_bench
    from harness.run.progress import Progress
    from harness.run.wall_budget import budget_table, wall_budget
    from harness.stats import (
        latency_summary,
        more_repetitions_needed,
        paired_repetition_ratio,
        relative_error,
        repetition_ratio,
    )


def __getattr__(name: str) -> Any:
    if name == "results":
        return importlib.import_module("harness.results")
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")
