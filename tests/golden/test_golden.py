"""The golden matrix gives the rows recorded in rows.json, less what differs from run to run.

rows.json was recorded before the runtimes were gathered into one folder each; a change here is a
change in behaviour. Re-record only for an intended change: `python -m tests.golden.rows RESULTS`.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness import results
from tests.golden.rows import stable_rows

HERE = Path(__file__).parent


def test_golden_matrix_gives_the_recorded_rows(golden_run):
    _, results_dir = golden_run
    expected = json.loads((HERE / "rows.json").read_text())
    actual = stable_rows(results.load(results_dir))
    assert [(r["model"], r["runtime"], r["quantization"], r["delegate"]) for r in actual] == \
        [(r["model"], r["runtime"], r["quantization"], r["delegate"]) for r in expected]
    differing = {}
    for got, want in zip(actual, expected):
        cell = f"{want['model']}/{want['runtime']}/{want['quantization']}/{want['delegate']}"
        changed = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
        differing.update({cell: changed} if changed else {})
    assert not differing
