"""Can a device's runtime load this file? Checked before anything is pushed, from versions the device declares.

Each runtime's reader says what its format needs (`FormatReader.incompatibility`). Unknown limits
are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from harness.runtimes.inspection import Inspection


@dataclass(frozen=True)
class RuntimeLimits:
    tflite_version: str | None = None  # TFLite runtime version, in TensorFlow's numbering
    pte_identifiers: tuple[str, ...] = ()  # ExecuTorch file identifiers (ET12, ...) it reads
    ptl_max_bytecode: int | None = None  # newest lite-interpreter bytecode it loads


def incompatibility(inspection: Inspection, limits: RuntimeLimits, device: str) -> str | None:
    """Why the device cannot load the file, or None."""
    from harness.runtimes import runtime_for_format

    return runtime_for_format(inspection.format).load_reader().incompatibility(inspection, limits, device)


def newer_version(needed: str, available: str) -> bool:
    return _version(needed) > _version(available)


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")
