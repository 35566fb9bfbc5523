"""The runner, with a fake device and cache: every outcome becomes a row, and nothing written is lost."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import results
from harness.config.matrix import load_matrix
from harness.convert.cache import Artifact
from harness.devices.base import Device
from harness.errors import ConversionError, DeviceError, SizeError
from harness.models.spec import TensorSpec
from harness.run.bench import run_bench
from harness.runtime_size import RuntimeBinary
from tests.fixtures.messages import memory, result, timing

MATRIX = """\
models: [mobilenet_v2, resnet18]
runtimes: [litert, torchscript]
delegates: [xnnpack, none]
exclude:
  - {runtime: torchscript, delegate: xnnpack}
measurement: {repetitions: 2}
"""
# Each cell's repetitions back to back, so the first cell is finished before an interrupt at the third call
# (interleaved, the default, would leave every cell partial).
SHUFFLED_MATRIX = MATRIX.replace("{repetitions: 2}", "{repetitions: 2, order: shuffled}")


class FakeCache:
    def __init__(self, folder: Path, fail_for: str | None = None, inputs=(TensorSpec((1, 3, 8, 8)),)):
        self.folder, self.fail_for, self.calls, self.inputs = folder, fail_for, [], inputs

    def lookup(self, key):
        return None

    def convert(self, conversion, key, use_cache=True, forks=None):
        self.calls.append(conversion)
        if conversion.model.name == self.fail_for:
            raise ConversionError(f"{conversion.label}: unsupported operator aten::frobnicate")
        path = self.folder / f"{conversion.model.name}.{conversion.format}"
        path.write_bytes(b"model")
        inputs = self.inputs if conversion.model.name == "resnet18" else (TensorSpec((1, 3, 8, 8)),)
        return Artifact(conversion.label, path, conversion.format, conversion.converter, 5, "0" * 64,
                        inputs, ("a note",), 1.5, False, flops=200_000_000, flops_counter="fake")


class FakeDevice(Device):
    platform = "host"
    runtimes = frozenset({"litert", "executorch", "torchscript"})
    delegates = frozenset({"xnnpack", "none"})

    def __init__(self, behaviour=None, states=None, peak=None):
        super().__init__("fake")
        self.behaviour = behaviour or (lambda request, call: None)
        self.requests = []
        self.states, self.peak = states, peak

    def state(self):
        return self.states() if self.states else super().state()

    def peak_gflops(self, threads, cpu_affinity=None):
        return self.peak

    def facts(self):
        return {"device_model": "Fake CPU"}

    def run(self, request, files, launch):
        self.requests.append(request)
        assert set(files) == {request.model.path, *(i.path for i in request.inputs)}
        assert all(Path(f).is_file() for f in files.values())
        special = self.behaviour(request, len(self.requests))
        if special is not None:
            return special
        return result(request.cell_id, "ok", None, {"name": "fake", "version": "1"}, request.runtime, "9.9",
                      request.delegate, timing("fake", 1000, 2000, (3_000_000, 1_000_000, 2_000_000)), memory(10, 20, 30, 25))


def _run(tmp_path, write_matrix, device, cache=None, text=MATRIX):
    matrix = load_matrix(write_matrix(text))
    cache = cache or FakeCache(tmp_path)
    summary = run_bench(matrix, device, tmp_path / "results", cache, run_id="run")
    return summary, results.load(summary.run_dir).set_index(["model", "runtime", "delegate"])


def test_every_cell_is_a_row_with_statistics_from_pooled_samples(tmp_path, write_matrix):
    summary, frame = _run(tmp_path, write_matrix, FakeDevice())
    assert summary.counts == {"ok": 6, "failed": 0, "skipped": 0}
    row = frame.loc[("mobilenet_v2", "litert", "xnnpack")]
    assert list(row.latency_samples_ns) == [3_000_000, 1_000_000, 2_000_000] * 2
    assert list(row.samples_per_repetition) == [3, 3] and row.iterations == 6
    assert row.latency_p50_ms == 2.0 and row.model_load_ms == 0.001 and row.peak_rss_bytes == 30
    assert row.device_model == "Fake CPU" and row.runtime_version == "9.9" and row.conversion_notes == "a note"
    assert row.repetitions == 2 and row.format == "tflite"
    assert row.warnings == "max_seconds (10) stopped 2 repetition(s) before min_iterations (10): 3, 3 sample(s)"


def test_cells_that_reach_min_iterations_carry_no_warning(tmp_path, write_matrix):
    text = MATRIX.replace("{repetitions: 2}", "{repetitions: 1, min_iterations: 3}")
    _, frame = _run(tmp_path, write_matrix, FakeDevice(), text=text)
    assert frame.warnings.isna().all()


def test_a_failed_conversion_fails_only_its_cells(tmp_path, write_matrix):
    summary, frame = _run(tmp_path, write_matrix, FakeDevice(), FakeCache(tmp_path, fail_for="resnet18"))
    assert summary.counts == {"ok": 3, "failed": 3, "skipped": 0}
    row = frame.loc[("resnet18", "torchscript", "none")]
    assert row.status == "failed" and row.stage == "convert" and "aten::frobnicate" in row.error


def test_a_file_the_protocol_cannot_describe_fails_only_its_cells(tmp_path, write_matrix):
    """A scalar input (shape []) cannot be sent to a shell: those cells fail, the run goes on."""
    cache = FakeCache(tmp_path, inputs=(TensorSpec(()),))
    summary, frame = _run(tmp_path, write_matrix, FakeDevice(), cache)
    assert summary.counts == {"ok": 3, "failed": 3, "skipped": 0}
    row = frame.loc[("resnet18", "litert", "xnnpack")]
    assert row.stage == "run" and row.error.startswith("invalid request at shape")


def test_conversions_are_shared_between_cells(tmp_path, write_matrix):
    cache = FakeCache(tmp_path)
    _run(tmp_path, write_matrix, FakeDevice(), cache)
    assert len(cache.calls) == 4  # two models x (one .tflite for both delegates, one .ptl)


def test_device_errors_and_shell_failures_become_failed_rows(tmp_path, write_matrix):
    def behaviour(request, call):
        if call == 1:
            raise DeviceError("the host shell did not finish within 300s and was killed")
        if call == 3:
            return result(request.cell_id, "load_failed", "RuntimeError: bad file", {"name": "fake", "version": "1"},
                          request.runtime, "9.9", None, timing("fake"))
        return None

    summary, frame = _run(tmp_path, write_matrix, FakeDevice(behaviour))
    assert summary.counts["failed"] == 2
    stages = frame[frame.status == "failed"].set_index("stage").error.to_dict()
    assert "killed" in stages["device"] and stages["load"] == "RuntimeError: bad file"


def test_a_delegate_the_runtime_did_not_apply_fails_the_cell_but_keeps_samples(tmp_path, write_matrix):
    def behaviour(request, call):
        return result(request.cell_id, "ok", None, {"name": "fake", "version": "1"}, request.runtime, "9.9", "none",
                      timing("fake", 1, 1, (5,)))

    _, frame = _run(tmp_path, write_matrix, FakeDevice(behaviour))
    row = frame.loc[("mobilenet_v2", "litert", "xnnpack")]
    assert row.status == "failed" and "applied none" in row.error and list(row.latency_samples_ns) == [5, 5]
    assert frame.loc[("mobilenet_v2", "litert", "none")].status == "ok"


def test_skipped_cells_are_rows_with_the_reason(tmp_path, write_matrix):
    text = "models: [mobilenet_v2, keras_mobilenet_v2]\nruntimes: [executorch]\n"
    summary, frame = _run(tmp_path, write_matrix, FakeDevice(), text=text)
    assert summary.counts == {"ok": 1, "failed": 0, "skipped": 1}
    row = frame.loc[("keras_mobilenet_v2", "executorch", "xnnpack")]
    assert row.status == "skipped" and "Keras" in row.error


def test_an_interrupted_run_keeps_every_row_written(tmp_path, write_matrix):
    def behaviour(request, call):
        if call == 3:
            raise KeyboardInterrupt

    matrix = load_matrix(write_matrix(SHUFFLED_MATRIX))
    with pytest.raises(KeyboardInterrupt):
        run_bench(matrix, FakeDevice(behaviour), tmp_path / "results", FakeCache(tmp_path), run_id="run")
    frame = results.load(tmp_path / "results" / "run")
    assert len(frame) == 1 and frame.status.tolist() == ["ok"]
    from harness.results.store import RunStore

    assert RunStore(tmp_path / "results" / "run").metadata()["status"] == "interrupted"


def test_run_metadata_records_the_matrix_and_provenance(tmp_path, write_matrix):
    summary, _ = _run(tmp_path, write_matrix, FakeDevice())
    from harness.results.store import RunStore

    metadata = RunStore(summary.run_dir).metadata()
    assert metadata["matrix"]["text"] == MATRIX and metadata["status"] == "finished"
    assert metadata["libraries"]["pyarrow"] and metadata["host"]["cpu_count"] >= 1
    assert metadata["device"]["device_model"] == "Fake CPU" and metadata["counts"]["ok"] == 6
    assert "git_revision" in metadata and metadata["measurement"]["repetitions"] == 2


def _samples_result(request, samples_ns, cpu_time_ns=None):
    return result(request.cell_id, "ok", None, {"name": "fake", "version": "1"}, request.runtime, "9.9",
                  request.delegate, timing("fake", 1, 1, samples_ns), memory(), cpu_time_ns=cpu_time_ns)


ONE_CELL = "models: [mobilenet_v2]\nruntimes: [litert]\nmeasurement: {min_iterations: 1, %s}\n"


def test_a_spread_within_reach_extends_the_cell_then_flags_it_unstable(tmp_path, write_matrix):
    medians_ns = {1: 1_000_000, 2: 1_040_000, 3: 980_000, 4: 1_060_000}  # standard error 2.0%, 1.7%, 1.8%

    device = FakeDevice(lambda request, call: _samples_result(request, (medians_ns[call],)))
    text = ONE_CELL % "repetitions: 2, max_repetitions: 4, max_relative_error: 0.015"
    _, frame = _run(tmp_path, write_matrix, device, text=text)
    row = frame.iloc[0]
    assert len(device.requests) == 4 and list(row.repetition_medians_ms) == [1.0, 1.04, 0.98, 1.06]
    error = np.log([1.0, 1.04, 0.98, 1.06]).std(ddof=1) / 2
    assert row.unstable and row.repetition_relative_error == pytest.approx(error)
    assert f"unstable: the repetition medians' standard error is {error:.1%} after 4 repetitions " \
           "(max_relative_error 1.5%)" in row.warnings and "stopped there" not in row.warnings


def test_a_spread_out_of_reach_stops_the_cell_at_its_repetitions(tmp_path, write_matrix):
    def behaviour(request, call):
        return _samples_result(request, (1_000_000 * call,))  # medians 1, 2, 3 ms: 35% after two

    device = FakeDevice(behaviour)
    text = ONE_CELL % "repetitions: 2, max_repetitions: 4, max_relative_error: 0.015"
    _, frame = _run(tmp_path, write_matrix, device, text=text)
    row = frame.iloc[0]
    assert len(device.requests) == 2 and list(row.repetition_medians_ms) == [1.0, 2.0]
    assert row.unstable and row.repetition_spread == pytest.approx(1 / 1.5)
    error = np.log([1, 2]).std(ddof=1) / np.sqrt(2)
    assert f"unstable: the repetition medians' standard error is {error:.1%} after 2 repetitions " \
           "(max_relative_error 1.5%); stopped there, as even 4 would not bring it under" in row.warnings


def test_a_steady_cell_stops_at_its_repetitions(tmp_path, write_matrix):
    device = FakeDevice(lambda request, call: _samples_result(request, (1_000_000, 1_010_000)))
    _, frame = _run(tmp_path, write_matrix, device, text=ONE_CELL % "repetitions: 3, max_repetitions: 6")
    assert len(device.requests) == 3 and frame.iloc[0].unstable == False and frame.iloc[0].repetition_spread == 0.0  # noqa: E712


def test_extension_stops_when_the_standard_error_settles(tmp_path, write_matrix):
    medians_ns = {1: 1_000_000, 2: 1_100_000, 3: 1_050_000}  # standard error of the logs 4.8%, then 2.8%

    device = FakeDevice(lambda request, call: _samples_result(request, (medians_ns[call],)))
    text = ONE_CELL % "repetitions: 2, max_repetitions: 8, max_relative_error: 0.03"
    _, frame = _run(tmp_path, write_matrix, device, text=text)
    assert len(device.requests) == 3 and frame.iloc[0].unstable == False  # noqa: E712


def test_an_ok_result_with_no_samples_is_a_failed_row_saying_why(tmp_path, write_matrix):
    """A phone's app or tool can answer ok without measuring anything; the host shell cannot."""
    device = FakeDevice(lambda request, call: _samples_result(request, ()))
    _, frame = _run(tmp_path, write_matrix, device, text=ONE_CELL % "repetitions: 2")
    row = frame.iloc[0]
    assert row.status == "failed" and row.stage == "run" and len(device.requests) == 1
    assert "reported ok but returned no timed samples and no summary" in row.error


