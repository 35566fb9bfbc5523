"""One error tree. Library code raises these; only the CLI turns them into a message and an exit code."""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""

    exit_code = 1


class ConfigError(HarnessError):
    """A matrix or devices file is malformed or names something that does not exist."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, key: str | None = None):
        self.file, self.line, self.key = file, line, key
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        at_key = f"{key}: " if key else ""
        super().__init__(f"{where}{at_key}{message}")


class UnknownNameError(HarnessError):
    """A name that is not registered; carries the closest registered names."""

    exit_code = 2

    def __init__(self, kind: str, name: str, suggestions: list[str], known: list[str]):
        self.kind, self.name, self.suggestions, self.known = kind, name, suggestions, known
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint} (known: {', '.join(known)})")


class ModelError(HarnessError):
    """A model cannot be built or loaded (bad factory path, missing file, bad weights)."""


class ConversionError(HarnessError):
    """A converter failed; the message says which model and converter."""


class ProtocolError(HarnessError):
    """A request or result does not follow the device protocol."""


class DeviceError(HarnessError):
    """A device cannot be reached or failed to run a cell."""


class SizeError(HarnessError):
    """A binary whose size cannot be read: missing, unreadable or of a kind not supported."""


class ResultsError(HarnessError):
    """A results folder is missing, unreadable or of an unsupported schema version."""


class UnreadableResultsError(ResultsError):
    """A folder given as a run or results folder that is not one, or whose files cannot be read."""

    exit_code = 2


class IncomparableRunsError(ResultsError):
    """Two runs that cannot be compared as asked (different devices, or not runs at all)."""

    exit_code = 2
