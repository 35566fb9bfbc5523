"""This checkout's shells against another revision's: what each costs to start, and whether they measure alike.

A change to the host shell or the run loop must not move the numbers. Each round runs the same cells once
with this checkout and once with REVISION (checked out beside it as a detached git worktree), each as a
`harness bench` of one repetition per cell in its own process, in a seeded random order, so drift over the
rounds falls on both alike. A first round per side converts the files and is not counted. Prints per
runtime and side the start-up (the shell's wall time minus what it timed itself), the latency median,
the memory the load added and the peak above the baseline, medians over the rounds; and the latency ratio
this / REVISION with its 95% interval (Welch on log medians, as `harness compare` judges two runs).

Usage: .venv/bin/python benchmarks/shell_versions.py REVISION [--model mobilenet_v2] [--rounds 8] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ab_rounds import ONE_REPETITION_MATRIX, interleaved_rounds, print_shell_figures, ratio_text

import harness

REPO = Path(__file__).resolve().parent.parent
SIDES = ("this", "base")


def _bench(tree: Path, folder: Path, side: str, model: str, threads: int, seed: int) -> Path:
    """One `harness bench` run of the tree's own code (its shells inherit PYTHONPATH); its run folder."""
    matrix = folder / f"{side}-{seed}.yaml"
    matrix.write_text(ONE_REPETITION_MATRIX.format(name=f"shell-versions-{side}", model=model, threads=threads,
                                                   seed=seed, measurement=""))
    run_id = f"{side}-{seed}"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--results",
                           str(folder / "runs"), "--run-id", run_id, "--cache-dir", str(folder / "cache")],
                          cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"harness bench on {tree} ({side}) failed: {done.stderr.strip()[-2000:]}")
    return folder / "runs" / run_id


def _figures(run: Path) -> dict[str, dict[str, float]]:
    frame = harness.results.load(run).set_index("runtime")
    _, budgets = harness.wall_budget(run)
    figures = {}
    for runtime, budget in budgets.items():
        row = frame.loc[runtime]
        if row.status != "ok":
            raise SystemExit(f"{run.name} {runtime}: {row.status}: {row.error}")
        figures[runtime] = {"startup_s": budget.seconds.get("startup", 0.0), "median_ms": row.latency_p50_ms,
                            "load_mb": (row.rss_after_load_bytes - row.rss_before_load_bytes) / 1e6,
                            "peak_mb": (row.peak_rss_bytes - row.rss_before_load_bytes) / 1e6}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="a git revision of this repository, e.g. c7482b7 or main~3")
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shell-versions-") as scratch:
        folder, base = Path(scratch), Path(scratch) / "base-tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(base), args.revision],
                       check=True)
        try:
            trees = {"this": REPO, "base": base}
            for side, tree in trees.items():  # converts each side's files once, outside the rounds
                _bench(tree, folder, side, args.model, args.threads, seed=999)
            seen = interleaved_rounds(args.rounds, SIDES, lambda side, seed: _figures(
                _bench(trees[side], folder, side, args.model, args.threads, seed)))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], check=False)
    print(f"{args.model}, {args.threads} thread(s), {args.rounds} rounds of one repetition on this checkout and "
          f"one on {args.revision}")
    for runtime, by_side in seen.items():
        _print(runtime, by_side, args.revision)


def _print(runtime: str, by_side: dict[str, list[dict]], revision: str) -> None:
    print_shell_figures(runtime, "code", by_side, {"this": "this checkout", "base": revision})
    ratio = ratio_text([r["median_ms"] for r in by_side["base"]], [r["median_ms"] for r in by_side["this"]])
    print(f"\nlatency this checkout / {revision}: {ratio}")


if __name__ == "__main__":
    main()
