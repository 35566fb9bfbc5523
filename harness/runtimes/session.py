"""What every runtime's host session shares (the interface itself is `harness.runtimes.base.Session`)."""

from __future__ import annotations

import numpy as np


class DelegateUnavailable(Exception):
    """The requested delegate cannot be applied here; shells never fall back silently."""


def check_inputs(expected: list[tuple[tuple[int, ...], np.dtype]], arrays: list[np.ndarray]) -> None:
    if len(expected) != len(arrays):
        raise ValueError(f"the model takes {len(expected)} inputs; the request gives {len(arrays)}")
    for index, ((shape, dtype), array) in enumerate(zip(expected, arrays)):
        if tuple(shape) != array.shape or np.dtype(dtype) != array.dtype:
            raise ValueError(f"input {index}: the model expects {np.dtype(dtype).name}{list(shape)}, "
                             f"the request gives {array.dtype.name}{list(array.shape)}")
