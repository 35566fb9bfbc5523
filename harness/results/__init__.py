"""Read results back: ``harness.results.load(path)`` gives one pandas DataFrame, and
``harness.results.load_operators(path)`` the per-operator rows of profiled cells."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from harness.errors import ResultsError, UnreadableResultsError
from harness.results.operators import load_operators
from harness.results.schema import COLUMNS, SCHEMA_VERSION
from harness.results.store import RUN_FILE, RunStore

__all__ = ["load", "load_operators", "run_folders", "ResultsWarning", "SCHEMA_VERSION"]


class ResultsWarning(UserWarning):
    """A cell file `load` skipped because it cannot be read; the message names the file."""


def run_folders(path: str | Path) -> list[Path]:
    """The run folders at ``path``: the run itself, or every run below a folder of runs."""
    path = Path(path)
    if not path.is_dir():
        raise UnreadableResultsError(f"no results folder at {path}")
    if (path / RUN_FILE).is_file():
        return [path]
    return sorted(run_file.parent for run_file in path.rglob(RUN_FILE))


def _upgrade(table: pa.Table) -> pa.Table:
    """Give an older file today's columns: columns added since are null, and types follow the current schema."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
               for f in COLUMNS]
    return pa.Table.from_arrays(columns, schema=COLUMNS)


def _read_cell(cell_file: Path) -> pa.Table | None:
    """One cell's row in today's columns; None, with a ResultsWarning naming the file, when it cannot be read."""
    try:
        table = pq.read_table(cell_file)
        version = table.column("schema_version")[0].as_py()
        if version > SCHEMA_VERSION:
            raise ResultsError(f"{cell_file} has results schema {version}; this harness reads up to {SCHEMA_VERSION}")
        return _upgrade(table)
    except (OSError, ValueError, KeyError, IndexError, TypeError, pa.ArrowException) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        warnings.warn(f"skipped {cell_file}: cannot read it as a results row ({reason[:200]})", ResultsWarning,
                      stacklevel=3)
        return None


def load(path: str | Path) -> pd.DataFrame:
    """All rows of one run, or of every run below a folder, as one DataFrame with the columns of schema.COLUMNS.

    Files of older schema versions load too, with the columns they lack left null; `schema_version`
    keeps the version each row was written with. A cell file that cannot be read is skipped with a
    ResultsWarning naming it; a file of a newer schema version stops the load."""
    tables = []
    for folder in run_folders(path):
        for cell_file in RunStore(folder).cell_files():
            table = _read_cell(cell_file)
            if table is not None:
                tables.append(table)
    if not tables:
        return COLUMNS.empty_table().to_pandas()
    frame = pa.concat_tables(tables).to_pandas()
    return frame.sort_values(["run_id", "started_at", "cell_id"], kind="stable", ignore_index=True)
