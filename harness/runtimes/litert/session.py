"""LiteRT (TensorFlow Lite) inside the host shell."""

from __future__ import annotations

from pathlib import Path

import ai_edge_litert
import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from harness.runtimes.session import DelegateUnavailable, check_inputs

# XNNPACK is the interpreter's default delegate; "none" asks for the builtin kernels alone.
_RESOLVERS = {"xnnpack": OpResolverType.AUTO, "none": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}


class LiteRTSession:
    version = ai_edge_litert.__version__

    def __init__(self, interpreter: Interpreter):
        self._interpreter = interpreter

    def set_inputs(self, arrays: list[np.ndarray]) -> None:
        details = self._interpreter.get_input_details()
        check_inputs([(tuple(d["shape"]), d["dtype"]) for d in details], arrays)
        for detail, array in zip(details, arrays):
            self._interpreter.set_tensor(detail["index"], array)

    def run(self) -> None:
        self._interpreter.invoke()

    def outputs(self) -> list[np.ndarray]:
        return [self._interpreter.get_tensor(d["index"]) for d in self._interpreter.get_output_details()]

    def quantization(self) -> tuple[list[tuple], list[tuple]]:
        """(scale, zero point, dtype) of each input and output; scale 0 means not quantized."""
        return ([(*d["quantization"], d["dtype"]) for d in self._interpreter.get_input_details()],
                [(*d["quantization"], d["dtype"]) for d in self._interpreter.get_output_details()])

    def delegate_applied(self) -> str:
        nodes = self._interpreter._get_ops_details()
        return "xnnpack" if any(node["op_name"] == "DELEGATE" for node in nodes) else "none"


def load(path: Path, delegate: str, threads: int) -> LiteRTSession:
    if delegate not in _RESOLVERS:
        raise DelegateUnavailable(f"the host shell's LiteRT has no {delegate} delegate (it has: xnnpack, none)")
    interpreter = Interpreter(model_path=str(path), num_threads=threads,
                              experimental_op_resolver_type=_RESOLVERS[delegate])
    interpreter.allocate_tensors()
    return LiteRTSession(interpreter)
