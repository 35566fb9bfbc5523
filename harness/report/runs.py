"""Finding runs and naming their cells, for the report and the comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from harness.errors import ResultsError
from harness.results import load, run_folders
from harness.results.store import RunStore


def cell_label(row) -> str:
    return f"{row['model']}/{row['runtime']}/{row['quantization']}/{row['delegate']}/{row['threads']}t"


def latest_run(results_root: Path) -> Path:
    """The run that started last below ``results_root``."""
    folders = run_folders(results_root)
    if not folders:
        raise ResultsError(f"no runs below {results_root}; `make bench` makes one")
    return max(folders, key=lambda folder: RunStore.open(folder).metadata().get("started_at") or "")


def one_run(folder: Path) -> tuple[dict, pd.DataFrame]:
    """A single run's metadata and rows; a folder holding several runs is refused, not merged."""
    folders = run_folders(folder)
    if len(folders) != 1 or folders[0] != Path(folder):
        raise ResultsError(f"{folder} is not a run folder (a run folder holds run.json); "
                           f"it holds {len(folders)} runs")
    return RunStore.open(folder).metadata(), load(folder)
