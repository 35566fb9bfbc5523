"""Import a user's 'module:callable' factory. Framework-free, so the Keras worker never imports torch."""

from __future__ import annotations

import importlib

from harness.errors import ModelError


def import_factory(target: str | None):
    if not target:
        raise ModelError("the model has no factory to import")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ModelError(f"cannot import {module_name!r} for factory {target!r}: {error}") from error
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ModelError(f"{module_name!r} has no {attribute!r} (factory {target!r})") from None
