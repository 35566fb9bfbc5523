"""Can a device's runtime load this file? Checked before anything is pushed, from versions the device declares.

TFLite: the converter records the lowest runtime version its operator versions need
(`min_runtime_version`, in TensorFlow's numbering, as the Android tensorflow-lite library has it).
ExecuTorch: a runtime reads only the file identifiers (ET12, ...) it was built for.
Lite interpreter: a runtime loads bytecode up to the version it supports.
Unknown limits are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from harness.formats import Inspection


@dataclass(frozen=True)
class RuntimeLimits:
    tflite_version: str | None = None
    pte_identifiers: tuple[str, ...] = ()
    ptl_max_bytecode: int | None = None


def incompatibility(inspection: Inspection, limits: RuntimeLimits, device: str) -> str | None:
    """Why the device cannot load the file, or None."""
    if inspection.format == "tflite" and limits.tflite_version and inspection.min_runtime_version:
        if _version(inspection.min_runtime_version) > _version(limits.tflite_version):
            newest = ", ".join(f"{op.name} v{op.version}" for op in inspection.operators if (op.version or 1) > 1)
            return (f"the model needs TFLite runtime {inspection.min_runtime_version} or newer (operator versions: "
                    f"{newest or 'see harness inspect'}); {device} has {limits.tflite_version}")
    if inspection.format == "pte" and limits.pte_identifiers:
        identifier = inspection.format_version.split()[-1]
        if identifier not in limits.pte_identifiers:
            return (f"the program is {identifier}; {device}'s ExecuTorch reads {', '.join(limits.pte_identifiers)}: "
                    "convert with the ExecuTorch version the app is built with")
    if inspection.format == "ptl" and limits.ptl_max_bytecode is not None:
        bytecode = int(inspection.format_version.removeprefix("bytecode v"))
        if bytecode > limits.ptl_max_bytecode:
            return (f"the model is bytecode v{bytecode}; {device}'s lite interpreter loads up to "
                    f"v{limits.ptl_max_bytecode} (torch.jit.mobile._backport_for_mobile can lower it)")
    return None


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")
