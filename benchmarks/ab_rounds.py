"""Two ways of running the same cells, compared in rounds: each round runs both, in a seeded random order,
so drift over the rounds affects both alike. Shared by benchmarks/shell_start.py and native_runner.py."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import harness

Figures = TypeVar("Figures")
# One model on each runtime (XNNPACK, the lite interpreter on its CPU kernels), one repetition a cell: a round.
ONE_REPETITION_MATRIX = """\
name: {name}
models: [{model}]
runtimes: [litert, executorch, torchscript]
delegates: [xnnpack, none]
threads: [{threads}]
exclude:
  - {{runtime: torchscript, delegate: xnnpack}}
  - {{runtime: litert, delegate: none}}
  - {{runtime: executorch, delegate: none}}
measurement: {{repetitions: 1, max_repetitions: 1, seed: {seed}{measurement}}}
"""


def interleaved_rounds(rounds: int, modes: Sequence[str],
                       run_round: Callable[[str, int], dict[str, Figures]]) -> dict[str, dict[str, list[Figures]]]:
    """Per key (a runtime, a delegate) and mode, each round's figures; ``run_round(mode, seed)`` runs one."""
    rng = random.Random(0)
    seen: dict[str, dict[str, list[Figures]]] = {}
    for seed in range(rounds):
        for mode in rng.sample(list(modes), len(modes)):
            for key, figures in run_round(mode, seed).items():
                seen.setdefault(key, {m: [] for m in modes})[mode].append(figures)
    return seen


def ratio_text(base_ms: Sequence[float], new_ms: Sequence[float]) -> str:
    """NEW / BASE from per-round medians, with its 95% interval where there is one (as `harness compare` judges)."""
    ratio = harness.repetition_ratio(list(base_ms), list(new_ms))
    interval = f" (95% interval {ratio.low:.3f} to {ratio.high:.3f}, p = {ratio.p_value:.2f})" if ratio.low else ""
    return f"{ratio.ratio:.3f}{interval}"


def print_shell_figures(runtime: str, heading: str, by_mode: Mapping[str, list[dict[str, float]]],
                        names: Mapping[str, str]) -> None:
    """One runtime's table: per mode (named by ``names``), the medians over the rounds of its start-up, latency,
    the memory its load added and its peak above the baseline."""
    print(f"\n{runtime}\n")
    print(f"| {heading} | start-up s | median ms | load MB | peak above baseline MB |\n|---|---:|---:|---:|---:|")
    for mode, rounds in by_mode.items():
        middle = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        print(f"| {names.get(mode, mode)} | {middle['startup_s']:.2f} | {middle['median_ms']:.3f} | {middle['load_mb']:.1f} "
              f"| {middle['peak_mb']:.1f} |")
