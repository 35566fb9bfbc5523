"""Facts recorded with every run: what code, which libraries, which machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from harness import __version__
from harness.devices.host import cpu_model, memory_bytes

TRACKED_PACKAGES = ("torch", "executorch", "ai-edge-litert", "litert-torch", "litert-converter", "tensorflow-cpu",
                    "keras", "numpy", "pandas", "pyarrow", "pydantic")


def library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for package in TRACKED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def git_revision() -> str | None:
    """The checkout's commit, with '-dirty' when it has uncommitted changes; None outside a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10)
        return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.TimeoutExpired):
        return None


def host_facts() -> dict[str, str | int | None]:
    return {"hostname": platform.node(), "os": f"{platform.system()} {platform.release()}",
            "machine": platform.machine(), "cpu": cpu_model(), "cpu_count": os.cpu_count(),
            "memory_bytes": memory_bytes(), "python": sys.version.split()[0]}


def run_provenance() -> dict:
    return {"harness_version": __version__, "git_revision": git_revision(),
            "libraries": library_versions(), "host": host_facts()}