def test_needs_another_repetition_never_extends_a_failed_cell():
    from harness.config.matrix import Measurement
    from harness.run.cells import needs_another_repetition
    from harness.run.outcome import CellOutcome

    outcome = CellOutcome(planned=None, status="failed")
    assert not needs_another_repetition(outcome, Measurement(repetitions=3))


ORDER = "models: [mobilenet_v2, resnet18]\nruntimes: [litert, torchscript]\ndelegates: [none]\nthreads: [1, 2]\n"


def _order(tmp_path, write_matrix, settings: str, name: str) -> list[str]:
    device = FakeDevice()
    matrix = load_matrix(write_matrix(ORDER + f"measurement: {{{settings}}}\n", name=f"{name}.yaml"))
    run_bench(matrix, device, tmp_path / name, FakeCache(tmp_path), run_id="run")
    return [r.cell_id for r in device.requests]


def test_cell_order_is_seeded(tmp_path, write_matrix):
    listed = _order(tmp_path, write_matrix, "repetitions: 1, order: as_listed", "listed")
    first = _order(tmp_path, write_matrix, "repetitions: 1, seed: 1", "first")
    again = _order(tmp_path, write_matrix, "repetitions: 1, seed: 1", "again")
    other = _order(tmp_path, write_matrix, "repetitions: 1, seed: 2", "other")
    assert first == again and sorted(first) == sorted(listed)
    assert first != listed or other != listed
    assert first != other


