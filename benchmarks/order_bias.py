"""Does the order cells run in favour one of them? Two identical cells in one run must agree.

The same zoo model is entered twice under two names, so the run holds two cells that differ only
in name. Prints each cell's median with its bootstrap 95% confidence interval, and whether the
intervals overlap.

Usage: .venv/bin/python benchmarks/order_bias.py [--model mobilenet_v2] [--runtime litert] [--order shuffled]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import harness
from harness import results

MATRIX = """\
name: order-bias
models:
  - {{name: first, factory: "{factory}", inputs: {inputs}}}
  - {{name: second, factory: "{factory}", inputs: {inputs}}}
runtimes: [{runtime}]
delegates: [xnnpack]
measurement: {{order: {order}, repetitions: {repetitions}, max_repetitions: {repetitions}}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--runtime", default="litert")
    parser.add_argument("--order", default="shuffled", choices=["shuffled", "interleaved", "as_listed"])
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    spec = harness.zoo_model(args.model)
    inputs = [list(t.shape) for t in spec.inputs]
    with tempfile.TemporaryDirectory() as folder:
        matrix = Path(folder) / "order.yaml"
        matrix.write_text(MATRIX.format(factory=spec.factory, inputs=inputs, runtime=args.runtime, order=args.order,
                                        repetitions=args.repetitions))
        subprocess.run([sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--results",
                        str(Path(folder) / "results")], check=True, capture_output=True)
        frame = results.load(Path(folder) / "results").set_index("model")
    intervals = {}
    for name in ("first", "second"):
        row = frame.loc[name]
        intervals[name] = (row.latency_p50_ci_low_ms, row.latency_p50_ci_high_ms)
        print(f"{name:<7} median {row.latency_p50_ms:.3f} ms, 95% CI {intervals[name][0]:.3f}-{intervals[name][1]:.3f}, "
              f"started {row.started_at:%H:%M:%S}, {row.iterations} samples")
    overlap = intervals["first"][0] <= intervals["second"][1] and intervals["second"][0] <= intervals["first"][1]
    ratio = frame.loc["first"].latency_p50_ms / frame.loc["second"].latency_p50_ms
    print(f"\n{args.model} on {args.runtime}, order {args.order}: ratio of medians {ratio:.3f}; "
          f"confidence intervals {'overlap' if overlap else 'DO NOT overlap'}")


if __name__ == "__main__":
    main()
