"""Google's prebuilt TFLite benchmark_model, downloaded once on request (`harness fetch-tool`)."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

from harness.errors import ConfigError, DeviceError
from harness.paths import default_cache_dir

NIGHTLY = "https://storage.googleapis.com/tensorflow-nightly-public/prod/tensorflow/release/lite/tools/nightly/latest/"
BINARIES = {"arm64-v8a": "android_aarch64_benchmark_model", "armeabi-v7a": "android_arm_benchmark_model",
            "x86_64": "android_x86_64_benchmark_model", "x86": "android_x86_benchmark_model"}
_ELF = b"\x7fELF"


def fetched_path(abi: str, cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()) / "tools" / abi / "benchmark_model"


def fetch_benchmark_model(abi: str, cache_dir: Path, url: str | None = None, timeout: float = 120.0) -> Path:
    if abi not in BINARIES:
        raise ConfigError(f"no prebuilt benchmark_model for ABI {abi!r} (known: {', '.join(BINARIES)})")
    source = url or NIGHTLY + BINARIES[abi]
    target = fetched_path(abi, cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(source, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as error:
        raise DeviceError(f"cannot download {source}: {getattr(error, 'reason', error)}; build benchmark_model "
                          "yourself and set tools.benchmark_model in configs/devices.yaml") from None
    if not data.startswith(_ELF):
        raise DeviceError(f"{source} is not an executable (got {len(data)} bytes starting {data[:16]!r})")
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(0o755)
    os.replace(partial, target)
    return target
