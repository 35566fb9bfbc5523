"""Python in the loop or not: ExecuTorch and lite-interpreter cells in the host's Python shell and in their native
C++ runners.

Each round runs every cell once in each mode (two `harness.run_bench` runs of one repetition per cell, the
modes in a seeded random order), so drift over the rounds affects both alike. Prints per runtime and delegate
the median of the per-round medians in each mode, the shells' start-up (a shell's wall time less what it timed
itself, per shell of the runtime), the ratio native / Python with its 95% interval (Welch on log medians, as
`harness compare` judges two runs), and the runtime bytes each mode needed (runtime_binary_bytes).

Needs the runners built: `make native-runners`.
Usage: .venv/bin/python benchmarks/native_runner.py [--model mobilenet_v2] [--rounds 6] [--threads 1]
       [--runtimes executorch,torchscript]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from ab_rounds import interleaved_rounds, ratio_text

import harness

MODES = ("process", "native")
MATRIX = """\
name: native-runner-{mode}
models: [{model}]
runtimes: [{runtimes}]
delegates: [xnnpack, none]
threads: [{threads}]
exclude:
  - {{runtime: torchscript, delegate: xnnpack}}
{mode_line}measurement: {{repetitions: 1, max_repetitions: 1, seed: {seed}}}
"""


def _round(folder: Path, model: str, runtimes: str, threads: int, mode: str, seed: int) -> dict[str, tuple[float, float, int]]:
    """One repetition per cell in ``mode``: per runtime and delegate, (median ms, start-up s, runtime bytes)."""
    matrix_file = folder / f"{mode}-{seed}.yaml"
    mode_line = "execution_mode: native\n" if mode == "native" else ""  # process: the host's default
    matrix_file.write_text(MATRIX.format(mode=mode, model=model, runtimes=runtimes, threads=threads, seed=seed,
                                        mode_line=mode_line))
    matrix = harness.load_matrix(matrix_file)
    summary = harness.run_bench(matrix, harness.open_device("host", mode=matrix.execution_mode), folder / "runs",
                                harness.ArtifactCache(harness.default_cache_dir()))
    frame = harness.results.load(summary.run_dir)
    _, budgets = harness.wall_budget(summary.run_dir)
    startup = {name: b.seconds.get("startup", 0.0) / b.repetitions for name, b in budgets.items() if b.repetitions}
    figures = {}
    for row in frame.itertuples():
        if row.status != "ok":
            raise SystemExit(f"{row.runtime} {row.delegate} ({mode}): {row.status}: {row.error}")
        figures[f"{row.runtime} {row.delegate}"] = (row.latency_p50_ms, startup[row.runtime], row.runtime_binary_bytes)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runtimes", default="executorch,torchscript", help="comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        seen = interleaved_rounds(args.rounds, MODES,
                                  lambda mode, seed: _round(Path(folder), args.model, args.runtimes, args.threads, mode, seed))
    print(f"{args.model}, {args.threads} thread(s), {args.rounds} rounds of one repetition per cell and mode\n")
    print("| runtime, delegate | mode | median ms | start-up s | runtime MB |\n|---|---|---:|---:|---:|")
    for cell, by_mode in seen.items():
        for mode, rounds in by_mode.items():
            print(f"| {cell} | {mode} | {statistics.median(r[0] for r in rounds):.3f} "
                  f"| {statistics.median(r[1] for r in rounds):.2f} | {rounds[0][2] / 1e6:.1f} |")
    for cell, by_mode in seen.items():
        ratio = ratio_text([r[0] for r in by_mode["process"]], [r[0] for r in by_mode["native"]])
        print(f"\n{cell}: latency native / Python shell: {ratio}")


if __name__ == "__main__":
    main()
