"""`harness runtimes build`: a run's operator lists, ABIs and full or selective, to cached build folders.

What runs here: the ExecuTorch selective kernel registration (the package's own codegen), and the host's
full builds as installed (the native runner and its libraries, or a runtime's Python package libraries).
Source builds (ExecuTorch CMake with the NDK, LiteRT's build_aar.sh, PyTorch's SELECTED_OP_LIST) have
their commands written, from the same lists, for a machine with the user's checkouts (toolchains.py).
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

from harness.builds import commands
from harness.builds.manifest import MANIFEST_FILE, BuildManifest, built_file
from harness.builds.toolchains import Toolchains
from harness.child import ChildStep, run_child
from harness.devices.native import runner_binary
from harness.errors import ConfigError, ResultsError
from harness.runtime_size import RuntimeBinary, python_package_binary
from harness.runtimes import runtime

LIST_FILES = {"executorch": "executorch_selected_operators.yaml", "litert": "tflite_operators.yaml",
              "torchscript": "torchscript_operators.yaml"}
BUILD_VERSION = 1  # part of the cache key: bump when what a build folder holds changes


def operators_in(runtime_name: str, text: str) -> list[str]:
    listed = yaml.safe_load(text) or {}
    if runtime_name == "executorch":
        return sorted(listed.get("operators") or {})
    if runtime_name == "litert":
        return sorted([*(listed.get("builtin_operators") or {}), *(listed.get("custom_operators") or [])])
    return sorted(listed)


def _version(runtime_name: str) -> str:
    try:
        return "+".join(f"{dist}=={version(dist)}" for dist in runtime(runtime_name).packages)
    except PackageNotFoundError:
        return "not installed"


def build_key(runtime_name: str, kind: str, abi: str, list_text: str, toolchain: dict[str, str]) -> str:
    record = {"build_version": BUILD_VERSION, "runtime": runtime_name, "version": _version(runtime_name), "kind": kind,
              "abi": abi, "operator_list": list_text, "toolchain": toolchain}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]


def _host_full(runtime_name: str) -> RuntimeBinary | None:
    """The runtime's native runner where it has one, else its Python package's libraries."""
    if runtime(runtime_name).native_runner:
        return runner_binary(runtime_name)
    return python_package_binary(runtime(runtime_name), platform.machine())


def _registration(list_file: Path | None, folder: Path) -> tuple[Path, int]:
    """ExecuTorch's kernel registration for the selection (None: every portable kernel), and its kernel count."""
    target = folder / "RegisterCodegenUnboxedKernels.cpp"
    step = ChildStep("harness.builds.registration", "the ExecuTorch codegen", ConfigError, 600)
    job = {"selection": str(list_file) if list_file else "-", "output": str(target)}
    outcome = run_child(step, job, folder / "registration-job.json", lambda path: json.loads(path.read_text()))
    (folder / "registration-job.json").unlink()
    (folder / "registration-job-outcome.json").unlink()
    return target, int(outcome["kernels"])


def _source_commands(runtime_name: str, abi: str, operators: list[str], list_file: Path, models: list[Path],
                     toolchains: Toolchains, folder: Path) -> tuple[list[str], dict[str, str]]:
    if runtime_name == "executorch":
        source, ndk = toolchains.require("executorch_source"), toolchains.require("android_ndk")
        return commands.executorch(source, ndk, abi, operators, folder), {"executorch_source": str(source),
                                                                         "android_ndk": str(ndk)}
    if runtime_name == "litert":
        source = toolchains.require("tensorflow_source")
        return commands.litert(source, abi, models, folder), {"tensorflow_source": str(source)}
    source, ndk = toolchains.require("pytorch_source"), toolchains.require("android_ndk")
    return commands.torchscript(source, ndk, abi, list_file, folder), {"pytorch_source": str(source),
                                                                      "android_ndk": str(ndk)}


def _models(run_folder: Path, suffix: str) -> list[Path]:
    """The run's converted files of one format, found beside the operator lists the rows point at."""
    from harness import results

    frame = results.load(run_folder)
    folders = {Path(f).parent for f in frame.operator_list_file.dropna()}
    return sorted(path for folder in folders for path in folder.glob(f"*{suffix}"))


def _contents(runtime_name: str, kind: str, abi: str, list_file: Path, operators: list[str], run_folder: Path,
              toolchains: Toolchains, folder: Path) -> dict:
    """What goes into the manifest beside its identity: status, files, commands, toolchain and notes."""
    if abi == platform.machine() and kind == "full":
        binary = _host_full(runtime_name)
        if binary is None:
            raise ConfigError(f"no full {runtime_name} build on this host to record: `make native-runners`")
        return {"status": "built", "files": [built_file(Path(p.split("!")[0])) for p in binary.files],
                "toolchain": {"host": f"{platform.machine()} {binary.build_kind} {binary.build_id}"}}
    notes, files = [], []
    if runtime_name == "executorch":
        registration, count = _registration(list_file if kind == "selective" else None, folder)
        files.append(built_file(registration))
        notes.append(f"registers {count} portable kernels (generated here with executorch.codegen.gen)")
    if abi == platform.machine() and runtime_name == "executorch" and not operators:
        binary = runner_binary(runtime_name, delegates_only=True)
        if binary is not None:  # XNNPACK takes everything: the native runner with no kernel library is the build
            notes.append("every operator is delegated: the native runner linking no kernel library")
            return {"status": "built", "files": [*files, *(built_file(Path(p)) for p in binary.files)],
                    "toolchain": {"host": f"{abi} {binary.build_id}"}, "notes": notes}
    if abi == platform.machine():
        notes.append("a size-optimised host binary needs the runtime's source tree; none is built here")
        return {"status": "generated" if files else "not-built", "files": files, "toolchain": {}, "notes": notes}
    suffix = {"litert": ".tflite"}.get(runtime_name, "")
    lines, toolchain = _source_commands(runtime_name, abi, operators, list_file,
                                        _models(run_folder, suffix) if suffix else [], toolchains, folder)
    (folder / "build.sh").write_text("#!/bin/sh\nset -e\n" + "\n".join(lines) + "\n")
    notes.append("not run here: run build.sh on a machine with these checkouts, then `harness size` the outputs")
    return {"status": "commands", "files": files, "commands": lines, "toolchain": toolchain, "notes": notes}


def build_runtime(run_folder: Path, runtime_name: str, abi: str, kind: str, output_root: Path,
                  toolchains: Toolchains) -> BuildManifest:
    """One runtime's build folder for one ABI: reused when its key matches, else made and its manifest written."""
    list_file = run_folder / "operator_lists" / LIST_FILES[runtime_name]
    if not list_file.is_file():
        raise ResultsError(f"{run_folder} has no operator list for {runtime_name} ({list_file.name})")
    text = list_file.read_text()
    known = {name: str(getattr(toolchains, name)) for name in type(toolchains).model_fields if getattr(toolchains, name)}
    key = build_key(runtime_name, kind, abi, text, known if abi != platform.machine() else {})
    folder = output_root / runtime_name / abi / f"{kind}-{key}"
    if (folder / MANIFEST_FILE).is_file():
        return BuildManifest.model_validate_json((folder / MANIFEST_FILE).read_text())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "operators.yaml").write_text(text)
    operators = operators_in(runtime_name, text)
    contents = _contents(runtime_name, kind, abi, list_file, operators, run_folder, toolchains, folder)
    manifest = BuildManifest(key=key, runtime=runtime_name, version=_version(runtime_name), kind=kind, abi=abi,
                             operators=operators, **contents)
    (folder / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=1))
    return manifest
