"""The zoo's settled weights, built once per cache and loaded by every later conversion of the same model.

Settling a zoo model (torch_zoo.py, keras_zoo.py) runs a seeded batch through it twice: seconds for
MobileNetV2, and the same weights every time for one framework version and one zoo source. The conversion
steps get a folder through ``WEIGHTS_FOLDER_VARIABLE``; the first one to build a model saves its weights
there, and the others load them. Without the variable (a zoo model built anywhere else) nothing is kept.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

WEIGHTS_FOLDER_VARIABLE = "HARNESS_ZOO_WEIGHTS"
Model = TypeVar("Model")


def settled_weights(name: str, source: str, framework_version: str, suffix: str) -> Path | None:
    """Where the settled weights of zoo model ``name`` are kept, or None when no folder was given."""
    folder = os.environ.get(WEIGHTS_FOLDER_VARIABLE)
    if not folder:
        return None
    digest = hashlib.sha256(Path(source).read_bytes() + framework_version.encode()).hexdigest()[:16]
    return Path(folder) / f"{name}-{digest}{suffix}"


def build_settled(path: Path | None, build: Callable[[], Model], load: Callable[[Model, Path], None],
                  settle: Callable[[Model], None], save: Callable[[Model, str], None]) -> Model:
    """``build()`` with the weights at ``path`` loaded, or settled and then saved there (written whole or not at all;
    two conversions settling the same model at once both write the same bytes)."""
    model = build()
    if path is not None and path.is_file():
        load(model, path)
        return model
    settle(model)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{os.getpid()}-{path.name}")  # the same ending: Keras insists on .weights.h5
        try:
            save(model, str(temporary))
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return model
