"""What a runtime is made of, as types the rest of the harness names.

A runtime's folder fills in one `Runtime`. Its heavy parts (converters, the file reader, the host
session, the phone tool) are "module:attribute" targets, imported only by the process that uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from harness.registry import load_target
from harness.runtimes.choices import QuantizationOptions, calibration_settings

if TYPE_CHECKING:
    import numpy as np

    from harness.compatibility import RuntimeLimits
    from harness.models.spec import ModelSpec, TensorSpec
    from harness.protocol import Request
    from harness.runtimes.inspection import Delegation, Inspection
    from harness.runtimes.tool_output import ToolTiming


@dataclass(frozen=True)
class Converted:
    """What a converter reports besides the file it wrote."""

    notes: tuple[str, ...] = ()
    delegation: dict | None = None  # node counts from the lowering, where the converter sees them


@runtime_checkable
class Converter(Protocol):
    def __call__(self, spec: ModelSpec, model: object, settings: dict[str, str], output: Path) -> Converted: ...


@runtime_checkable
class FormatReader(Protocol):
    """Reads what a converted file holds and writes the harness's metadata into it."""

    def inspect(self, path: Path) -> Inspection: ...

    def embed_metadata(self, path: Path, metadata: dict) -> None: ...

    def delegation(self, path: Path, inspection: Inspection, delegate: str) -> Delegation: ...

    def input_signature(self, path: Path) -> tuple[TensorSpec, ...] | None:
        """The inputs the file records, or None where the format records none."""

    def incompatibility(self, inspection: Inspection, limits: RuntimeLimits, device: str) -> str | None:
        """Why a device whose runtime has ``limits`` cannot load the file, or None."""


@runtime_checkable
class SelectiveBuild(Protocol):
    """The operator lists a size-optimised build of the runtime takes."""

    def write_operator_list(self, path: Path, inspection: Inspection, folder: Path) -> Path: ...

    def combine_operator_lists(self, lists: list[Path], folder: Path) -> Path: ...


class Session(Protocol):
    version: str | None

    def set_inputs(self, arrays: list[np.ndarray]) -> None: ...

    def run(self) -> None:
        """One inference on the inputs already set; the only call the shell times."""

    def delegate_applied(self) -> str:
        """What the runtime actually applied. Called after measuring, so it may be slow."""

    def outputs(self) -> list[np.ndarray]:
        """The outputs of the last run, as the model produced them (quantized ones stay quantized)."""


@runtime_checkable
class SessionLoader(Protocol):
    def __call__(self, path: Path, delegate: str, threads: int) -> Session: ...


@runtime_checkable
class OperatorProfiler(Protocol):
    """Runs inferences under the runtime's own profiler, in the host shell, apart from any timed loop.

    Returns an `OperatorProfile` as JSON: raw per-inference times of each operator, no statistics."""

    def __call__(self, path: Path, delegate: str, threads: int, inputs: list[np.ndarray], warmup_runs: int,
                 runs: int, folder: Path) -> dict: ...


@runtime_checkable
class ToolRunner(Protocol):
    """The runtime's own command-line benchmark tool on a phone: its flags, and how to read what it prints."""

    name: str
    fetchable: bool  # `harness fetch-tool` can download a prebuilt one
    profiles_operators: bool  # answers a request with profile: operators (its parse fills operator_profile)

    def arguments(self, request: Request, model: str, folder: str) -> list[str]: ...

    def parse(self, output: str, requested_delegate: str) -> ToolTiming: ...


@dataclass(frozen=True)
class FormatFunctions:
    """A FormatReader made of a format module's functions."""

    inspect: Callable[[Path], Inspection]
    embed_metadata: Callable[[Path, dict], None]
    delegation: Callable[[Path, Inspection, str], Delegation]
    input_signature: Callable[[Path], tuple[TensorSpec, ...] | None]
    incompatibility: Callable[[Inspection, RuntimeLimits, str], str | None]


@dataclass(frozen=True)
class SelectiveBuildFunctions:
    """A SelectiveBuild made of a module's functions."""

    write_operator_list: Callable[[Path, Inspection, Path], Path]
    combine_operator_lists: Callable[[list[Path], Path], Path]


