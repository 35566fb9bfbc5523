"""Every runtime the harness knows: one folder each, registered here with one line each.

Registering imports nothing heavy: a runtime's package holds plain data (`Runtime`), and its
converters, reader, session and tool load only in the process that uses them.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import ModelError
from harness.registry import Registry, check_known
from harness.runtimes.base import Runtime

RUNTIMES: Registry[Runtime] = Registry("runtime", Runtime)
RUNTIMES.register("litert", "harness.runtimes.litert:RUNTIME")
RUNTIMES.register("executorch", "harness.runtimes.executorch:RUNTIME")
RUNTIMES.register("torchscript", "harness.runtimes.torchscript:RUNTIME")
# Runtimes kept outside this package: "name=module:attribute,..."; child processes inherit it.
RUNTIMES.register_from_environment("HARNESS_RUNTIMES")


def runtime(name: str) -> Runtime:
    return RUNTIMES.get(name)


def all_runtimes() -> list[Runtime]:
    """In the order they are registered."""
    return [RUNTIMES.get(name) for name in RUNTIMES.registered()]


def runtime_for_format(file_format: str) -> Runtime:
    by_format = {r.format: r for r in all_runtimes()}
    check_known("file format", file_format, sorted(by_format))
    return by_format[file_format]


def file_format(path: Path) -> str:
    """The format a file's suffix names; a ModelError for a suffix no runtime loads."""
    suffixes = {r.suffix: r.format for r in all_runtimes()}
    if path.suffix not in suffixes:
        raise ModelError(f"{path.name}: not a model file the harness reads (it reads {', '.join(suffixes)})")
    return suffixes[path.suffix]


def runtimes_on(platform: str) -> frozenset[str]:
    return frozenset(r.name for r in all_runtimes() if platform in r.platforms)


def host_delegates() -> frozenset[str]:
    """Every delegate some runtime's host build applies."""
    return frozenset(d for r in all_runtimes() for d in r.host_delegates)
