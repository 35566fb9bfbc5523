"""Forked or spawned shells: what each costs to start, and whether forking changes what the shells measure.

Each round runs the model once on every runtime with forked shells and once with spawned ones (two
`harness.run_bench` runs of one repetition per cell, in a seeded random order), so drift over the
rounds affects both alike. Prints per runtime and start method:
- start-up: the shell process's wall time minus what it timed itself, median over rounds (from the
  runs' timelines; starting a fork server is not part of it and is printed apart);
- latency: the median of the per-round medians, and the ratio forked / spawned with its 95% interval
  (Welch on log medians, as `harness compare` judges two runs);
- memory: resident memory the load added, and the peak above the baseline before loading, medians.

Usage: .venv/bin/python benchmarks/shell_start.py [--model mobilenet_v2] [--rounds 8] [--threads 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ab_rounds import ONE_REPETITION_MATRIX, interleaved_rounds, print_shell_figures, ratio_text

import harness

MODES = ("fork", "spawn")


def _round(folder: Path, model: str, threads: int, mode: str, seed: int) -> dict[str, dict[str, float]]:
    """One repetition per runtime with ``mode``: per runtime, its figures."""
    matrix_file = folder / f"{mode}-{seed}.yaml"
    matrix_file.write_text(ONE_REPETITION_MATRIX.format(name=f"shell-start-{mode}", model=model, threads=threads,
                                                        seed=seed, measurement=f", shell_start: {mode}"))
    summary = harness.run_bench(harness.load_matrix(matrix_file), harness.open_device("host"), folder / "runs",
                                harness.ArtifactCache(harness.default_cache_dir()))
    frame = harness.results.load(summary.run_dir).set_index("runtime")
    _, budgets = harness.wall_budget(summary.run_dir)
    figures = {}
    for runtime, budget in budgets.items():
        row = frame.loc[runtime]
        if row.status != "ok":
            raise SystemExit(f"{runtime} ({mode}): {row.status}: {row.error}")
        figures[runtime] = {
            "startup_s": budget.seconds.get("startup", 0.0),
            "median_ms": row.latency_p50_ms,
            "load_mb": (row.rss_after_load_bytes - row.rss_before_load_bytes) / 1e6,
            "peak_mb": (row.peak_rss_bytes - row.rss_before_load_bytes) / 1e6}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        seen = interleaved_rounds(args.rounds, MODES,
                                  lambda mode, seed: _round(Path(folder), args.model, args.threads, mode, seed))
    print(f"{args.model}, {args.threads} thread(s), {args.rounds} rounds of one forked and one spawned repetition")
    for runtime, by_mode in seen.items():
        _print(runtime, by_mode)


def _print(runtime: str, by_mode: dict[str, list[dict]]) -> None:
    print_shell_figures(runtime, "start", by_mode, {})
    ratio = ratio_text([r["median_ms"] for r in by_mode["spawn"]], [r["median_ms"] for r in by_mode["fork"]])
    print(f"\nlatency forked / spawned: {ratio}")


if __name__ == "__main__":
    main()
