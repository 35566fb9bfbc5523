"""The scripts under benchmarks/ run and print their figures. No timing is asserted here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, require


def _script(name: str, *args: str, cache) -> str:
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cache)}
    completed = subprocess.run([sys.executable, str(REPO / "benchmarks" / name), *args], capture_output=True,
                               text=True, cwd=REPO, env=env, timeout=1800)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_overhead_script_prints_a_ratio_per_runtime(cache_dir):
    for module in ("executorch", "ai_edge_litert", "litert_torch"):
        require(module)
    out = _script("harness_overhead.py", "--model", "transformer_encoder", "--runs", "3", "--rounds", "1", cache=cache_dir)
    lines = out.splitlines()
    for runtime in ("litert", "executorch"):
        row = next(line for line in lines if line.startswith(runtime + " "))
        assert float(row.split()[-1]) > 0


@pytest.mark.slow
def test_stability_and_order_scripts_print_their_figures(cache_dir):
    assert "CV" in _script("stability.py", "--model", "transformer_encoder", "--runs", "2", cache=cache_dir)
    out = _script("order_bias.py", "--model", "transformer_encoder", "--copies", "2", "--repetitions", "2",
                  "--min-seconds", "0", cache=cache_dir)
    assert "intervals overlap in" in out and "holds 1 in" in out


def test_the_coverage_script_prints_coverage_and_overlap_per_scenario(cache_dir):
    out = _script("interval_coverage.py", "--cells", "40", cache=cache_dir)
    assert out.count("; coverage ") == 5 and out.count("identical cells' intervals overlap ") == 5


def test_benchmark_scripts_use_only_the_public_api():
    """`import harness` and `harness.results` are what a script needs; internals may move."""
    import ast

    allowed = {"harness", "harness.results"}
    for script in sorted((REPO / "benchmarks").glob("*.py")):
        tree = ast.parse(script.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {f"{node.module}.{alias.name}" if node.module == "harness" else node.module
                     for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        internal = {name for name in imported if name.startswith("harness") and name not in allowed}
        assert not internal, f"{script.name} imports {sorted(internal)}"


@pytest.mark.slow
def test_the_shell_start_script_compares_forked_and_spawned_shells(cache_dir):
    for module in ("executorch", "ai_edge_litert", "litert_torch"):
        require(module)
    out = _script("shell_start.py", "--model", "transformer_encoder", "--rounds", "2", cache=cache_dir)
    for runtime in ("litert", "executorch", "torchscript"):
        section = out.split(f"\n{runtime}\n")[1]
        assert "| fork |" in section and "| spawn |" in section
        assert float(section.split("latency forked / spawned: ")[1].split()[0]) > 0


def test_the_wall_budget_script_splits_a_run(golden_run, cache_dir):
    _, results_dir = golden_run
    out = _script("wall_budget.py", "--results", str(results_dir), cache=cache_dir)
    assert "| timed inference |" in out and "| other (planning, inputs, the harness itself) |" in out
    assert "\nlitert: " in out and "\nexecutorch: " in out and "inside timed inference" in out


@pytest.mark.slow
def test_the_fault_suite_loses_duplicates_and_redoes_nothing_at_small_n(cache_dir, adb_server):
    for module in ("ai_edge_litert", "litert_torch"):
        require(module)
    out = _script("faults.py", "--trials", "1", cache=cache_dir)
    rows = [line.split("|")[1:-1] for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 8  # seven faults and the total
    for fault, trials, _, lost, duplicated, twice, _ in rows:
        assert trials.strip(" *") == ("7" if "all" in fault else "1")
        assert (lost.strip(), duplicated.strip(), twice.strip()) == ("0", "0", "0"), fault
    for problem in ("did not stop the run in one line", "rows on disk after", "rows say", "resume exited"):
        assert problem not in out


@pytest.mark.slow
def test_the_shell_versions_script_compares_this_checkout_with_a_revision(cache_dir):
    for module in ("executorch", "ai_edge_litert", "litert_torch"):
        require(module)
    out = _script("shell_versions.py", "HEAD", "--model", "transformer_encoder", "--rounds", "2", cache=cache_dir)
    for runtime in ("litert", "executorch", "torchscript"):
        section = out.split(f"\n{runtime}\n")[1]
        assert "| this checkout |" in section and "| HEAD |" in section
        assert float(section.split("latency this checkout / HEAD: ")[1].split()[0]) > 0
