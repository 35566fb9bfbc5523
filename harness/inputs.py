"""Seeded input tensors, written as the raw files the protocol passes to shells."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.models.spec import TensorSpec
from harness.protocol import InputFile


def make_input(spec: TensorSpec, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if spec.dtype == "float32":
        return rng.standard_normal(spec.shape, dtype=np.float32)
    info = np.iinfo(spec.dtype)
    low, high = (info.min, info.max) if info.bits == 8 else (0, 100)  # 8-bit: quantized inputs span the range
    return rng.integers(low, high, size=spec.shape, endpoint=True).astype(spec.dtype)


def write_inputs(specs: tuple[TensorSpec, ...], folder: Path, seed: int = 0) -> tuple[InputFile, ...]:
    files = []
    for index, spec in enumerate(specs):
        name = f"input{index}.bin"
        make_input(spec, seed + index).astype(np.dtype(spec.dtype).newbyteorder("<")).tofile(folder / name)
        files.append(InputFile(path=name, shape=spec.shape, dtype=spec.dtype))
    return tuple(files)
