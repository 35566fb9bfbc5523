"""Keras applications for the TensorFlow-native path, built with weights=None (nothing is downloaded).

They output logits, like the torch zoo, and are settled the same way (see harness.models.torch_zoo):
batch-norm statistics measured on seeded inputs, and the head rescaled to zero-mean, unit-spread logits.
"""

from __future__ import annotations

SEED = 20261124
SETTLING_BATCH = 32


def _settle(model, inputs) -> None:
    import keras
    import numpy as np

    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.0  # the moving statistics become this batch's
    model(inputs, training=True)
    head = model.layers[-1]
    features = keras.Model(model.input, head.input)(inputs, training=False)
    logits = np.asarray(head(features))
    scale = np.maximum(logits.std(axis=0), 1e-6)
    kernel, bias = (np.asarray(weight) for weight in head.get_weights())
    head.set_weights([kernel / scale, (bias - logits.mean(axis=0)) / scale])


def _application(name: str):
    def factory():
        import keras
        import numpy as np

        keras.utils.set_random_seed(SEED)
        model = getattr(keras.applications, name)(weights=None, input_shape=(224, 224, 3), classifier_activation=None)
        inputs = np.random.default_rng(SEED).standard_normal((SETTLING_BATCH, 224, 224, 3), dtype=np.float32)
        _settle(model, inputs)
        return model

    factory.__name__ = name
    return factory


mobilenet_v2 = _application("MobileNetV2")
resnet50 = _application("ResNet50")
