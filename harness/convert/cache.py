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
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata, resources, util
from pathlib import Path

from harness.convert.catalog import CONVERTERS, Conversion
from harness.convert.worker import spec_to_json
from harness.errors import ConversionError
from harness.formats import Inspection
from harness.models.spec import ModelSpec, TensorSpec
from harness.parity import REFERENCE_FILE

ARTIFACT_FILE = "artifact.json"
# The code whose changes change a cached file or what is recorded about it (metadata, checks, parity).
CONVERSION_CODE_FOLDERS = ("convert", "models", "formats", "runtimes")
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
    checks: dict = field(default_factory=dict)  # per host delegate: delegation, and parity against the source
    operator_list: Path | None = None  # what the runtime's selective build takes

    def check(self, delegate: str) -> dict:
        """The delegation and parity checks for a cell's delegate: empty where the host cannot apply it."""
        if self.format == "pte" and len(self.checks) == 1:
            return next(iter(self.checks.values()))  # the delegate is baked into the file
        return self.checks.get(delegate, {})


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
    for folder in CONVERSION_CODE_FOLDERS:
        for source in sorted(package.joinpath(folder).iterdir(), key=lambda p: p.name):
            if source.name.endswith(".py"):
                digest.update(source.name.encode() + source.read_bytes())
    for name in CONVERSION_CODE_FILES:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


def _module_source_hash(module_name: str) -> str | None:
    sys.path.insert(0, os.getcwd())
    try:
        origin = util.find_spec(module_name).origin
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
        "factory_source": _module_source_hash(spec.factory.split(":")[0]),
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
    info = CONVERTERS[conversion.converter]
    payload = {
        "converter": conversion.converter,
        "format": conversion.format,
        "settings": dict(conversion.settings),
        "code": _conversion_code_hash(),
        "libraries": {package: _library_version(package) for package in info.packages},
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "model": model_fingerprint(conversion.model),
        "calibration": _calibration_fingerprint(dict(conversion.settings)),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class ArtifactCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, key: str) -> Path:
        return self.root / "artifacts" / key[:2] / key

    def lookup(self, key: str) -> Artifact | None:
        record = self.folder(key) / ARTIFACT_FILE
        if not record.is_file():
            return None
        data = json.loads(record.read_text())
        path = self.folder(key) / data["file"]
        if not path.is_file() or path.stat().st_size != data["size_bytes"]:
            return None
        return Artifact(key=key, path=path, format=data["format"], converter=data["converter"],
                        size_bytes=data["size_bytes"], sha256=data["sha256"],
                        inputs=tuple(TensorSpec(tuple(t["shape"]), t["dtype"]) for t in data["inputs"]),
                        notes=tuple(data["notes"]), conversion_seconds=data["conversion_seconds"], from_cache=True,
                        flops=data.get("flops"), flops_counter=data.get("flops_counter"),
                        inspection=Inspection.from_json(data["inspection"]) if data.get("inspection") else None,
                        checks=data.get("checks", {}),
                        operator_list=self.folder(key) / data["operator_list"] if data.get("operator_list") else None)

    def get_or_convert(self, conversion: Conversion, timeout: float = 3600.0, use_cache: bool = True) -> Artifact:
        key = cache_key(conversion)
        cached = self.lookup(key) if use_cache else None
        if cached:
            return cached
        return self._convert(conversion, key, timeout)

    def log_path(self, key: str) -> Path:
        return self.root / "logs" / f"{key}.log"

    def _convert(self, conversion: Conversion, key: str, timeout: float) -> Artifact:
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        self.log_path(key).parent.mkdir(parents=True, exist_ok=True)
        self.log_path(key).write_text("")  # the steps append to it
        work = Path(tempfile.mkdtemp(dir=self.root / "tmp"))
        try:
            outcome = self._run_worker(conversion, key, work, timeout)
            outcome |= self._verify(conversion, key, work, timeout)
            return self._store(conversion, key, work, outcome)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _run_worker(self, conversion: Conversion, key: str, work: Path, timeout: float) -> dict:
        (work / "artifact").mkdir()
        job = {"converter": conversion.converter, "format": conversion.format, "settings": dict(conversion.settings),
               "model": spec_to_json(conversion.model), "output": str(work / "artifact" / f"model.{conversion.format}"),
               "cwd": os.getcwd()}
        return self._run_step("harness.convert.worker", "the converter", job, conversion, key, work, timeout)

    def _verify(self, conversion: Conversion, key: str, work: Path, timeout: float) -> dict:
        folder = work / "artifact"
        reference = folder / REFERENCE_FILE
        job = {"path": str(folder / f"model.{conversion.format}"), "operator_list_folder": str(folder),
               "reference": str(reference) if reference.is_file() else None}
        outcome = self._run_step("harness.convert.verify", "the check of the converted file", job, conversion, key,
                                 work, timeout)
        return {name: outcome[name] for name in ("inspection", "checks", "operator_list")}

    def _run_step(self, module: str, what: str, job: dict, conversion: Conversion, key: str, work: Path,
                  timeout: float) -> dict:
        """Run one step in a fresh process, its output appended to the conversion's log."""
        step = module.rsplit(".", 1)[-1]
        (work / f"{step}.json").write_text(json.dumps(job))
        log = self.log_path(key)
        command = [sys.executable, "-m", module, str(work / f"{step}.json"), str(work / f"{step}-outcome.json")]
        try:
            with open(log, "a") as log_file:
                subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"{conversion.label}: {what} timed out after {timeout:.0f}s (log: {log})") from None
        if not (work / f"{step}-outcome.json").is_file():
            raise ConversionError(f"{conversion.label}: {what} process died (log: {log})")
        outcome = json.loads((work / f"{step}-outcome.json").read_text())
        if outcome["status"] != "ok":
            raise ConversionError(f"{conversion.label}: {outcome['error']} (log: {log})")
        return outcome

    def _store(self, conversion: Conversion, key: str, work: Path, outcome: dict) -> Artifact:
        staged = work / "artifact"
        model_file = staged / f"model.{conversion.format}"
        record = {"file": model_file.name, "format": conversion.format, "converter": conversion.converter,
                  "size_bytes": model_file.stat().st_size, "sha256": file_sha256(model_file),
                  "inputs": outcome["inputs"], "notes": outcome["notes"], "conversion_seconds": outcome["seconds"],
                  "flops": outcome.get("flops"), "flops_counter": outcome.get("flops_counter"),
                  "inspection": outcome["inspection"], "checks": outcome["checks"],
                  "operator_list": outcome["operator_list"],
                  "label": conversion.label, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        (staged / ARTIFACT_FILE).write_text(json.dumps(record, indent=1))
        final = self.folder(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staged, final)
        return replace(self.lookup(key), from_cache=False)
