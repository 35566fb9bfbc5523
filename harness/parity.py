"""Numerical parity: the same seeded inputs through the source model and the converted one.

The conversion worker runs the source model (torch or Keras) and saves inputs and outputs as the
reference; a separate process loads the converted file in the runtime the benchmark uses and runs
the same inputs. Where the converted model takes or returns int8 tensors, float inputs are
quantized and outputs dequantized with the tensor's own scale and zero point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.inputs import make_input
from harness.models.spec import TensorSpec

PARITY_SEED = 20_000  # apart from benchmark and calibration inputs
PARITY_SAMPLES = 8
REFERENCE_FILE = "reference.npz"

# The smallest worst-sample cosine similarity and top-1 agreement accepted before a cell is flagged.
DEFAULT_MIN_COSINE = {"fp32": 0.9999, "fp16": 0.999, "dynamic_int8": 0.99, "int8": 0.95, "int8_per_tensor": 0.9}
DEFAULT_MIN_TOP1 = {"fp32": 1.0, "fp16": 1.0, "dynamic_int8": 0.75, "int8": 0.5, "int8_per_tensor": 0.5}
MIN_REFERENCE_SPREAD = 1e-3


def parity_inputs(specs: tuple[TensorSpec, ...]) -> list[list[np.ndarray]]:
    width = len(specs)
    return [[make_input(t, PARITY_SEED + i * width + j) for j, t in enumerate(specs)] for i in range(PARITY_SAMPLES)]


def save_reference(path: Path, inputs: list[list[np.ndarray]], outputs: list[list[np.ndarray]]) -> None:
    arrays = {f"input_{i}_{j}": a for i, sample in enumerate(inputs) for j, a in enumerate(sample)}
    arrays |= {f"output_{i}_{j}": a for i, sample in enumerate(outputs) for j, a in enumerate(sample)}
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stubs type **kwds as one flag


def load_reference(path: Path) -> tuple[list[list[np.ndarray]], list[list[np.ndarray]]]:
    with np.load(path) as data:
        def collect(kind: str) -> list[list[np.ndarray]]:
            samples: dict[int, dict[int, np.ndarray]] = {}
            for name in data.files:
                prefix, i, j = name.split("_")
                if prefix == kind:
                    samples.setdefault(int(i), {})[int(j)] = data[name]
            return [[sample[j] for j in sorted(sample)] for _, sample in sorted(samples.items())]

        return collect("input"), collect("output")


def quantize(array: np.ndarray, scale: float, zero_point: int, dtype: np.dtype) -> np.ndarray:
    info = np.iinfo(dtype)
    return np.clip(np.round(array / scale) + zero_point, info.min, info.max).astype(dtype)


def dequantize(array: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return ((array.astype(np.float32) - zero_point) * scale).astype(np.float32)


def judge(parity: dict, quantization: str, min_cosine: dict[str, float], min_top1: dict[str, float]) -> str | None:
    """Why a cell's parity is flagged, or None when it is within its thresholds."""
    if parity.get("parity_cosine") is None:
        return None
    problems = []
    if parity["parity_reference_spread"] < MIN_REFERENCE_SPREAD:
        problems.append(f"the source model's outputs barely depend on the input (spread "
                        f"{parity['parity_reference_spread']:.1e}), so parity says little")
    if parity["parity_cosine"] < min_cosine[quantization]:
        problems.append(f"cosine similarity {parity['parity_cosine']:.4f} < {min_cosine[quantization]}")
    top1 = parity.get("parity_top1_agreement")
    if top1 is not None and top1 < min_top1[quantization]:
        problems.append(f"top-1 agreement {top1:.2f} < {min_top1[quantization]}")
    return "parity: " + ", ".join(problems) if problems else None  # not "; ": results.schema.WARNING_SEPARATOR
