"""The fault suite: inject faults into real `harness bench` runs and count what became of the rows.

Per fault it prints the trials, the rows expected, the rows lost, the rows duplicated, the cells (or, for
two runs on one cache, the conversions) done twice, and the rows that failed as the fault meant them to.
The targets are 0 lost, 0 duplicated and 0 done twice. The faults (kill -9 then --resume, the phone's adb
connection dropped, a hung phone tool, the phone's storage and the host's disk full, a corrupted cache
file, two runs on one cache) and the last table are in docs/verification.md.

Cells are a tiny LiteRT file (tests/fixtures/tiny_models.py's tiny_cnn, converted once) on the host and on
the emulated phone (tests/fixtures/phone/), so a trial takes seconds.

Usage: nice .venv/bin/python benchmarks/faults.py [--trials 8] [--seed 0] [--only kill,two-runs]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from harness import results

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MATRIX = """\
name: faults
models:
  - {name: tiny_a, file: tiny.tflite}
  - {name: tiny_b, file: tiny.tflite}
runtimes: [litert]
delegates: [xnnpack, none]
measurement: {warmup_runs: 0, min_iterations: 2, min_seconds: 0, max_seconds: 0.1, repetitions: 1, max_repetitions: 1,
              order: as_listed, cell_timeout_seconds: 8, cooldown: {max_cpu_busy: 1.0, timeout_seconds: 0}}
"""
CELLS = 4
SOURCE_MATRIX = """\
models:
  - {name: tiny_cnn, factory: 'tests.fixtures.tiny_models:tiny_cnn', inputs: [[1, 3, 16, 16]]}
