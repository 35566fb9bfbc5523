from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from harness import results
from harness.errors import ResultsError
from harness.results.schema import COLUMNS, SCHEMA_VERSION
from harness.results.store import RunStore


def _row(cell_id: str, status: str = "ok", **extra) -> dict:
    return {"run_id": "r", "cell_id": cell_id, "model": "m", "runtime": "litert", "status": status,
            "started_at": datetime.now(timezone.utc), **extra}


def test_rows_round_trip_through_parquet_with_list_columns(tmp_path):
    store = RunStore.create(tmp_path, "run-1", {"note": "x"})
    store.write_row(_row("a", latency_samples_ns=[1, 2, 3], latency_p50_ms=0.002, threads=2))
    store.write_row(_row("b", status="failed", stage="convert", error="boom"))
    frame = results.load(store.folder)
    assert list(frame.columns) == COLUMNS.names
    assert sorted(frame.cell_id) == ["a", "b"]
    ok = frame.set_index("cell_id").loc["a"]
    assert list(ok.latency_samples_ns) == [1, 2, 3] and ok.threads == 2 and ok.schema_version == SCHEMA_VERSION
    failed = frame.set_index("cell_id").loc["b"]
    assert failed.error == "boom" and pd.isna(failed.latency_p50_ms)
    assert pd.read_parquet(store.folder / "cells").shape[0] == 2  # plain pandas opens the dataset too


def test_metadata_is_written_and_updated(tmp_path):
    store = RunStore.create(tmp_path, "run-1", {"matrix": {"name": "m"}})
    assert store.metadata()["status"] == "running" and store.metadata()["schema_version"] == SCHEMA_VERSION
    store.update_metadata(status="finished")
    assert store.metadata() == {"matrix": {"name": "m"}, "run_id": "run-1", "schema_version": SCHEMA_VERSION,
                                "status": "finished"}


def test_rows_load_in_the_order_cells_ran(tmp_path):
    store = RunStore.create(tmp_path, "r", {})
    for cell_id, second in (("z", 1), ("a", 2), ("m", 3)):
        store.write_row(_row(cell_id, started_at=datetime(2026, 1, 1, 0, 0, second, tzinfo=timezone.utc)))
    assert results.load(store.folder).cell_id.tolist() == ["z", "a", "m"]


def test_a_folder_of_runs_loads_as_one_frame(tmp_path):
    for run in ("run-1", "run-2"):
        RunStore.create(tmp_path, run, {}).write_row(_row("a", run_id=run))
    frame = results.load(tmp_path)
    assert sorted(frame.run_id) == ["run-1", "run-2"]


def test_an_existing_run_folder_is_never_overwritten(tmp_path):
    RunStore.create(tmp_path, "run-1", {}).write_row(_row("a"))
    with pytest.raises(ResultsError, match="exists already"):
        RunStore.create(tmp_path, "run-1", {})
    assert len(results.load(tmp_path / "run-1")) == 1


def test_unknown_columns_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not in the results schema"):
        RunStore.create(tmp_path, "r", {}).write_row(_row("a", latency_ms=3))


def test_a_newer_schema_version_is_refused(tmp_path):
    store = RunStore.create(tmp_path, "r", {})
    path = store.write_row(_row("a"))
    table = pq.read_table(path)
    table = table.set_column(table.schema.get_field_index("schema_version"), "schema_version",
                             pa.array([SCHEMA_VERSION + 1], pa.int32()))
    pq.write_table(table, path)
    with pytest.raises(ResultsError, match="schema"):
        results.load(store.folder)


def test_missing_folder_is_a_results_error(tmp_path):
    with pytest.raises(ResultsError, match="no results folder"):
        results.load(tmp_path / "absent")


def test_writes_leave_no_temporary_files(tmp_path):
    store = RunStore.create(tmp_path, "r", {})
    store.write_row(_row("a"))
    assert [p.name for p in (store.folder / "cells").iterdir()] == ["a.parquet"]


def test_version_1_results_written_by_an_earlier_harness_still_load():
    from tests.conftest import REPO

    frame = results.load(REPO / "tests/fixtures/results/v1")
    assert list(frame.columns) == COLUMNS.names and len(frame) == 1
    row = frame.iloc[0]
    assert row.schema_version == 1 and row.status == "ok" and row.latency_p50_ms > 0 and len(row.latency_samples_ns) > 0
    assert pd.isna(row.latency_mad_ms) and pd.isna(row.unstable)


@pytest.mark.parametrize("version, first_new_column", [(2, "latency_mad_ms"), (3, "parity_cosine"), (4, "execution_mode"),
                                                      (5, "app_package"), (7, "runtime_build_kind")])
def test_each_schema_version_written_by_its_harness_still_loads(version, first_new_column):
    """One cell written by the harness of each version (tests/fixtures/results/vN), read by today's."""
    from tests.conftest import REPO

    frame = results.load(REPO / f"tests/fixtures/results/v{version}")
    assert list(frame.columns) == COLUMNS.names and len(frame) == 1
    row = frame.iloc[0]
    assert row.schema_version == version and row.status == "ok" and row.latency_p50_ms > 0
    assert not pd.isna(row[first_new_column])  # what that version added is there
    if version < 4:
        assert pd.isna(row.execution_mode)  # what came later is empty
    if version < 5:
        assert pd.isna(row.app_package) and pd.isna(row.app_version_code)
    if version < 7:
        assert pd.isna(row.runtime_build_kind) and pd.isna(row.runtime_binary_bytes)


def test_result_files_are_readable_by_others(tmp_path):
    import os
    import stat

    store = RunStore.create(tmp_path, "r", {})
    path = store.write_row(_row("a"))
    umask = os.umask(0)
    os.umask(umask)
    for written in (path, store.folder / "run.json"):
        assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask


def test_operator_rows_round_trip_and_load_with_their_columns(tmp_path):
    from harness.results.operators import OPERATOR_COLUMNS

    store = RunStore.create(tmp_path, "run-1", {})
    assert results.load_operators(store.folder).empty  # a run without profiles has no operator rows
    store.write_operators("a", [{"run_id": "run-1", "cell_id": "a", "operator": "conv", "ran_on": "xnnpack",
                                 "calls": 2, "median_ms": 1.5, "mean_ms": 1.6, "share": 0.4}])
    frame = results.load_operators(tmp_path)
    assert list(frame.columns) == OPERATOR_COLUMNS.names and len(frame) == 1
    assert frame.iloc[0].operator == "conv" and frame.iloc[0].calls == 2 and frame.iloc[0].share == 0.4
    assert results.load(store.folder).empty  # operator files are not cell rows
    with pytest.raises(ValueError, match="not in the operators schema"):
        store.write_operators("b", [{"cell_id": "b", "latency_p50_ms": 1.0}])
