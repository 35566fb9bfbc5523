"""A run's results: one Parquet file per cell, written atomically, and the run's metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from harness.errors import ResultsError, UnreadableResultsError
from harness.files import replace_atomically, write_json_atomic
from harness.results.operators import OPERATOR_COLUMNS, OPERATORS_FOLDER, OPERATORS_SCHEMA_VERSION
from harness.results.schema import COLUMNS, SCHEMA_VERSION

RUN_FILE = "run.json"
CELLS_FOLDER = "cells"
MAX_RUN_FILE_BYTES = 64 << 20  # run.json holds the matrix text and facts: kilobytes


class RunStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def create(cls, results_root: Path, run_id: str, metadata: dict) -> RunStore:
        store = cls(Path(results_root) / run_id)
        try:
            (store.folder / CELLS_FOLDER).mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise ResultsError(f"run folder {store.folder} exists already") from None
        except OSError as error:
            raise ResultsError(f"cannot create {store.folder}: {error.strerror}") from None
        store.write_metadata({**metadata, "run_id": run_id, "schema_version": SCHEMA_VERSION, "status": "running"})
        return store

    @classmethod
    def open(cls, folder: Path) -> RunStore:
        store = cls(folder)
        if not (store.folder / RUN_FILE).is_file():
            raise UnreadableResultsError(f"no run at {store.folder} (it has no {RUN_FILE})")
        return store

    def recorded_cell_ids(self) -> set[str]:
        """Cells with a row already; rows are written atomically, so each file is whole."""
        return {path.stem for path in self.cell_files()}

    def metadata(self) -> dict:
        path = self.folder / RUN_FILE
        try:
            if path.stat().st_size > MAX_RUN_FILE_BYTES:
                raise ValueError(f"larger than {MAX_RUN_FILE_BYTES >> 20} MiB")
            metadata = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise UnreadableResultsError(f"{path}: cannot read it as a run's JSON metadata: "
                                         f"{getattr(error, 'strerror', None) or error}") from None
        if not isinstance(metadata, dict):
            raise UnreadableResultsError(f"{path}: expected a JSON object, found {type(metadata).__name__}")
        return metadata

    def write_metadata(self, metadata: dict) -> None:
        write_json_atomic(self.folder / RUN_FILE, metadata)

    def update_metadata(self, **changes) -> None:
        self.write_metadata({**self.metadata(), **changes})

    def write_row(self, row: dict) -> Path:
        unknown = set(row) - set(COLUMNS.names)
        if unknown:
            raise ValueError(f"columns not in the results schema: {sorted(unknown)}")
        table = pa.Table.from_pylist([{**row, "schema_version": SCHEMA_VERSION}], schema=COLUMNS)
        return self._write(CELLS_FOLDER, row["cell_id"], table)

    def write_operators(self, cell_id: str, rows: list[dict]) -> Path:
        """A profiled cell's operator rows, in one file beside the cells folder."""
        unknown = {name for row in rows for name in row} - set(OPERATOR_COLUMNS.names)
        if unknown:
            raise ValueError(f"columns not in the operators schema: {sorted(unknown)}")
        table = pa.Table.from_pylist([{**row, "schema_version": OPERATORS_SCHEMA_VERSION} for row in rows],
                                     schema=OPERATOR_COLUMNS)
        (self.folder / OPERATORS_FOLDER).mkdir(exist_ok=True)
        return self._write(OPERATORS_FOLDER, cell_id, table)

    def _write(self, subfolder: str, cell_id: str, table: pa.Table) -> Path:
        target = self.folder / subfolder / f"{cell_id}.parquet"
        try:
            replace_atomically(target, lambda temporary: pq.write_table(table, temporary))
        except OSError as error:  # a full disk, most often: the rows written before are whole and kept
            raise ResultsError(f"cannot write a row to {target.parent}: {error.strerror or error}; the run stops, "
                               "and the rows written before are kept (finish it with --resume)") from None
        return target

    def cell_files(self) -> list[Path]:
        return sorted((self.folder / CELLS_FOLDER).glob("*.parquet"))