runtimes: [litert]
measurement: {warmup_runs: 0, min_iterations: 1, min_seconds: 0, max_seconds: 0.1, repetitions: 1, max_repetitions: 1}
"""


@dataclass
class Tally:
    fault: str
    trials: int = 0
    expected: int = 0
    lost: int = 0
    duplicated: int = 0
    twice: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self, run: Path, before: dict[str, bytes] | None = None, trial: bool = True) -> None:
        """Add one run's rows (``trial``: and one injected fault); ``before`` holds the cell files a resume
        found, which it must not touch."""
        with warnings.catch_warnings(record=True) as skipped:
            warnings.simplefilter("always")
            rows = results.load(run)
        unique = rows.cell_id.nunique() if len(rows) else 0
        self.trials += int(trial)
        self.expected += CELLS
        self.lost += CELLS - unique
        self.duplicated += len(rows) - unique
        self.failed += int((rows.status == "failed").sum()) if len(rows) else 0
        after = _cell_files(run)
        self.twice += sum(1 for name, data in (before or {}).items() if after.get(name) != data)
        self.notes += [str(w.message) for w in skipped]


def _last_line(completed: subprocess.CompletedProcess) -> str:
    lines = completed.stderr.strip().splitlines()
    return lines[-1][-160:] if lines else ""


def _cell_files(run: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (run / "cells").glob("*.parquet")}


class Lab:
    """A work folder with the matrix, its model file, a shared cache and, once asked for, the emulated phone."""

    def __init__(self, root: Path):
        self.root, self.cache, self.results = root, root / "cache", root / "results"
        (root / "source.yaml").write_text(SOURCE_MATRIX)
        subprocess.run([sys.executable, "-m", "harness", "bench", "--matrix", str(root / "source.yaml"), "--results",
                        str(root / "source-results"), "--cache-dir", str(root / "source-cache")],
                       check=True, capture_output=True, cwd=REPO, timeout=900)
        shutil.copyfile(next((root / "source-cache").rglob("model.tflite")), root / "tiny.tflite")
        (root / "matrix.yaml").write_text(MATRIX)
        self.phone = None
        self.devices: Path | None = None

    def command(self, *args: str, cache: Path | None = None, phone: bool = False) -> list[str]:
        device = ["--devices", str(self.devices), "--device", "pixel", "--mode", "cli"] if phone else []
        return ["bench", "--matrix", str(self.root / "matrix.yaml"), "--results", str(self.results),
                "--cache-dir", str(cache or self.cache), *device, *args]

    def run(self, *args: str, prefix: tuple[str, ...] = ("-m", "harness"), **options) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *prefix, *self.command(*args, **options)], capture_output=True,
                              text=True, cwd=REPO, timeout=900)

    def start(self, *args: str, **options) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "harness", *self.command(*args, **options)], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)

    def start_phone(self) -> None:
        from tests.fixtures.phone.adbd import EmulatedPhone
        from tests.fixtures.phone.fake_tools import TOOLS, write_tool

        subprocess.run(["adb", "start-server"], check=True, capture_output=True, timeout=30)
        self.phone = EmulatedPhone(self.root / "phone")
        self.phone.start()
        subprocess.run(["adb", "connect", f"127.0.0.1:{self.phone.port}"], check=True, capture_output=True, timeout=30)
        tools = self.root / "tools"
        tools.mkdir()
        paths = {name: write_tool(tools, name) for name in TOOLS}
        self.devices = self.root / "devices.yaml"
        self.devices.write_text(f"pixel:\n  platform: android\n  serial: 127.0.0.1:{self.phone.port}\n  mode: cli\n"
                                "  tools:\n" + "".join(f"    {name}: {p}\n" for name, p in paths.items()))

    def stop_phone(self) -> None:
        if self.phone is not None:
            subprocess.run(["adb", "disconnect", f"127.0.0.1:{self.phone.port}"], capture_output=True, timeout=30)
            self.phone.stop()


def _finish(lab: Lab, tally: Tally, run: Path, phone: bool = False) -> None:
    """Resume ``run`` unless it finished; count its rows and any it wrote twice."""
    if not (run / "run.json").is_file():  # killed before the folder was made: start again
        shutil.rmtree(run, ignore_errors=True)
        lab.run("--run-id", run.name, phone=phone)
        tally.notes.append("killed before the run folder existed; run again from the start")
        tally.count(run)
        return
    before = _cell_files(run)
    completed = lab.run("--resume", str(run), phone=phone)
    if completed.returncode != 0:
        tally.notes.append(f"resume exited {completed.returncode}: {_last_line(completed)}")
    tally.count(run, before)


def kill_and_resume(lab: Lab, trials: int, rng: random.Random, wall: float) -> Tally:
    tally = Tally("kill -9, then --resume")
    for trial in range(trials):
        process = lab.start("--run-id", f"kill-{trial}")
        time.sleep(rng.uniform(0.3, wall))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        _finish(lab, tally, lab.results / f"kill-{trial}")
    return tally


def adb_drop(lab: Lab, trials: int, rng: random.Random, wall: float) -> Tally:
    tally = Tally("adb connection dropped")
    for trial in range(trials):
        run = lab.results / f"drop-{trial}"
        timer = threading.Timer(rng.uniform(0.3, wall), lab.phone.drop)  # type: ignore[union-attr]
        timer.start()
        completed = lab.run("--run-id", run.name, phone=True)
        timer.join()
        if completed.returncode != 0:
            tally.notes.append(f"the drop stopped the run ({_last_line(completed)}); resumed")
            _finish(lab, tally, run, phone=True)
        else:
            tally.count(run)
    return tally


def phone_fault(lab: Lab, trials: int, kind: str, name: str) -> Tally:
    from tests.fixtures.phone.adbd import Fault

    tally = Tally(name)
    for trial in range(trials):
        lab.phone.inject(Fault(kind, "--graph=" if kind == "hang" else "", times=1))  # type: ignore[union-attr]
        run = lab.results / f"phone-{kind}-{trial}"
        completed = lab.run("--run-id", run.name, phone=True)
        if completed.returncode != 0:
            tally.notes.append(f"the fault stopped the run ({_last_line(completed)}); resumed")
            _finish(lab, tally, run, phone=True)
        else:
            tally.count(run)
        lab.phone.faults.clear()  # type: ignore[union-attr]
    return tally


def host_disk_full(lab: Lab, trials: int, rng: random.Random) -> Tally:
    tally = Tally("host disk full")
    for trial in range(trials):
        run = lab.results / f"full-{trial}"
        rows = rng.randrange(0, CELLS)
        completed = lab.run("--run-id", run.name, prefix=("-m", "tests.fixtures.full_disk", str(rows)))
        lines = completed.stderr.strip().splitlines()
        if completed.returncode == 0 or "No space left on device" not in lines[-1] or "Traceback" in completed.stderr:
            tally.notes.append(f"full disk after {rows} rows did not stop the run in one line: {lines[-1:]}")
        if len(_cell_files(run)) != rows:
            tally.notes.append(f"{len(_cell_files(run))} rows on disk after a disk full at row {rows + 1}")
        _finish(lab, tally, run)
    return tally


def corrupt_cache(lab: Lab, trials: int, rng: random.Random) -> Tally:
    tally = Tally("cache file corrupted")
    for trial in range(trials):
        stored = sorted(lab.cache.rglob("model.tflite"))
        for path in stored:
            data = bytearray(path.read_bytes())
            data[rng.randrange(len(data))] ^= 0xFF
            path.write_bytes(bytes(data))
        run = lab.results / f"corrupt-{trial}"
        lab.run("--run-id", run.name)
        tally.count(run)
        rows = results.load(run)
        said = int(rows.warnings.fillna("").str.contains("converted again: the cached entry was refused").sum())
        if said != CELLS:
            tally.notes.append(f"{said} of {CELLS} rows say the corrupted entry was converted again")
    return tally


def two_runs(lab: Lab, trials: int) -> Tally:
    tally = Tally("two runs, one cache")
    for trial in range(trials):
        cache = lab.root / f"shared-cache-{trial}"
        processes = [lab.start("--run-id", f"pair-{trial}-{side}", cache=cache) for side in "ab"]
        for process in processes:
            process.wait()
        converted = 0
        for side in "ab":
            run = lab.results / f"pair-{trial}-{side}"
            tally.count(run, trial=side == "a")  # one fault: the two runs at once
            converted += int((~results.load(run).from_cache.astype(bool)).any())
        tally.twice += max(0, converted - 1)  # one conversion key in this matrix
    return tally


def _table(tallies: list[Tally]) -> str:
    lines = ["| fault | trials | rows expected | lost | duplicated | done twice | failed rows (by design) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in tallies:
        lines.append(f"| {t.fault} | {t.trials} | {t.expected} | {t.lost} | {t.duplicated} | {t.twice} | {t.failed} |")
    total = sum(t.trials for t in tallies)
    lines.append(f"| **all** | **{total}** | {sum(t.expected for t in tallies)} | {sum(t.lost for t in tallies)} | "
                 f"{sum(t.duplicated for t in tallies)} | {sum(t.twice for t in tallies)} | {sum(t.failed for t in tallies)} |")
    return "\n".join(lines)


HOST_FAULTS = {"kill": kill_and_resume, "host-full": lambda lab, n, rng, wall: host_disk_full(lab, n, rng),
               "corrupt-cache": lambda lab, n, rng, wall: corrupt_cache(lab, n, rng),
               "two-runs": lambda lab, n, rng, wall: two_runs(lab, n)}
PHONE_FAULTS = {"adb-drop": adb_drop,
                "hung-tool": lambda lab, n, rng, wall: phone_fault(lab, n, "hang", "hung tool (phone)"),
                "phone-full": lambda lab, n, rng, wall: phone_fault(lab, n, "full", "phone storage full")}
FAULTS = (*HOST_FAULTS, *PHONE_FAULTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=8, help="trials per fault (default: 8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=",".join(FAULTS), help=f"comma-separated, of: {', '.join(FAULTS)}")
    args = parser.parse_args()
    chosen, rng = args.only.split(","), random.Random(args.seed)
    own_server = "ANDROID_ADB_SERVER_PORT" not in os.environ  # else the caller's (a test session's) server
    os.environ.setdefault("ANDROID_ADB_SERVER_PORT", "5099")  # a private adb server, never the user's 5037
    with tempfile.TemporaryDirectory(prefix="harness-faults-") as folder:
        lab = Lab(Path(folder))
        begin = time.monotonic()
        lab.run("--run-id", "warm")  # fills the cache; its wall time bounds the kill moments
        wall = time.monotonic() - begin
        tallies: list[Tally] = []
        try:
            for name, fault in HOST_FAULTS.items():
                if name in chosen:
                    tallies.append(fault(lab, args.trials, rng, wall))
            if set(PHONE_FAULTS) & set(chosen):
                lab.start_phone()
                begin = time.monotonic()
                lab.run("--run-id", "phone-warm", phone=True)
                wall = time.monotonic() - begin
                tallies += [fault(lab, args.trials, rng, wall) for name, fault in PHONE_FAULTS.items() if name in chosen]
        finally:
            lab.stop_phone()
            if lab.phone is not None and own_server:
                subprocess.run(["adb", "kill-server"], capture_output=True, timeout=30)
    print(_table(tallies))
    for tally in tallies:
        for note in dict.fromkeys(tally.notes):
            print(f"note: {tally.fault}: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
