"""Do identical cells in one run agree? The same model entered several times, measured at the default settings.

The zoo model is entered COPIES times under different names, so the run holds cells that differ only in name
and in when they ran. Prints each copy's median with its 95% interval, then over every pair of copies: how
often their intervals overlap (target: at least 95%), and how often the ratio of the two, judged as `harness
compare` judges it (Welch's t on the log repetition medians), has a 95% interval that holds 1 (expected: about
95%); in interleaved order, also the ratio paired by round. The measurement settings are those of
configs/matrices/default.yaml unless overridden here.

Usage: .venv/bin/python benchmarks/order_bias.py [--model mobilenet_v2] [--runtime litert] [--delegate xnnpack]
       [--copies 8] [--order shuffled|interleaved|as_listed] [--repetitions N] [--min-seconds S]
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import harness
from harness import results

DEFAULT_MATRIX = Path(__file__).resolve().parent.parent / "configs" / "matrices" / "default.yaml"


def _matrix(args: argparse.Namespace) -> str:
    spec = harness.zoo_model(args.model)
    inputs = [list(t.shape) for t in spec.inputs]
    measurement = harness.load_matrix(DEFAULT_MATRIX).measurement.model_dump(mode="json", exclude={"cpu_affinity"})
    overrides = {"order": args.order, "repetitions": args.repetitions, "min_seconds": args.min_seconds}
    measurement.update({name: value for name, value in overrides.items() if value is not None})
    measurement["max_repetitions"] = max(measurement["max_repetitions"], measurement["repetitions"])
    models = [{"name": f"copy{index + 1}", "factory": spec.factory, "inputs": inputs} for index in range(args.copies)]
    return json.dumps({"name": "order-bias", "models": models, "runtimes": [args.runtime],
                       "delegates": [args.delegate], "measurement": measurement})  # JSON is YAML


def _overlap(a, b) -> bool:
    return bool(a.latency_p50_ci_low_ms <= b.latency_p50_ci_high_ms and b.latency_p50_ci_low_ms <= a.latency_p50_ci_high_ms)


def _median_width(ratios) -> float:
    widths = sorted(r.high / r.low - 1 for r in ratios if r.low is not None and r.high is not None)
    return widths[len(widths) // 2] if widths else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--runtime", default="litert")
    parser.add_argument("--delegate", default="xnnpack")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--order", choices=["shuffled", "interleaved", "as_listed"])
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--min-seconds", type=float)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        matrix = Path(folder) / "order.yaml"
        matrix.write_text(_matrix(args))
        subprocess.run([sys.executable, "-m", "harness", "bench", "--matrix", str(matrix), "--results",
                        str(Path(folder) / "results")], check=True, capture_output=True)
        frame = results.load(Path(folder) / "results")
    rows = frame[frame.status == "ok"].sort_values("started_at")
    for row in rows.itertuples():
        print(f"{row.model:<7} median {row.latency_p50_ms:.3f} ms, 95% interval {row.latency_p50_ci_low_ms:.3f}-"
              f"{row.latency_p50_ci_high_ms:.3f}, {len(row.repetition_medians_ms)} repetitions, "
              f"started {row.started_at:%H:%M:%S}")
    if len(rows) < len(frame):
        print(f"{len(frame) - len(rows)} cell(s) did not end ok: {sorted(set(frame.error.dropna()))}")
    pairs = list(itertools.combinations(list(rows.itertuples()), 2))
    if not pairs or rows.latency_p50_ci_low_ms.isna().any():
        print("\nno pairs with intervals to compare (one repetition gives no interval)")
        return
    overlapping = sum(_overlap(a, b) for a, b in pairs)
    ratios = [harness.repetition_ratio(list(a.repetition_medians_ms), list(b.repetition_medians_ms)) for a, b in pairs]
    holding_one = sum(r.low <= 1 <= r.high for r in ratios if r.low is not None and r.high is not None)
    order = rows.order.iloc[0]
    if order == "interleaved":
        paired = [harness.paired_repetition_ratio(list(a.repetition_medians_ms), list(b.repetition_medians_ms))
                  for a, b in pairs]
        paired_one = sum(r.low <= 1 <= r.high for r in paired if r.low is not None and r.high is not None)
        print(f"paired by round (interleaved order): the ratio's 95% interval holds 1 in {paired_one / len(pairs):.0%}"
              f" of pairs; median interval width {_median_width(paired):.1%}, unpaired {_median_width(ratios):.1%}")
    print(f"\n{args.model} on {args.runtime} ({args.delegate}), order {order}, {len(rows)} copies, {len(pairs)} pairs: "
          f"intervals overlap in {overlapping / len(pairs):.0%} of pairs (target 95%); the ratio's 95% interval "
          f"holds 1 in {holding_one / len(pairs):.0%}; ratios {min(r.ratio for r in ratios):.3f} to "
          f"{max(r.ratio for r in ratios):.3f}")


if __name__ == "__main__":
    main()
