"""The per-run size table (size_table.md in the run folder): per runtime and ABI, the full build's bytes from the
rows beside the selective build's from its manifest, next to the run's median latencies."""

from __future__ import annotations

from pathlib import Path

from harness.builds.manifest import BuildManifest

TABLE_FILE = "size_table.md"


def _mb(value) -> str:
    return f"{value / 1e6:.2f}" if value is not None and value == value else "—"


def _selective(manifest: BuildManifest | None) -> tuple[str, str]:
    if manifest is None:
        return "—", "not asked for"
    measured = manifest.binary_bytes()
    if measured is not None:
        return _mb(measured[0]), "built here"
    said = "; ".join(manifest.notes) or manifest.status
    return "—", f"{manifest.status}: {said}"


def write_size_table(run_folder: Path, selective: dict[tuple[str, str], BuildManifest]) -> Path:
    """``selective``: the selective manifests by (runtime, abi)."""
    from harness import results

    frame = results.load(run_folder)
    ok = frame[frame.status == "ok"]
    lines = [f"# Runtime size, run {run_folder.name}", "",
             "Full: the runtime the cells ran (`runtime_binary_bytes`, docs/results.md). Selective: `harness runtimes "
             "build --kind selective`.", "",
             "| runtime | mode | ABI | full build | full MB | full stripped MB | selective MB | selective build | "
             "median latencies ms |", "|---|---|---|---|---:|---:|---:|---|---|"]
    for (runtime, mode, abi), cells in ok.groupby(["runtime", "execution_mode", "runtime_abi"], dropna=False):
        first = cells.iloc[0]
        latencies = ", ".join(f"{row.model}/{row.quantization}/{row.delegate}/t{row.threads}: {row.latency_p50_ms:.3f}"
                              for row in cells.sort_values(["model", "quantization", "delegate", "threads"]).itertuples())
        selective_mb, how = _selective(selective.get((str(runtime), str(abi))))
        lines.append(f"| {runtime} | {mode} | {abi} | {first.runtime_build_kind} | {_mb(first.runtime_binary_bytes)} | "
                     f"{_mb(first.runtime_binary_stripped_bytes)} | {selective_mb} | {how} | {latencies} |")
    target = run_folder / TABLE_FILE
    target.write_text("\n".join(lines) + "\n")
    return target
