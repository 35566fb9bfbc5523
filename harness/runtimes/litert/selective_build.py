"""What a size-optimised LiteRT build registers: builtin operators at their highest version, and custom ones."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.runtimes.base import SelectiveBuildFunctions
from harness.runtimes.inspection import Inspection


def write_operator_list(path: Path, inspection: Inspection, folder: Path) -> Path:
    """The builtin operators with the highest version used, and the custom ones: what a selective build registers."""
    target = folder / "tflite_operators.yaml"
    target.write_text(yaml.safe_dump(operator_list(inspection), sort_keys=True))
    return target


def combine_operator_lists(lists: list[Path], folder: Path) -> Path:
    builtin: dict[str, int] = {}
    custom: set[str] = set()
    for path in lists:
        data = yaml.safe_load(path.read_text())
        for name, version in data["builtin_operators"].items():
            builtin[name] = max(builtin.get(name, 0), version)
        custom.update(data["custom_operators"])
    target = folder / "tflite_operators.yaml"
    target.write_text(yaml.safe_dump({"builtin_operators": builtin, "custom_operators": sorted(custom)}))
    return target


def operator_list(inspection: Inspection) -> dict:
    builtin: dict[str, int] = {}
    for op in inspection.operators:
        if op.kind == "builtin":
            builtin[op.name] = max(builtin.get(op.name, 0), op.version or 1)
    return {"builtin_operators": builtin, "custom_operators": sorted(inspection.custom_operators)}


SELECTIVE_BUILD = SelectiveBuildFunctions(write_operator_list, combine_operator_lists)
