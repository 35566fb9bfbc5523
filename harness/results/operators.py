"""Per-operator rows of profiled cells: ``results/<run-id>/operators/<cell-id>.parquet``.

One row per operator (grouped by name, type and where it ran), written by the run for cells of a matrix
with ``profile: operators``; `load_operators` reads them back. Their times come from separate profiled
processes, never from the timed repetitions.

History:
  1 (2026-11): first version.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from harness.errors import ResultsError
from harness.results.schema import COLUMNS

OPERATORS_SCHEMA_VERSION = 1
OPERATORS_FOLDER = "operators"
# The cell's identifying columns, as in the cell's row of the results schema.
IDENTITY = ("run_id", "cell_id", "device", "platform", "model", "runtime", "format", "quantization", "delegate",
            "threads", "execution_mode")

OPERATOR_COLUMNS = pa.schema([
    ("schema_version", pa.int32()),
    *(COLUMNS.field(name) for name in IDENTITY),
    ("profiler", pa.string()),  # e.g. ExecuTorch ETDump, torch.autograd.profiler, benchmark_model
    ("operator", pa.string()),  # as the profiler names it
    ("operator_type", pa.string()),
    ("ran_on", pa.string()),  # a delegate's name, or the runtime's own kernels: portable, builtin, cpu
    ("calls", pa.int64()),  # per inference; null where the profiler does not say
    ("median_ms", pa.float64()),  # per inference, all its calls; null from tools that print means only
    ("mean_ms", pa.float64()),
    ("share", pa.float64()),  # mean_ms / the mean profiled inference time
    ("profiled_inferences", pa.int64()),
    ("inference_mean_ms", pa.float64()),  # the profiled inference, profiler overhead included
])


def operator_files(run_folder: Path) -> list[Path]:
    return sorted((Path(run_folder) / OPERATORS_FOLDER).glob("*.parquet"))


def load_operators(path: str | Path) -> pd.DataFrame:
    """The operator rows of one run, or of every run below a folder; empty (with the columns) if none."""
    from harness.results import run_folders

    tables = []
    for folder in run_folders(path):
        for cell_file in operator_files(folder):
            table = pq.read_table(cell_file)
            version = table.column("schema_version")[0].as_py() if len(table) else OPERATORS_SCHEMA_VERSION
            if version > OPERATORS_SCHEMA_VERSION:
                raise ResultsError(f"{cell_file} has operators schema {version}; this harness reads up to "
                                   f"{OPERATORS_SCHEMA_VERSION}")
            tables.append(table.select(OPERATOR_COLUMNS.names).cast(OPERATOR_COLUMNS))
    if not tables:
        return OPERATOR_COLUMNS.empty_table().to_pandas()
    return pa.concat_tables(tables).to_pandas()
