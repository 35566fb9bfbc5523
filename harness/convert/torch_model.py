"""Build a torch model and its example inputs inside a conversion worker."""

from __future__ import annotations

import numpy as np
import torch

from harness.convert.factory import import_factory
from harness.errors import ModelError
from harness.inputs import make_input
from harness.models.spec import ModelSpec


def build_torch_model(spec: ModelSpec) -> torch.nn.Module:
    model = import_factory(spec.factory)()
    if not isinstance(model, torch.nn.Module):
        raise ModelError(f"factory {spec.factory!r} returned {type(model).__name__}, not a torch.nn.Module")
    if spec.weights:
        try:
            state = torch.load(spec.weights, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except Exception as error:
            raise ModelError(f"cannot load weights {spec.weights}: {error}") from error
    return model.eval()


def example_inputs(spec: ModelSpec) -> tuple[torch.Tensor, ...]:
    return tuple(torch.from_numpy(make_input(tensor, index)) for index, tensor in enumerate(spec.inputs))


def torch_outputs(model: torch.nn.Module, arrays: list[np.ndarray]) -> list[np.ndarray]:
    with torch.no_grad():
        outputs = model(*(torch.from_numpy(array) for array in arrays))
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    return [output.numpy() for output in outputs if isinstance(output, torch.Tensor)]
