"""Converted files, stored under a key that covers everything that changes the file.

The key hashes the converter's name and settings, the conversion code, the versions of
the libraries the converter uses, and the model's identity (its factory's source and
weights, or the bytes of a given file). A second run with nothing changed converts nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from functools import cache, partial
from importlib import metadata, resources, util
from pathlib import Path

from filelock import FileLock

from harness.child import ChildStep, read_step_outcome, run_child
from harness.convert.catalog import Conversion, converter_info
from harness.convert.jobs import ArtifactRecord, CheckJob, CheckOutcome, ConversionJob, ConversionOutcome, DelegateCheck
from harness.errors import ConversionError
from harness.forkserver import ForkServer, ForkServers
from harness.models.settled import WEIGHTS_FOLDER_VARIABLE
from harness.models.spec import ModelSpec, TensorSpec
from harness.parity import REFERENCE_FILE
from harness.runtimes import runtime_for_format
from harness.runtimes.inspection import Inspection

ARTIFACT_FILE = "artifact.json"
# The code whose changes change a cached file or what is recorded about it (metadata, checks, parity).
CONVERSION_CODE_FOLDERS = ("convert", "models", "runtimes")
CONVERSION_CODE_FILES = ("inputs.py", "parity.py", "stats.py")


@dataclass(frozen=True)
class Artifact:
    key: str
    path: Path
    format: str
    converter: str
    size_bytes: int
    sha256: str
    inputs: tuple[TensorSpec, ...]
    notes: tuple[str, ...]
    conversion_seconds: float
    from_cache: bool
    flops: int | None = None
    flops_counter: str | None = None
    inspection: Inspection | None = None
    checks: dict[str, DelegateCheck] = field(default_factory=dict)  # per host delegate: delegation and parity
    operator_list: Path | None = None  # what the runtime's selective build takes
    cache_warning: str | None = None  # why the cache converted it again (a stored file that changed)

    def verification(self, delegate: str) -> DelegateCheck | None:
        """What the host measured for a cell's delegate: None where the host cannot apply it."""
        if runtime_for_format(self.format).delegate_in_file and len(self.checks) == 1:
            return next(iter(self.checks.values()))  # the delegate is baked into the file
        return self.checks.get(delegate)


@dataclass(frozen=True)
class ConversionFailure:
    """A conversion that did not give a file: the cells that need it fail with this message."""

    message: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def _conversion_code_hash() -> str:
    digest = hashlib.sha256()
    package = resources.files("harness")
    root = Path(str(package))
    for folder in CONVERSION_CODE_FOLDERS:
        for source in sorted((root / folder).rglob("*.py")):
            digest.update(str(source.relative_to(root)).encode() + source.read_bytes())
    for name in CONVERSION_CODE_FILES:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


def _module_source_hash(module_name: str) -> str | None:
    sys.path.insert(0, os.getcwd())
    try:
        found = util.find_spec(module_name)
        origin = found.origin if found else None
        return file_sha256(Path(origin)) if origin and os.path.isfile(origin) else None
    except (ImportError, AttributeError, ValueError):
        return None  # the worker will report the import error
    finally:
        sys.path.pop(0)


def _library_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def model_fingerprint(spec: ModelSpec) -> dict:
    inputs = [[list(t.shape), t.dtype] for t in spec.inputs]
    if spec.file:
        return {"file_sha256": file_sha256(spec.file), "inputs": inputs}
    return {
        "factory": spec.factory,
        "factory_source": _module_source_hash((spec.factory or "").split(":")[0]),
        "weights_sha256": file_sha256(spec.weights) if spec.weights else None,
        "inputs": inputs,
        "metadata": [spec.description, spec.normalization, spec.output_meaning, list(spec.labels)],
    }


def _calibration_fingerprint(settings: dict[str, str]) -> dict | None:
    data = settings.get("calibration_data")
    if data in (None, "synthetic"):
        return None
    path = Path(data)
    files = sorted(path.glob("*.npy")) if path.is_dir() else [path]
    return {f.name: file_sha256(f) for f in files if f.is_file()}


