"""The interface every in-shell runtime adapter implements."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class DelegateUnavailable(Exception):
    """The requested delegate cannot be applied here; shells never fall back silently."""


class Session(Protocol):
    version: str | None

    def set_inputs(self, arrays: list[np.ndarray]) -> None: ...

    def run(self) -> None:
        """One inference on the inputs already set; the only call the shell times."""

    def delegate_applied(self) -> str:
        """What the runtime actually applied. Called after measuring, so it may be slow."""

    def outputs(self) -> list[np.ndarray]:
        """The outputs of the last run, as the model produced them (quantized ones stay quantized)."""


def check_inputs(expected: list[tuple[tuple[int, ...], np.dtype]], arrays: list[np.ndarray]) -> None:
    if len(expected) != len(arrays):
        raise ValueError(f"the model takes {len(expected)} inputs; the request gives {len(arrays)}")
    for index, ((shape, dtype), array) in enumerate(zip(expected, arrays)):
        if tuple(shape) != array.shape or np.dtype(dtype) != array.dtype:
            raise ValueError(f"input {index}: the model expects {np.dtype(dtype).name}{list(shape)}, "
                             f"the request gives {array.dtype.name}{list(array.shape)}")
