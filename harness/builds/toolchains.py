"""The user's own checkouts and toolchains for source builds: configs/toolchains.yaml, or environment variables.

Nothing is downloaded: a build that needs a missing one stops with one line saying what and how to get it."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from harness.errors import ConfigError

DEFAULT_FILE = Path("configs/toolchains.yaml")
ENVIRONMENT = {"executorch_source": "EXECUTORCH_SOURCE", "tensorflow_source": "TENSORFLOW_SOURCE",
               "pytorch_source": "PYTORCH_SOURCE", "android_ndk": "ANDROID_NDK_HOME"}
HOW_TO_GET = {
    "executorch_source": "git clone --branch v1.5.1 https://github.com/pytorch/executorch and its submodules",
    "tensorflow_source": "git clone https://github.com/tensorflow/tensorflow (its build_aar.sh needs Bazel)",
    "pytorch_source": "git clone --recursive --branch v2.13.0 https://github.com/pytorch/pytorch",
    "android_ndk": "install the Android NDK (sdkmanager 'ndk;27.2.12479018') and point at its folder",
}


class Toolchains(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    executorch_source: Path | None = None
    tensorflow_source: Path | None = None
    pytorch_source: Path | None = None
    android_ndk: Path | None = None

    def require(self, name: str) -> Path:
        path = getattr(self, name)
        if path is None or not Path(path).is_dir():
            where = f"{path} is not a folder" if path else "it is not set"
            raise ConfigError(f"this build needs {name} ({where}): set {name} in {DEFAULT_FILE} or "
                              f"${ENVIRONMENT[name]}; to get it: {HOW_TO_GET[name]}")
        return Path(path)


def load_toolchains(path: Path | None = None) -> Toolchains:
    """The file's entries, each overridden by its environment variable when that is set."""
    entries: dict = {}
    file = path or DEFAULT_FILE
    if file.is_file():
        try:
            entries = yaml.safe_load(file.read_text()) or {}
            Toolchains.model_validate(entries)
        except (yaml.YAMLError, ValidationError) as error:
            raise ConfigError(f"not a toolchains file: {str(error).splitlines()[0]}", file=str(file)) from None
    entries.update({name: os.environ[variable] for name, variable in ENVIRONMENT.items() if os.environ.get(variable)})
    return Toolchains.model_validate(entries)
