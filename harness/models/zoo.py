"""The built-in model zoo. Plain data: listing the zoo imports no framework."""

from __future__ import annotations

from harness.models.spec import ModelSpec, TensorSpec
from harness.registry import check_known

_TORCH = "harness.models.torch_zoo"
_KERAS = "harness.models.keras_zoo"
_IMAGE = (TensorSpec((1, 3, 224, 224)),)
_IMAGE_NHWC = (TensorSpec((1, 224, 224, 3)),)
_SETTLED = "float32, standard normal per element: the zoo's random weights were settled on such inputs"


def _classifier(classes: int) -> str:
    return f"logits over {classes} classes (random weights: the classes have no labels)"


ZOO: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("mobilenet_v2", "torch", "zoo", _IMAGE, f"{_TORCH}:mobilenet_v2",
                  description="MobileNetV2 (width 1.0), 224x224 RGB, 1000 classes",
                  normalization=f"NCHW, {_SETTLED}", output_meaning=_classifier(1000)),
        ModelSpec("resnet18", "torch", "zoo", _IMAGE, f"{_TORCH}:resnet18",
                  description="ResNet-18, 224x224 RGB, 1000 classes",
                  normalization=f"NCHW, {_SETTLED}", output_meaning=_classifier(1000)),
        ModelSpec("transformer_encoder", "torch", "zoo", (TensorSpec((1, 64, 128)),),
                  f"{_TORCH}:transformer_encoder",
                  description="4-layer pre-norm Transformer encoder, 64 frames x 128 features, 10 classes",
                  normalization=f"(batch, frames, features), {_SETTLED}", output_meaning=_classifier(10)),
        ModelSpec("gru", "torch", "zoo", (TensorSpec((1, 50, 40)),), f"{_TORCH}:gru",
                  description="2-layer GRU (hidden 128) over 50 frames x 40 features, 12 classes",
                  normalization=f"(batch, frames, features), {_SETTLED}", output_meaning=_classifier(12)),
        ModelSpec("keras_mobilenet_v2", "keras", "zoo", _IMAGE_NHWC, f"{_KERAS}:mobilenet_v2",
                  description="keras.applications.MobileNetV2(weights=None), NHWC",
                  normalization=f"NHWC, {_SETTLED}", output_meaning=_classifier(1000)),
        ModelSpec("keras_resnet50", "keras", "zoo", _IMAGE_NHWC, f"{_KERAS}:resnet50",
                  description="keras.applications.ResNet50(weights=None), NHWC",
                  normalization=f"NHWC, {_SETTLED}", output_meaning=_classifier(1000)),
    )
}


def zoo_model(name: str) -> ModelSpec:
    check_known("model", name, sorted(ZOO))
    return ZOO[name]