def cache_key(conversion: Conversion) -> str:
    info = converter_info(conversion.converter)
    payload = {
        "converter": conversion.converter,
        "format": conversion.format,
        "settings": dict(conversion.settings),
        "code": _conversion_code_hash(),
        "libraries": {package: _library_version(package) for package in info.packages},
        "converter_source": _module_source_hash(info.target.split(":")[0]),  # runtimes kept outside harness/ too
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "model": model_fingerprint(conversion.model),
        "calibration": _calibration_fingerprint(dict(conversion.settings)),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


StepServer = tuple[str, tuple[str, ...]]  # a step's module and the arguments of its fork server's warm()


def conversion_steps(conversion: Conversion) -> tuple[StepServer, StepServer]:
    """The conversion's two steps, the converter and the check, as the fork servers that can run them."""
    return (("harness.convert.worker", (conversion.converter, conversion.format)),
            ("harness.convert.verify", (conversion.format,)))


class ArtifactCache:
    """Converted files by key. Safe to share between processes: converting a key holds that key's file lock
    (filelock), so two runs never convert the same key at once, and entries appear by an atomic rename."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._stale: dict[str, str] = {}  # key -> why its stored entry was refused; said in the new one

    def folder(self, key: str) -> Path:
        return self.root / "artifacts" / key[:2] / key

    def lock(self, key: str, timeout: float = -1) -> FileLock:
        """The lock a process holds while it converts, replaces or removes ``key``'s entry."""
        (self.root / "locks").mkdir(parents=True, exist_ok=True)
        return FileLock(self.root / "locks" / f"{key}.lock", timeout=timeout)

    def record(self, key: str) -> ArtifactRecord | str:
        """The entry's record, or why it cannot be used: unreadable, or its file changed since it was stored."""
        folder = self.folder(key)
        try:
            record = ArtifactRecord.model_validate_json((folder / ARTIFACT_FILE).read_bytes())
        except (OSError, ValueError) as error:  # pydantic's ValidationError is a ValueError
            return f"its {ARTIFACT_FILE} cannot be read ({type(error).__name__})"
        path = folder / record.file
        if not path.is_file() or path.stat().st_size != record.size_bytes or file_sha256(path) != record.sha256:
            return f"{path.name} no longer matches the SHA-256 recorded when it was stored"
        return record

    def lookup(self, key: str) -> Artifact | None:
        """The stored entry, or None; an entry that exists but cannot be trusted is remembered, and the
        conversion that replaces it carries the reason in its cache_warning."""
        folder = self.folder(key)
        if not folder.is_dir():
            return None
        record = self.record(key)
        if isinstance(record, str):
            self._stale[key] = record
            return None
        os.utime(folder / ARTIFACT_FILE)  # `harness cache prune --older-than` goes by last use
        path = folder / record.file
        return Artifact(key=key, path=path, format=record.format, converter=record.converter,
                        size_bytes=record.size_bytes, sha256=record.sha256, inputs=record.inputs, notes=record.notes,
                        conversion_seconds=record.conversion_seconds, from_cache=True, flops=record.flops,
                        flops_counter=record.flops_counter, inspection=record.inspection, checks=record.checks,
                        operator_list=folder / record.operator_list if record.operator_list else None)

    def get_or_convert(self, conversion: Conversion, timeout: float = 3600.0, use_cache: bool = True) -> Artifact:
        key = cache_key(conversion)
        cached = self.lookup(key) if use_cache else None
        if cached:
            return cached
        return self.convert(conversion, key, timeout, use_cache)

    def log_path(self, key: str) -> Path:
        return self.root / "logs" / f"{key}.log"

    def convert(self, conversion: Conversion, key: str, timeout: float = 3600.0, use_cache: bool = True,
                forks: ForkServers | None = None) -> Artifact:
        """Convert and check the file in fresh processes, and store it under ``key`` (its cache_key). Holds the
        key's lock; a process that waited for another's conversion of the same key takes its file instead.
        ``forks``: the processes are forked from servers that imported the converter or runtime once, instead
        of each starting Python afresh."""
        with self.lock(key):
            stored = self.lookup(key) if use_cache else None
            artifact = stored or self._convert(conversion, key, timeout, forks)
        stale = self._stale.get(key)  # kept: every conversion of this run that shares the key says so
        if stale:
            return replace(artifact, cache_warning=f"converted again: the cached entry was refused, {stale}")
        return artifact

    def _convert(self, conversion: Conversion, key: str, timeout: float, forks: ForkServers | None) -> Artifact:
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        self.log_path(key).parent.mkdir(parents=True, exist_ok=True)
        self.log_path(key).write_text("")  # the steps append to it
        work = Path(tempfile.mkdtemp(dir=self.root / "tmp"))
        try:
            (work / "artifact").mkdir()
            model_file = work / "artifact" / f"model.{conversion.format}"
            job = ConversionJob(converter=conversion.converter, format=conversion.format,
                                settings=dict(conversion.settings), model=conversion.model, output=model_file,
                                cwd=os.getcwd())
            steps = conversion_steps(conversion)
            converted = self._step(steps[0], "the converter", conversion, key, timeout, job, work / "convert.json",
                                   ConversionOutcome, forks)
            reference = work / "artifact" / REFERENCE_FILE
            check = CheckJob(path=model_file, operator_list_folder=work / "artifact",
                             reference=reference if reference.is_file() else None)
            checked = self._step(steps[1], "the check of the converted file", conversion, key, timeout, check,
                                 work / "verify.json", CheckOutcome, forks)
            return self._store(conversion, key, work, converted, checked)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _step(self, server: StepServer, what: str, conversion: Conversion, key: str, timeout: float, job,
              job_file: Path, outcome_type, forks: ForkServers | None):
        """One step in a fresh process, its output appended to the conversion's log."""
        env = {**os.environ, WEIGHTS_FOLDER_VARIABLE: str(self.root / "zoo")}  # each zoo model settled once
        module, args = server
        step = ChildStep(module, f"{conversion.label}: {what}", ConversionError, timeout, env, log=self.log_path(key))
        read = read_step_outcome(outcome_type, step, prefix=f"{conversion.label}: ")
        if forks is None:
            return run_child(step, job, job_file, read)
        start = partial(ForkServer, module, args, env, f"{what} ({', '.join(args)})", ConversionError)
        with forks.lease(server, start) as forked:
            return run_child(step, job, job_file, read, fork_from=forked)

    def _store(self, conversion: Conversion, key: str, work: Path, converted: ConversionOutcome,
               checked: CheckOutcome) -> Artifact:
        staged = work / "artifact"
        model_file = staged / f"model.{conversion.format}"
        record = ArtifactRecord(
            file=model_file.name, format=conversion.format, converter=conversion.converter,
            size_bytes=model_file.stat().st_size, sha256=file_sha256(model_file), inputs=converted.inputs,
            notes=converted.notes, conversion_seconds=converted.seconds, flops=converted.flops,
            flops_counter=converted.flops_counter, inspection=checked.inspection, checks=checked.checks,
            operator_list=checked.operator_list, label=conversion.label, created=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        (staged / ARTIFACT_FILE).write_text(record.model_dump_json(indent=1))
        final = self.folder(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staged, final)
        stored = self.lookup(key)
        if stored is None:
            raise ConversionError(f"{conversion.label}: the cache lost {final} as it was stored")
        return replace(stored, from_cache=False)


def convert_model(model: ModelSpec, runtime_name: str, delegate: str = "xnnpack", quantization: str = "fp32",
                  cache_dir: Path | None = None) -> Artifact:
    """One model converted for one runtime, through the cache, as `harness bench` would convert it."""
    from harness.convert.catalog import Refusal, conversion_for
    from harness.errors import ConfigError
    from harness.paths import default_cache_dir
    from harness.runtimes import runtime

    planned = conversion_for(model, runtime(runtime_name), delegate, quantization)
    if isinstance(planned, Refusal):
        raise ConfigError(planned.reason)
    return ArtifactCache(cache_dir or default_cache_dir()).get_or_convert(planned)
