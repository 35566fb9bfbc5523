"""Floating-point operations per inference, counted from the source model's graph.

torch: torch.utils.flop_counter (matrix products and convolutions, 2 FLOPs per multiply-add).
Keras: TensorFlow's profiler over the frozen graph (every float op, elementwise ones included).
"""

from __future__ import annotations

from harness.models.spec import ModelSpec


def count_flops(spec: ModelSpec, model) -> tuple[int | None, str | None]:
    """(FLOPs, how they were counted); (None, None) for a file, whose source graph is not at hand."""
    if spec.framework == "torch":
        return _torch_flops(spec, model), "torch.utils.flop_counter"
    if spec.framework == "keras":
        return _keras_flops(spec, model), "tf.profiler float_operation"
    return None, None


def _torch_flops(spec: ModelSpec, model) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from harness.convert.torch_model import example_inputs

    inputs = example_inputs(spec)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(*inputs)
    return int(counter.get_total_flops())


def _keras_flops(spec: ModelSpec, model) -> int:
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    signature = [tf.TensorSpec(t.shape, tf.as_dtype(t.dtype)) for t in spec.inputs]
    frozen = convert_variables_to_constants_v2(tf.function(lambda *x: model(*x)).get_concrete_function(*signature))
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return int(tf.compat.v1.profiler.profile(graph=frozen.graph, options=options).total_float_ops)
