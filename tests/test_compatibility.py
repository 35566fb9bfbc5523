"""Refusing a file the device's runtime cannot load, before it is pushed."""

from __future__ import annotations

from harness.compatibility import RuntimeLimits, incompatibility
from harness.runtimes.inspection import Inspection, Operator


def _inspection(fmt: str, version: str, minimum: str | None = None) -> Inspection:
    operators = (Operator(name="FULLY_CONNECTED", count=1, version=9), Operator(name="ADD", count=1, version=1))
    return Inspection(format=fmt, size_bytes=10, format_version=version, min_runtime_version=minimum, operators=operators)


def test_unknown_limits_check_nothing():
    assert incompatibility(_inspection("tflite", "TFLite schema v3", "2.18.0"), RuntimeLimits(), "pixel") is None


def test_a_tflite_model_newer_than_the_runtime_is_refused_naming_its_operator_versions():
    message = incompatibility(_inspection("tflite", "TFLite schema v3", "2.18.0"), RuntimeLimits("2.13.0"), "pixel")
    assert "needs TFLite runtime 2.18.0 or newer" in message and "FULLY_CONNECTED v9" in message
    assert "pixel has 2.13.0" in message
    assert incompatibility(_inspection("tflite", "TFLite schema v3", "2.3.0"), RuntimeLimits("2.13.0"), "pixel") is None


def test_pte_identifiers_and_ptl_bytecode_are_checked():
    limits = RuntimeLimits(pte_identifiers=("ET12",), ptl_max_bytecode=7)
    assert incompatibility(_inspection("pte", "ExecuTorch ET12"), limits, "pixel") is None
    assert "the program is ET13" in incompatibility(_inspection("pte", "ExecuTorch ET13"), limits, "pixel")
    assert "loads up to v7" in incompatibility(_inspection("ptl", "bytecode v8"), limits, "pixel")
    assert incompatibility(_inspection("ptl", "bytecode v7"), limits, "pixel") is None