@dataclass(frozen=True)
class PhoneTool:
    """A ToolRunner made of a module's functions."""

    name: str
    fetchable: bool
    arguments: Callable[[Request, str, str], list[str]]
    parse: Callable[[str, str], ToolTiming]
    profiles_operators: bool = False


@dataclass(frozen=True)
class ConverterInfo:
    name: str
    framework: str  # the source framework it takes: torch or keras
    packages: tuple[str, ...]  # distributions whose versions change the output
    description: str
    target: str  # "module:function", a Converter
    title: str = ""  # how messages name it, where that is not its name
    imports: tuple[str, ...] = ()  # modules it imports as it converts: a conversion fork server loads them once

    def load(self) -> Converter:
        return _load(self.target, Converter)


def _no_refusal(model: ModelSpec, delegate: str, quantization: str) -> str | None:
    return None


def _calibration_only(model: ModelSpec, delegate: str, quantization: str,
                 options: QuantizationOptions) -> tuple[tuple[str, str], ...]:
    return calibration_settings(quantization, options)


@dataclass(frozen=True)
class Runtime:
    """One runtime: what it loads and offers, and where its parts live."""

    name: str
    format: str  # the file format it loads, named by its suffix
    description: str
    packages: tuple[str, ...]  # distributions whose versions identify it
    delegates: tuple[str, ...]  # every delegate it can be asked for, on any platform
    host_delegates: tuple[str, ...]  # what the host shell's build of it applies
    quantizations: tuple[str, ...]
    converters: tuple[ConverterInfo, ...]
    reader: str  # "module:attribute", a FormatReader
    selective_build: str  # "module:attribute", a SelectiveBuild
    session: str  # "module:attribute", a SessionLoader
    tool: str | None = None  # "module:attribute", a ToolRunner; None: no command-line tool on phones
    profiler: str | None = None  # "module:attribute", an OperatorProfiler; None: no per-operator times on the host
    platforms: tuple[str, ...] = ("host",)  # where the harness can run it
    # The host shell's native entry module: (import package, glob of the file inside it). Its size, with the
    # package's own libraries it loads, is the runtime_binary_bytes of a host cell (harness/runtime_size.py).
    host_native_module: tuple[str, str] | None = None
    # The host's C++ runner for it (native/, built into build/native/ under this name), for execution_mode:
    # native; None: it runs in the Python shell only. It loads its libraries from host_native_module's package.
    native_runner: str | None = None
    delegate_in_file: bool = False  # the delegate is baked into the file when it is converted
    file_records_inputs: bool = True  # the file holds its input shapes and dtypes
    # How its files begin, checked before anything reads them: a flatbuffer with this identifier at byte 4
    # (a prefix of it), or a zip archive; None: not checked.
    container: Literal["flatbuffer", "zip"] | None = None
    file_identifier: bytes = b""
    # Why this runtime's toolchain cannot produce a variant (model, delegate, quantization), or None.
    refusal: Callable[[ModelSpec, str, str], str | None] = field(default=_no_refusal, compare=False)
    # Settings beyond the quantization that change the converted file.
    conversion_settings: Callable[[ModelSpec, str, str, QuantizationOptions], tuple[tuple[str, str], ...]] = field(
        default=_calibration_only, compare=False)

    @property
    def suffix(self) -> str:
        return f".{self.format}"

    def converter_for(self, framework: str) -> ConverterInfo | None:
        return next((c for c in self.converters if c.framework == framework), None)

    def load_reader(self) -> FormatReader:
        return _load(self.reader, FormatReader)

    def load_selective_build(self) -> SelectiveBuild:
        return _load(self.selective_build, SelectiveBuild)

    def load_session(self) -> SessionLoader:
        return _load(self.session, SessionLoader)

    def load_profiler(self) -> OperatorProfiler | None:
        return _load(self.profiler, OperatorProfiler) if self.profiler else None

    def load_tool(self) -> ToolRunner | None:
        return _load(self.tool, ToolRunner) if self.tool else None


@cache
def _load(target: str, kind: type) -> Any:
    return load_target(target, kind)
