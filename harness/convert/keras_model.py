"""Build a Keras model and run it inside a conversion worker."""

from __future__ import annotations

import numpy as np

from harness.convert.factory import import_factory
from harness.errors import ModelError
from harness.models.spec import ModelSpec


def build_keras_model(spec: ModelSpec):
    import tensorflow as tf

    model = import_factory(spec.factory)()
    if not isinstance(model, tf.keras.Model):
        raise ModelError(f"factory {spec.factory!r} returned {type(model).__name__}, not a Keras model")
    return model


def keras_outputs(model, arrays: list[np.ndarray]) -> list[np.ndarray]:
    outputs = model(arrays if len(arrays) > 1 else arrays[0], training=False)
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    return [np.asarray(output) for output in outputs]
