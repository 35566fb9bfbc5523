"""Runs defend themselves: a resume of another run is refused, unreadable rows are skipped, a full disk loses nothing."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pytest

from harness import results
from harness.builds.named import RuntimeBuildWarning, load_named_build
from harness.cli import main
from harness.config.matrix import load_matrix
from harness.errors import ConfigError, ResultsError
from harness.results import ResultsWarning
from harness.results import store as store_module
from harness.run.bench import run_bench
from tests.fixtures.runtime_builds import write_build
from tests.run.test_bench import MATRIX, SHUFFLED_MATRIX, FakeCache, FakeDevice


class OtherDevice(FakeDevice):
    def facts(self):
        return {"device_model": "Other CPU"}


def _interrupted_run(tmp_path, write_matrix):
    def behaviour(request, call):
        if call == 3:  # two repetitions a cell: one row written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_bench(load_matrix(write_matrix(SHUFFLED_MATRIX)), FakeDevice(behaviour), tmp_path / "results", FakeCache(tmp_path),
                  run_id="run")
    return tmp_path / "results" / "run"


def test_resume_refuses_another_matrix_or_device_and_says_which(tmp_path, write_matrix):
    folder = _interrupted_run(tmp_path, write_matrix)
    other_matrix = load_matrix(write_matrix(SHUFFLED_MATRIX.replace("repetitions: 2", "repetitions: 3"), "other.yaml"))
    with pytest.raises(ConfigError, match="--resume refused: it was run with another matrix"):
        run_bench(other_matrix, FakeDevice(), tmp_path / "results", FakeCache(tmp_path), resume=folder)
    with pytest.raises(ConfigError, match="device_model was 'Fake CPU', here it is 'Other CPU'"):
        run_bench(load_matrix(write_matrix(SHUFFLED_MATRIX)), OtherDevice(), tmp_path / "results", FakeCache(tmp_path),
                  resume=folder)
    summary = run_bench(load_matrix(write_matrix(SHUFFLED_MATRIX)), FakeDevice(), tmp_path / "results", FakeCache(tmp_path),
                        resume=folder)
    frame = results.load(summary.run_dir)
    assert frame.cell_id.is_unique and summary.counts["already recorded"] == 1


class BuildDevice(FakeDevice):
    """A fake device whose cells run on named runtime builds, as a phone in cli mode's do."""

    def __init__(self, builds):
        super().__init__()
        self.builds = builds

    def runtime_builds(self):
        return self.builds


def test_run_json_records_the_builds_used_and_a_resume_needs_the_same(tmp_path, write_matrix):
    litert = load_named_build(write_build(tmp_path / "builds", "litert"), "--runtime-build")
    unused = load_named_build(write_build(tmp_path / "builds", "executorch"), "--runtime-build")
    matrix, results_dir, cache = load_matrix(write_matrix(SHUFFLED_MATRIX)), tmp_path / "results", FakeCache(tmp_path)
    with pytest.warns(RuntimeBuildWarning, match="no executorch cell runs on fake in this matrix"):
        summary = run_bench(matrix, BuildDevice({"litert": litert, "executorch": unused}), results_dir, cache)
    assert json.loads((summary.run_dir / "run.json").read_text())["device"]["runtime_builds"] == [litert.record()]

    other = load_named_build(write_build(tmp_path / "builds", "litert", label="other"), "--runtime-build")
    for device, here in ((BuildDevice({"litert": other}), f"{other.folder.resolve()} "), (FakeDevice(), "no named build")):
        with pytest.raises(ConfigError, match="--resume refused: it was run on other runtime builds: fake ran on "
                                              f"{litert.folder.resolve()} .*, here on {here}"):
            run_bench(matrix, device, results_dir, cache, resume=summary.run_dir)
    moved = load_named_build(Path(shutil.copytree(litert.folder, tmp_path / "moved")), "--runtime-build")
    resumed = run_bench(matrix, BuildDevice({"litert": moved}), results_dir, cache, resume=summary.run_dir)
    assert resumed.counts["already recorded"] == sum(summary.counts.values())  # only the path differs: resumed


def test_resume_of_a_folder_that_is_not_a_run_is_one_line_exit_2(tmp_path, write_matrix, capsys):
    folder = tmp_path / "notarun"
    folder.mkdir()
    (folder / "run.json").write_bytes(b"\x00\xff{")
    matrix = write_matrix("models: [gru]\nruntimes: [litert]\n")
    assert main(["bench", "--matrix", str(matrix), "--resume", str(folder), "--cache-dir", str(tmp_path / "c")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"harness: error: {folder}: --resume: ") and "cannot read it as a run's JSON" in line


def test_load_skips_an_unreadable_cell_file_with_a_warning_naming_it(tmp_path, write_matrix):
    summary = run_bench(load_matrix(write_matrix(MATRIX)), FakeDevice(), tmp_path / "results", FakeCache(tmp_path),
                        run_id="run")
    broken = summary.run_dir / "cells" / "0000000000000000.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.warns(ResultsWarning, match=f"skipped {broken}"):
        frame = results.load(summary.run_dir)
    assert len(frame) == sum(summary.counts.values())


def test_a_full_disk_stops_the_run_in_one_line_and_loses_no_earlier_row(tmp_path, write_matrix, monkeypatch):
    written, real_write = [], store_module.pq.write_table

    def write_table(table, where):
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(where)
        real_write(table, where)

    monkeypatch.setattr(store_module.pq, "write_table", write_table)
    with pytest.raises(ResultsError) as caught:
        run_bench(load_matrix(write_matrix(MATRIX)), FakeDevice(), tmp_path / "results", FakeCache(tmp_path),
                  run_id="run")
    assert "No space left on device; the run stops, and the rows written before are kept" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(results.load(tmp_path / "results" / "run")) == 2
    assert not list((tmp_path / "results" / "run" / "cells").glob(".*.tmp"))
