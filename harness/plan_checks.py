"""What `harness plan` checks beyond expanding the matrix, without converting anything: that the
matrix's own models can be loaded (probe.py, in a child process), and that some cell is left to run."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections import Counter
from pathlib import Path

from harness.child import ChildStep, read_step_outcome, run_child
from harness.config.matrix import AXES, Matrix
from harness.errors import ConfigError
from harness.plan import PlannedCell, axis_lists

PROBE_TIMEOUT_SECONDS = 300.0


def check_models(matrix: Matrix) -> None:
    """Raise ConfigError for the first user model whose factory does not import or whose file does not read."""
    from harness.convert.probe import ProbeJob, ProbeOutcome

    own = {i: m for i, m in enumerate(matrix.models) if m.source == "user" and (m.factory or m.file)}
    if not own:
        return
    step = ChildStep("harness.convert.probe", "the check of the matrix's models", ConfigError, PROBE_TIMEOUT_SECONDS)
    with tempfile.TemporaryDirectory(prefix="harness-probe-") as folder:
        outcome = run_child(step, ProbeJob(models=own, cwd=os.getcwd()), Path(folder) / "probe.json",
                            read_step_outcome(ProbeOutcome, step))
    if outcome.problems:
        first, more = outcome.problems[0], len(outcome.problems) - 1
        message = first.message + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
        raise ConfigError(message, file=str(matrix.path) if matrix.path else None,
                          key=f"models[{first.index}].{first.key}")


def check_some_cell_runs(matrix: Matrix, planned: list[PlannedCell], device_name: str) -> None:
    """A matrix that leaves nothing to run is a mistake: say which rules and skip reasons took the cells."""
    if any(p.conversion is not None for p in planned):
        return
    lists = axis_lists(matrix)
    product = [dict(zip(AXES, values)) for values in itertools.product(*(lists[axis] for axis in AXES))]
    removed = [f"exclude[{i}] removed {n}" for i, rule in enumerate(matrix.exclude)
               if (n := sum(rule.matches(cell) for cell in product))]
    reasons = Counter(p.skip_reason for p in planned)
    skipped = [f"{n} skipped: {reason}" for reason, n in reasons.most_common(3)]
    parts = ", ".join(removed + skipped) or "the axes give none"
    raise ConfigError(f"no cell to run on {device_name} out of {len(product)} in the product of the axes: {parts}",
                      file=str(matrix.path) if matrix.path else None)