def test_interleaved_order_runs_one_repetition_of_every_cell_per_round(tmp_path, write_matrix):
    sequence = _order(tmp_path, write_matrix, "repetitions: 2, order: interleaved", "interleaved")
    assert len(sequence) == 16 and set(sequence[:8]) == set(sequence[8:]) and len(set(sequence[:8])) == 8
    shuffled = _order(tmp_path, write_matrix, "repetitions: 2, order: shuffled", "shuffled")
    assert all(shuffled[i] == shuffled[i + 1] for i in range(0, 16, 2))  # each cell's repetitions back to back


class _Counters:
    """A device whose /proc/stat-like counters advance 10 CPU-seconds per reading, 6 of them busy."""

    def __init__(self):
        self.readings = 0

    def __call__(self):
        from harness.devices.state import DeviceState

        self.readings += 1
        return DeviceState(taken_at=self.readings, cpu_busy_seconds=6.0 * self.readings,
                           cpu_total_seconds=10.0 * self.readings, cpu_freq_mhz=(2000.0, 2000.0), load_avg_1m=0.5)


def test_other_work_during_a_cell_is_measured_and_warned_about(tmp_path, write_matrix):
    device = FakeDevice(lambda request, call: _samples_result(request, (1_000_000,), cpu_time_ns=1_000_000_000),
                        states=_Counters())
    text = ONE_CELL % "repetitions: 1, cooldown: {timeout_seconds: 0, poll_seconds: 0.001}"
    _, frame = _run(tmp_path, write_matrix, device, text=text)
    row = frame.iloc[0]
    # each repetition spans one reading: 6 s busy, of which the shell's own 1 s, out of 10 s
    assert row.other_cpu_busy_fraction == pytest.approx(0.5)
    assert "busy: other work used 50% of the CPUs" in row.warnings
    assert row.cooldown_timed_out and "cooldown timed out" in row.warnings
    assert list(row.cpu_freq_mhz_before) == [2000.0, 2000.0] and row.load_avg_1m_after == 0.5


