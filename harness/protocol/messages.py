"""Request and result messages, validated against ``schema/v2.json`` at every boundary."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema

from harness.errors import ProtocolError

PROTOCOL_VERSION = 2


@cache
def schema() -> dict:
    return json.loads(resources.files("harness.protocol").joinpath(f"schema/v{PROTOCOL_VERSION}.json").read_text())


def validate(message: dict, kind: str) -> None:
    """Raise ProtocolError unless ``message`` is a valid ``kind`` ('request' or 'result')."""
    if not isinstance(message, dict) or message.get("kind") != kind:
        raise ProtocolError(f"expected a {kind} message")
    if message.get("protocol_version") != PROTOCOL_VERSION:
        raise ProtocolError(f"unsupported protocol_version {message.get('protocol_version')!r}; "
                            f"this harness speaks version {PROTOCOL_VERSION}")
    root = schema()
    validator = jsonschema.Draft202012Validator({**root["$defs"][kind], "$defs": root["$defs"]})
    error = jsonschema.exceptions.best_match(validator.iter_errors(message))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ProtocolError(f"invalid {kind} at {where}: {error.message}")


@dataclass(frozen=True)
class InputFile:
    path: str
    shape: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class Request:
    cell_id: str
    runtime: str
    model_path: str
    model_format: str
    model_sha256: str
    delegate: str
    threads: int
    inputs: tuple[InputFile, ...]
    warmup_runs: int
    min_iterations: int
    min_seconds: float
    max_seconds: float

    def to_json(self) -> dict:
        return {
            "kind": "request",
            "protocol_version": PROTOCOL_VERSION,
            "cell_id": self.cell_id,
            "runtime": self.runtime,
            "model": {"path": self.model_path, "format": self.model_format, "sha256": self.model_sha256},
            "delegate": self.delegate,
            "threads": self.threads,
            "inputs": [{"path": i.path, "shape": list(i.shape), "dtype": i.dtype} for i in self.inputs],
            "measurement": {"warmup_runs": self.warmup_runs, "min_iterations": self.min_iterations,
                            "min_seconds": self.min_seconds, "max_seconds": self.max_seconds},
        }

    @classmethod
    def from_json(cls, message: dict) -> Request:
        validate(message, "request")
        model, measurement = message["model"], message["measurement"]
        return cls(
            cell_id=message["cell_id"], runtime=message["runtime"],
            model_path=model["path"], model_format=model["format"], model_sha256=model["sha256"],
            delegate=message["delegate"], threads=message["threads"],
            inputs=tuple(InputFile(i["path"], tuple(i["shape"]), i["dtype"]) for i in message["inputs"]),
            **measurement,
        )


@dataclass(frozen=True)
class Timing:
    clock: str
    load_ns: int | None = None
    first_inference_ns: int | None = None
    samples_ns: tuple[int, ...] = ()
    summary_ns: dict[str, float] | None = None  # only from tools that print no per-iteration times


@dataclass(frozen=True)
class Memory:
    rss_before_load_bytes: int | None = None
    rss_after_load_bytes: int | None = None
    peak_rss_bytes: int | None = None
    rss_peak_sampled_bytes: int | None = None
    pss_bytes: int | None = None
    pss_peak_sampled_bytes: int | None = None


@dataclass(frozen=True)
class Result:
    cell_id: str
    status: str
    error: str | None
    shell: dict
    runtime_name: str
    runtime_version: str | None
    delegate_applied: str | None
    timing: Timing
    memory: Memory = field(default_factory=Memory)
    cpu_time_ns: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        timing = asdict(self.timing)
        timing["samples_ns"] = list(self.timing.samples_ns)
        return {
            "kind": "result",
            "protocol_version": PROTOCOL_VERSION,
            "cell_id": self.cell_id,
            "status": self.status,
            "error": self.error,
            "shell": self.shell,
            "runtime": {"name": self.runtime_name, "version": self.runtime_version},
            "delegate_applied": self.delegate_applied,
            "timing": timing,
            "memory": asdict(self.memory),
            "cpu_time_ns": self.cpu_time_ns,
        }

    @classmethod
    def from_json(cls, message: dict) -> Result:
        validate(message, "result")
        timing = dict(message["timing"])
        timing["samples_ns"] = tuple(timing["samples_ns"])
        return cls(
            cell_id=message["cell_id"], status=message["status"], error=message["error"], shell=message["shell"],
            runtime_name=message["runtime"]["name"], runtime_version=message["runtime"]["version"],
            delegate_applied=message["delegate_applied"], timing=Timing(**timing), memory=Memory(**message["memory"]),
            cpu_time_ns=message["cpu_time_ns"],
        )


def _read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ProtocolError(f"cannot read {path}: {error}") from None


def read_request(path: Path) -> Request:
    return Request.from_json(_read_json(path))


def read_result(path: Path) -> Result:
    return Result.from_json(_read_json(path))


def replace_atomically(path: Path, write) -> None:
    """Call ``write(temporary_path)`` next to ``path``, then rename it over ``path``: readers never see half a file."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes files private; these are ordinary results
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, message: dict) -> None:
    replace_atomically(path, lambda temporary: Path(temporary).write_text(json.dumps(message, indent=1)))
