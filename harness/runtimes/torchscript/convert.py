"""torch -> TorchScript lite interpreter .ptl; fp32, or dynamic int8 on Linear/LSTM/GRU layers."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from harness.convert.torch_model import example_inputs
from harness.models.spec import ModelSpec
from harness.runtimes.base import Converted

DYNAMIC_LAYERS = {nn.Linear, nn.LSTM, nn.GRU}


def _optimize_for_mobile(scripted) -> tuple[object, str]:
    """optimize_for_mobile needs a torch built with XNNPACK; say so when it is not, and go on without it."""
    from torch.utils.mobile_optimizer import optimize_for_mobile

    try:
        return optimize_for_mobile(scripted), "optimize_for_mobile applied"
    except RuntimeError as error:
        reason = "torch is built without XNNPACK" if "XNNPACK" in str(error) else str(error).splitlines()[0]
        return scripted, f"optimize_for_mobile unavailable ({reason}); converted without it"


def _dynamic_int8(model: nn.Module) -> tuple[nn.Module, str]:
    """Phones run quantized lite-interpreter models on QNNPACK, so pack for it when this torch has it."""
    if "qnnpack" in torch.backends.quantized.supported_engines:
        torch.backends.quantized.engine = "qnnpack"
    layers = sum(isinstance(m, tuple(DYNAMIC_LAYERS)) for m in model.modules())
    quantized = torch.ao.quantization.quantize_dynamic(model, DYNAMIC_LAYERS, dtype=torch.qint8)
    if not layers:
        return quantized, "dynamic_int8: the model has no Linear, LSTM or GRU layer, so nothing was quantized"
    return quantized, f"dynamic_int8: {layers} Linear/LSTM/GRU layer(s) quantized ({torch.backends.quantized.engine} engine)"


def convert(spec: ModelSpec, model: nn.Module, settings: dict[str, str], output: Path) -> Converted:
    inputs = example_inputs(spec)
    notes = []
    if settings["quantization"] == "dynamic_int8":
        model, note = _dynamic_int8(model)
        notes.append(note)
    with torch.no_grad():
        traced = torch.jit.trace(model, inputs)
    module, note = _optimize_for_mobile(traced)
    assert isinstance(module, torch.jit.ScriptModule)
    module._save_for_lite_interpreter(str(output))
    return Converted(tuple(notes + [note]))
