"""What PyTorch's selective build of the lite interpreter takes: the root operators."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.runtimes.base import SelectiveBuildFunctions
from harness.runtimes.inspection import Inspection


def write_operator_list(path: Path, inspection: Inspection, folder: Path) -> Path:
    """The root operators, as torch.jit.export_opnames writes them for PyTorch's selective build."""
    target = folder / "torchscript_operators.yaml"
    target.write_text(yaml.safe_dump([op.name for op in inspection.operators]))
    return target


def combine_operator_lists(lists: list[Path], folder: Path) -> Path:
    names = sorted({name for path in lists for name in yaml.safe_load(path.read_text())})
    target = folder / "torchscript_operators.yaml"
    target.write_text(yaml.safe_dump(names))
    return target


SELECTIVE_BUILD = SelectiveBuildFunctions(write_operator_list, combine_operator_lists)
