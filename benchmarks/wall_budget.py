"""Where a run's wall time went: one table for the run, one per runtime, from the run's timeline.jsonl.

Conversion, peak measurement, and for every repetition: the shell process's start-up, imports and exit
(what is left of the process once its own timings are taken out), model load, first inference and
warm-up, timed inference, the cooldown gate, device-state reads, pushes and pulls on phones, and writing
the row. The last line gives the measurement phase's share inside timed inference (the goal: 75%).

Usage: .venv/bin/python benchmarks/wall_budget.py [RUN_FOLDER]   (default: the latest run under results/)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import harness


def _print_table(title: str, budget, with_unaccounted: bool) -> None:
    what = "wall time" if with_unaccounted else "of spans, conversions summed"
    print(f"\n{title}: {budget.wall_seconds / 60:.1f} min {what}, {budget.repetitions} shell processes\n")
    print("| where | seconds | share |\n|---|---:|---:|")
    for label, seconds, share in harness.budget_table(budget, with_unaccounted):
        print(f"| {label} | {seconds:.1f} | {share:.0%} |")
    if budget.timed_share is not None:
        print(f"\nmeasurement phase: {budget.measurement_seconds:.0f} s, {budget.timed_share:.0%} inside timed inference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, nargs="?", help="a run folder (default: the latest under results/)")
    parser.add_argument("--results", type=Path, default=Path("results"))
    args = parser.parse_args()
    folder = args.run or harness.latest_run(args.results)
    run, per_runtime = harness.wall_budget(folder)
    print(f"run {folder.name}")
    _print_table("the run", run, with_unaccounted=True)
    for name, budget in per_runtime.items():
        _print_table(name, budget, with_unaccounted=False)


if __name__ == "__main__":
    main()