def test_without_cpu_counters_busy_is_unknown_not_zero(tmp_path, write_matrix):
    _, frame = _run(tmp_path, write_matrix, FakeDevice(), text=ONE_CELL % "repetitions: 1")
    assert pd.isna(frame.iloc[0].other_cpu_busy_fraction) and frame.iloc[0].cooldown_wait_s == 0.0


def test_efficiency_is_flops_over_median_against_the_peak(tmp_path, write_matrix):
    device = FakeDevice(lambda request, call: _samples_result(request, (2_000_000,)), peak=400.0)
    summary, frame = _run(tmp_path, write_matrix, device, text=ONE_CELL % "repetitions: 1")
    row = frame.iloc[0]
    assert row.model_flops == 200_000_000 and row.peak_gflops_per_s == 400.0
    assert row.achieved_gflops_per_s == pytest.approx(100.0) and row.percent_of_peak == pytest.approx(25.0)
    from harness.results.store import RunStore

    assert RunStore(summary.run_dir).metadata()["peak_gflops_per_s"] == {"1": 400.0}


def test_eight_bit_cells_get_no_share_of_the_float_peak(tmp_path, write_matrix):
    device = FakeDevice(lambda request, call: _samples_result(request, (2_000_000,)), peak=400.0)
    _, frame = _run(tmp_path, write_matrix, device, text=ONE_CELL.replace("models:", "quantization: [int8]\nmodels:")
                    % "repetitions: 1")
    row = frame.iloc[0]
    assert row.quantization == "int8" and row.achieved_gflops_per_s == pytest.approx(100.0)
    assert pd.isna(row.percent_of_peak)


