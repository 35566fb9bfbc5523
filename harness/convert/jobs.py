"""What the conversion steps take and give back, as they travel to and from their processes and the cache.

Plain pydantic models: reading them imports no framework.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from harness.models.spec import ModelSpec, TensorSpec
from harness.runtimes.inspection import Delegation, Inspection
from harness.stats import PARITY_COLUMNS


class _Record(BaseModel):
    # NaN and infinite figures (a broken conversion's parity) stay what they are in JSON, not null.
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="constants")


class ConversionJob(_Record):
    converter: str
    format: str
    settings: dict[str, str]
    model: ModelSpec
    output: Path
    cwd: str  # user factories import relative to where harness ran


class ConversionOutcome(_Record):
    status: Literal["ok"] = "ok"
    notes: tuple[str, ...] = ()
    seconds: float
    flops: int | None = None
    flops_counter: str | None = None
    inputs: tuple[TensorSpec, ...]  # the file's own signature where it records one


class CheckJob(_Record):
    path: Path
    operator_list_folder: Path
    reference: Path | None  # the source model's outputs on the parity inputs; None for a user's own file


class Parity(_Record):
    """How far the converted file's outputs are from the source model's (harness.stats.output_parity)."""

    parity_max_abs_error: float | None = None
    parity_max_rel_error: float | None = None
    parity_cosine: float | None = None
    parity_top1_agreement: float | None = None
    parity_reference_spread: float | None = None
    error: str | None = None  # why it could not be measured

    def figures(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in PARITY_COLUMNS}


class DelegateCheck(_Record):
    """What the host measured of a converted file under one delegate."""

    delegation: Delegation | None = None
    parity: Parity | None = None


class CheckOutcome(_Record):
    status: Literal["ok"] = "ok"
    inspection: Inspection
    checks: dict[str, DelegateCheck]  # per delegate the host can apply
    operator_list: str  # the file's selective-build list, next to it


class ArtifactRecord(_Record):
    """What the cache keeps beside a converted file (artifact.json)."""

    file: str
    format: str
    converter: str
    size_bytes: int
    sha256: str
    inputs: tuple[TensorSpec, ...]
    notes: tuple[str, ...]
    conversion_seconds: float
    flops: int | None = None
    flops_counter: str | None = None
    inspection: Inspection | None = None
    checks: dict[str, DelegateCheck] = {}
    operator_list: str | None = None
    label: str
    created: str
