"""The TorchScript lite interpreter (PyTorch Mobile) inside the host shell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.jit.mobile import _load_for_lite_interpreter

from harness.runtimes.session import DelegateUnavailable


class LiteInterpreterSession:
    version = torch.__version__

    def __init__(self, module):
        self._module, self._outputs = module, None
        self._inputs: tuple[torch.Tensor, ...] = ()
        self._no_grad = torch.no_grad()
        self._no_grad.__enter__()

    def set_inputs(self, arrays: list[np.ndarray]) -> None:
        # A .ptl records no input signature: a wrong shape shows up as an error on the first run.
        self._inputs = tuple(torch.from_numpy(array) for array in arrays)

    def run(self) -> None:
        self._outputs = self._module(*self._inputs)

    def outputs(self) -> list[np.ndarray]:
        outputs = self._outputs if isinstance(self._outputs, (tuple, list)) else (self._outputs,)
        return [output.numpy() for output in outputs if isinstance(output, torch.Tensor)]

    def delegate_applied(self) -> str:
        return "none"


def load(path: Path, delegate: str, threads: int) -> LiteInterpreterSession:
    if delegate != "none":
        raise DelegateUnavailable(f"the lite interpreter runs on its CPU kernels only; {delegate} is not available")
    torch.set_num_threads(threads)
    return LiteInterpreterSession(_load_for_lite_interpreter(str(path)))