def test_a_share_of_the_peak_over_100_percent_is_left_empty_and_said(tmp_path, write_matrix):
    device = FakeDevice(lambda request, call: _samples_result(request, (2_000_000,)), peak=50.0)
    _, frame = _run(tmp_path, write_matrix, device, text=ONE_CELL % "repetitions: 1")
    row = frame.iloc[0]
    assert row.achieved_gflops_per_s == pytest.approx(100.0) and pd.isna(row.percent_of_peak)
    assert "above the measured fp32 peak (50.0): percent_of_peak left empty" in row.warnings


def test_the_timeline_accounts_for_every_repetition(tmp_path, write_matrix):
    """Each repetition leaves a cooldown, a shell and a state span; the shell's split is its own timing."""
    from harness.run.timeline import read_timeline
    from harness.run.wall_budget import wall_budget

    summary, frame = _run(tmp_path, write_matrix, FakeDevice())
    spans = read_timeline(summary.run_dir)
    shells = [s for s in spans if s["phase"] == "shell"]
    assert len(shells) == 12  # six cells, two repetitions each
    assert all(s["inside"] == {"load": 1e-6, "first_inference": 2e-6, "timed": 6e-3} for s in shells)
    assert sorted(s["phase"] for s in spans if s.get("cell_id") == shells[0]["cell_id"]).count("cooldown") == 2
    assert len([s for s in spans if s["phase"] == "write"]) == 6
    assert len([s for s in spans if s["phase"] == "convert"]) == 4
    assert not [s for s in spans if s["phase"] == "prepare"]  # the fake device has nothing to start
    run, per_runtime = wall_budget(summary.run_dir)
    assert run.repetitions == 12 and set(per_runtime) == {"litert", "torchscript"}
    assert run.seconds["timed"] == pytest.approx(12 * 6e-3)


def test_progress_says_how_long_the_phase_has_left(tmp_path, write_matrix):
    events = []
    matrix = load_matrix(write_matrix(SHUFFLED_MATRIX))  # cells end one by one: their pace tells the time left
    run_bench(matrix, FakeDevice(), tmp_path / "results", FakeCache(tmp_path), run_id="run", on_progress=events.append)
    finished_runs = [e for e in events if e.phase == "run" and e.status]
    assert [e.done for e in finished_runs] == [1, 2, 3, 4, 5, 6]
    assert all(e.eta_seconds is not None and e.eta_seconds >= 0 for e in finished_runs)
    assert finished_runs[-1].eta_seconds == 0


def test_interleaved_rounds_report_progress_before_any_cell_finishes(tmp_path, write_matrix):
    events = []
    matrix = load_matrix(write_matrix(MATRIX.replace("{repetitions: 2}", "{repetitions: 3}")))
    run_bench(matrix, FakeDevice(), tmp_path / "results", FakeCache(tmp_path), run_id="run", on_progress=events.append)
    rounds = [e for e in events if e.phase == "round" and e.status]
    assert [(e.done, e.total) for e in rounds] == [(1, 3), (2, 3), (3, 3)]
    assert rounds[0].label == "round 1: 6 cells measured, 6 continue" and rounds[-1].label.endswith("0 continue")
    assert rounds[0].eta_seconds is not None and rounds[-1].eta_seconds == 0
    first_cell = next(i for i, e in enumerate(events) if e.phase == "run" and e.status)
    assert events.index(rounds[1]) < first_cell  # the rounds speak while every cell is still unfinished


