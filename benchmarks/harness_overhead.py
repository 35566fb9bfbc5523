"""Does the harness add overhead? Compare its medians with reference loops on the same files, in one run.

  LiteRT:     the harness's host shell  vs  Google's ai_edge_litert/tools/benchmark_litert_model.py
  ExecuTorch: the harness's host shell  vs  a bare loop over executorch.runtime

Each measurement runs in a fresh process; the pairs are interleaved over several rounds so slow
drift affects both sides alike. Prints the median latency of each side and their ratio
(harness / reference). The goal is a ratio within 1.05.

Usage: .venv/bin/python benchmarks/harness_overhead.py [--model mobilenet_v2] [--threads 1] [--runs 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

import harness
from harness import results

WARMUP = 5

BARE_EXECUTORCH = """
import json, sys, time, torch
import executorch.extension.pybindings.portable_lib as portable_lib
from executorch.runtime import Runtime
path, shape, threads, warmup, runs = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
portable_lib._unsafe_reset_threadpool(threads)
method = Runtime.get().load_program(path).load_method("forward")
inputs = [torch.randn(*shape)]
for _ in range(warmup + 1):
    method.execute(inputs)
samples = []
for _ in range(runs):
    begin = time.perf_counter_ns()
    method.execute(inputs)
    samples.append(time.perf_counter_ns() - begin)
print(json.dumps(samples))
"""


ONE_CELL = """\
name: overhead
models: [{model}]
runtimes: [{runtime}]
delegates: [xnnpack]
threads: [{threads}]
measurement: {{warmup_runs: {warmup}, min_iterations: {runs}, min_seconds: 0, max_seconds: 3600, repetitions: 1,
              max_repetitions: 1, cell_timeout_seconds: 7200, cooldown: {{timeout_seconds: 0}}}}
"""


def shell_environment(threads: int) -> dict[str, str]:
    """The thread settings the harness gives its shells, for the reference processes too."""
    names = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    return {**os.environ, **{name: str(threads) for name in names}, "TF_CPP_MIN_LOG_LEVEL": "2"}


def harness_median_ms(model: str, runtime: str, threads: int, runs: int) -> float:
    """One cell through `harness.run_bench`, exactly as `make bench` runs it, on the cached file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "overhead.yaml"
        path.write_text(ONE_CELL.format(model=model, runtime=runtime, threads=threads, warmup=WARMUP, runs=runs))
        cache = harness.ArtifactCache(harness.default_cache_dir())
        summary = harness.run_bench(harness.load_matrix(path), harness.open_device("host"), Path(folder), cache)
        row = results.load(summary.run_dir).iloc[0]
    if row.status != "ok":
        sys.exit(f"harness run failed: {row.error}")
    return float(row.latency_p50_ms)


def google_median_ms(art, threads: int, runs: int) -> float:
    script = resources.files("ai_edge_litert").joinpath("tools/benchmark_litert_model.py")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "result.json"
        subprocess.run([sys.executable, str(script), "--model", str(art.path), "--num_threads", str(threads),
                        "--num_runs", str(runs), "--warmup_runs", str(WARMUP + 1), "--result_json", str(report)],
                       check=True, capture_output=True, env=shell_environment(threads))
        return json.loads(report.read_text())["latency"]["median_ms"]


def bare_executorch_median_ms(art, threads: int, runs: int) -> float:
    shape = json.dumps(list(art.inputs[0].shape))
    command = [sys.executable, "-c", BARE_EXECUTORCH, str(art.path), shape, str(threads), str(WARMUP), str(runs)]
    completed = subprocess.run(command,
                               check=True, capture_output=True, text=True, env=shell_environment(threads))
    return float(np.median(json.loads(completed.stdout.strip().splitlines()[-1]))) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="mobilenet_v2")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    spec = harness.zoo_model(args.model)
    tflite, pte = harness.convert_model(spec, "litert"), harness.convert_model(spec, "executorch")
    pairs = {"litert": ([], []), "executorch": ([], [])}
    for round_index in range(args.rounds):
        pairs["litert"][0].append(harness_median_ms(args.model, "litert", args.threads, args.runs))
        pairs["litert"][1].append(google_median_ms(tflite, args.threads, args.runs))
        pairs["executorch"][0].append(harness_median_ms(args.model, "executorch", args.threads, args.runs))
        pairs["executorch"][1].append(bare_executorch_median_ms(pte, args.threads, args.runs))
        print(f"round {round_index + 1}/{args.rounds}: " + ", ".join(
            f"{name} harness {h[-1]:.2f} ms / reference {r[-1]:.2f} ms" for name, (h, r) in pairs.items()), flush=True)
    print(f"\n{args.model}, {args.threads} thread(s), {args.runs} runs x {args.rounds} rounds, XNNPACK")
    print(f"{'runtime':<12}{'reference':<50}{'harness ms':>12}{'reference ms':>14}{'ratio':>8}")
    references = {"litert": "Google benchmark_litert_model.py (CompiledModel)", "executorch": "bare executorch.runtime loop"}
    for name, (measured, reference) in pairs.items():
        h, r = float(np.median(measured)), float(np.median(reference))
        print(f"{name:<12}{references[name]:<50}{h:>12.2f}{r:>14.2f}{h / r:>8.3f}")


if __name__ == "__main__":
    main()
