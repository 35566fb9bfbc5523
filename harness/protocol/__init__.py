"""The versioned request/result protocol shared by the host shell and the phone apps.

The typed messages load on first use: the host shell reads its request through `wire` alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "PROTOCOL_VERSION", "InputFile", "MeasurementSettings", "Memory", "ModelFile", "OperatorProfile", "OperatorTiming",
    "Request", "Result", "RuntimeReport", "Timing", "read_request", "read_result",
]

if TYPE_CHECKING:
    from harness.protocol.messages import (
        PROTOCOL_VERSION,
        InputFile,
        MeasurementSettings,
        Memory,
        ModelFile,
        OperatorProfile,
        OperatorTiming,
        Request,
        Result,
        RuntimeReport,
        Timing,
        read_request,
        read_result,
    )


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("harness.protocol.messages"), name)
    raise AttributeError(f"module 'harness.protocol' has no attribute {name!r}")