def test_a_reading_outside_its_physical_range_stays_empty_and_is_named_in_warnings(tmp_path, write_matrix):
    from harness.devices.state import linux_state

    def impossible():  # a phone's HAL reporting its CPU at 4200 °C
        return linux_state({}.get, 1, 100.0, sources={"temperature_c": "dumpsys thermalservice (cpu4)"},
                           temperature_c=4200.0, battery_temperature_c=31.0)

    _, frame = _run(tmp_path, write_matrix, FakeDevice(states=impossible), text=ONE_CELL % "repetitions: 1")
    row = frame.iloc[0]
    assert pd.isna(row.temperature_c_before) and pd.isna(row.temperature_c_after) and row.battery_temperature_c == 31.0
    assert row.warnings.count("refused a reading: temperature 4200 °C from dumpsys thermalservice (cpu4)") == 1

def test_the_peak_is_measured_on_the_cells_cpus_after_the_cooldown_gate(tmp_path, write_matrix):
    from harness.run.timeline import read_timeline

    states, calls = _Counters(), []

    class PeakDevice(FakeDevice):
        def peak_gflops(self, threads, cpu_affinity=None):
            calls.append((threads, cpu_affinity, states.readings))
            return 400.0

    text = ONE_CELL % "repetitions: 1, cpu_affinity: [0], cooldown: {timeout_seconds: 0, poll_seconds: 0.001}"
    summary, _ = _run(tmp_path, write_matrix, PeakDevice(states=states), text=text)
    assert len(calls) == 1 and calls[0][:2] == (1, (0,)) and calls[0][2] >= 2  # the gate read the state first
    phases = [span["phase"] for span in read_timeline(summary.run_dir)]
    assert phases.index("cooldown") < phases.index("peak")



class SizedDevice(FakeDevice):
    def __init__(self, binary=None, error=None):
        super().__init__()
        self.binary, self.error = binary, error

    def runtime_binary(self, runtime, mode=None):
        if self.error:
            raise SizeError(self.error)
        return self.binary


def test_rows_of_cells_that_ran_carry_the_runtime_size(tmp_path, write_matrix):
    binary = RuntimeBinary("python-package:x==1:x86_64", "python-package", "x86_64", ("a.so",), 300, 200)
    text = MATRIX.replace("exclude:", "exclude:\n  - {model: resnet18, runtime: litert}")
    _, frame = _run(tmp_path, write_matrix, SizedDevice(binary), text=text)
    ran = frame[frame.status == "ok"]
    assert len(ran) > 0 and (ran.runtime_binary_bytes == 300).all() and (ran.runtime_binary_stripped_bytes == 200).all()
    assert set(ran.runtime_build_kind) == {"python-package"} and set(ran.runtime_abi) == {"x86_64"}
    assert frame[frame.status == "skipped"].runtime_binary_bytes.isna().all()


def test_a_runtime_size_that_cannot_be_read_is_a_warning_not_a_failure(tmp_path, write_matrix):
    _, frame = _run(tmp_path, write_matrix, SizedDevice(error="x.so: not a readable ELF file"))
    assert (frame.status == "ok").all() and frame.runtime_binary_bytes.isna().all()
    assert frame.warnings.str.contains("the runtime's size was not measured: x.so: not a readable ELF file").all()


def test_an_interleaved_run_leaves_the_time_left_to_its_rounds(tmp_path, write_matrix):
    """Interleaved, every cell ends in the last round: only the rounds can say how long is left."""
    events = []
    run_bench(load_matrix(write_matrix(MATRIX)), FakeDevice(), tmp_path / "results", FakeCache(tmp_path),
              run_id="run", on_progress=events.append)
    cells = [e for e in events if e.phase == "run" and e.status]
    rounds = [e for e in events if e.phase == "round" and e.status]
    assert len(cells) == 6 and all(e.eta_seconds is None for e in cells)
    assert len(rounds) == 2 and rounds[0].eta_seconds is not None
