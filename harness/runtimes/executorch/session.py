"""ExecuTorch inside the host shell. The delegate is baked into the .pte; the shell checks it is there."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import numpy as np

from harness.runtimes.executorch.bindings import portable_lib as _bindings
from harness.runtimes.executorch.program import BACKEND_IDS, SCALAR_TYPES, backend_names
from harness.runtimes.session import DelegateUnavailable, check_inputs

portable_lib = _bindings()  # before anything else of executorch: it keeps the exporter from loading
import torch  # noqa: E402  (imported by the bindings already)
from executorch.runtime import Runtime, Verification  # noqa: E402


class ExecuTorchSession:
    version = version("executorch")

    def __init__(self, path: Path, method):
        self._path, self._method = path, method
        # The bindings' own method under executorch.runtime's wrapper: it can take inputs once and then
        # execute alone, where Method.execute(inputs) copies the inputs in and wraps the outputs on every call.
        self._bound = method._method
        self._inputs: list[torch.Tensor] = []

    def set_inputs(self, arrays: list[np.ndarray]) -> None:
        meta = self._method.metadata
        expected = []
        for i in range(meta.num_inputs()):
            info = meta.input_tensor_meta(i)
            expected.append((tuple(info.sizes()), np.dtype(SCALAR_TYPES.get(int(info.dtype()), "object"))))
        check_inputs(expected, arrays)
        self._inputs = [torch.from_numpy(array) for array in arrays]  # kept alive while the method may read them
        self._bound.set_inputs(self._inputs)

    def run(self) -> None:
        self._bound.execute()  # the inference alone, as LiteRT's invoke(): inputs were set once, outputs stay put

    def outputs(self) -> list[np.ndarray]:
        return [output.numpy() for output in self._bound.get_outputs() if isinstance(output, torch.Tensor)]

    def delegate_applied(self) -> str:
        return "+".join(backend_names(self._path.read_bytes())) or "none"


def load(path: Path, delegate: str, threads: int) -> ExecuTorchSession:
    if delegate != "none":
        backend = BACKEND_IDS.get(delegate)
        if backend not in portable_lib._get_registered_backend_names():
            raise DelegateUnavailable(f"this ExecuTorch build has no {delegate} backend")
    portable_lib._unsafe_reset_threadpool(threads)
    program = Runtime.get().load_program(path, verification=Verification.Minimal)
    return ExecuTorchSession(path, program.load_method("forward"))
