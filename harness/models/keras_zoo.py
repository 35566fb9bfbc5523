"""Keras applications for the TensorFlow-native path, built with weights=None (nothing is downloaded).

They output logits, like the torch zoo, and are settled the same way (see harness.models.torch_zoo):
batch-norm statistics measured on seeded inputs, and the head rescaled to zero-mean, unit-spread logits.
"""

from __future__ import annotations

from harness.models.settled import build_settled, settled_weights

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

        def build():
            return getattr(keras.applications, name)(weights=None, input_shape=(224, 224, 3), classifier_activation=None)

        def settle(model) -> None:
            _settle(model, np.random.default_rng(SEED).standard_normal((SETTLING_BATCH, 224, 224, 3), dtype=np.float32))

        keras.utils.set_random_seed(SEED)
        kept = settled_weights(f"keras_{name}", __file__, keras.__version__, ".weights.h5")
        return build_settled(kept, build, lambda model, path: model.load_weights(path), settle,
                             lambda model, path: model.save_weights(path))

    factory.__name__ = name
    return factory


mobilenet_v2 = _application("MobileNetV2")
resnet50 = _application("ResNet50")
