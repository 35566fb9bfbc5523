"""Sample inputs for calibrated quantization: seeded synthetic ones, or the user's data, checked against the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.errors import ModelError
from harness.inputs import make_input
from harness.models.spec import ModelSpec, TensorSpec

SYNTHETIC_SEED = 10_000  # apart from the seeds of benchmark inputs


def calibration_inputs(spec: ModelSpec, settings: dict[str, str]) -> list[tuple[np.ndarray, ...]]:
    count, data = int(settings["calibration_samples"]), settings["calibration_data"]
    if data == "synthetic":
        width = len(spec.inputs)
        return [tuple(make_input(t, SYNTHETIC_SEED + i * width + j) for j, t in enumerate(spec.inputs))
                for i in range(count)]
    path = Path(data)
    samples = _from_npz(path, spec.inputs) if path.is_file() else _from_folder(path, spec.inputs)
    return samples[:count]


def _describe(tensor: TensorSpec) -> str:
    return f"{tensor.dtype}{list(tensor.shape)}"


def _check(path: Path, index: int, array: np.ndarray, expected: TensorSpec, batched: bool) -> None:
    shape = array.shape[1:] if batched else array.shape
    want = expected.shape[1:] if batched else expected.shape
    if tuple(shape) != tuple(want) or array.dtype != np.dtype(expected.dtype):
        layout = "samples along the first axis, then " if batched else ""
        raise ModelError(f"calibration data {path}: input {index} is {array.dtype}{list(array.shape)}; the model takes "
                         f"{_describe(expected)} per sample ({layout}{expected.dtype}{list(want)})")


def _from_npz(path: Path, inputs: tuple[TensorSpec, ...]) -> list[tuple[np.ndarray, ...]]:
    try:
        archive = np.load(path)
        arrays = [archive[name] for name in archive.files]
    except (OSError, ValueError) as error:
        raise ModelError(f"calibration data {path}: cannot read it as .npz: {error}") from None
    if len(arrays) != len(inputs):
        raise ModelError(f"calibration data {path}: {len(arrays)} arrays for a model with {len(inputs)} inputs")
    for index, (array, expected) in enumerate(zip(arrays, inputs)):
        _check(path, index, array, expected, batched=True)
    counts = {len(array) for array in arrays}
    if len(counts) != 1 or 0 in counts:
        raise ModelError(f"calibration data {path}: the arrays hold different or zero numbers of samples: {sorted(counts)}")
    return [tuple(array[i:i + 1] for array in arrays) for i in range(counts.pop())]


def _from_folder(path: Path, inputs: tuple[TensorSpec, ...]) -> list[tuple[np.ndarray, ...]]:
    files = sorted(path.glob("*.npy"))
    if not files:
        raise ModelError(f"calibration data {path}: no .npy files")
    if len(inputs) != 1:
        raise ModelError(f"calibration data {path}: a folder of .npy files serves single-input models; use an .npz")
    samples: list[tuple[np.ndarray, ...]] = []
    for file in files:
        array = np.load(file)
        _check(file, 0, array, inputs[0], batched=False)
        samples.append((array,))
    return samples
