"""A generic registry of lazily imported plugins.

Entries are ``"module:attribute"`` strings, so registering a converter or runtime
imports nothing: torch, ExecuTorch, LiteRT and TensorFlow load only in the process
that uses them.
"""

from __future__ import annotations

import difflib
import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from harness.errors import ConfigError, UnknownNameError

T = TypeVar("T")


def suggest(name: str, known: list[str]) -> list[str]:
    return difflib.get_close_matches(name, known, n=2, cutoff=0.6)


def check_known(kind: str, name: str, known: list[str]) -> None:
    if name not in known:
        raise UnknownNameError(kind, name, suggest(name, known), sorted(known))


def load_target(target: str, kind: Any = object) -> Any:
    """Import a "module:attribute" target and check that it is a ``kind``."""
    module_name, attribute = target.split(":", 1)
    loaded = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(loaded, kind):
        raise TypeError(f"{target} is a {type(loaded).__name__}, not a {getattr(kind, '__name__', kind)}")
    return loaded


@dataclass
class Registry(Generic[T]):
    kind: str
    base: Any = object  # what every entry must be an instance of
    _targets: dict[str, str] = field(default_factory=dict)
    _loaded: dict[str, T] = field(default_factory=dict)

    def register(self, name: str, target: str) -> None:
        if name in self._targets:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        if ":" not in target:
            raise ValueError(f"{self.kind} target {target!r} must look like 'module:attribute'")
        self._targets[name] = target

    def register_from_environment(self, variable: str) -> None:
        """Entries outside the harness's source: "name=module:attribute,..." in an environment variable,
        which the harness's child processes inherit along with the rest of the environment."""
        for item in filter(None, (part.strip() for part in os.environ.get(variable, "").split(","))):
            name, _, target = item.partition("=")
            if self._targets.get(name) == target:
                continue
            try:
                self.register(name, target)
            except ValueError as error:
                raise ConfigError(f"{variable}: {error}") from None

    def names(self) -> list[str]:
        return sorted(self._targets)

    def registered(self) -> list[str]:
        """The names in the order they were registered."""
        return list(self._targets)

    def __contains__(self, name: str) -> bool:
        return name in self._targets

    def require(self, name: str) -> None:
        check_known(self.kind, name, self.names())

    def get(self, name: str) -> T:
        self.require(name)
        if name not in self._loaded:
            self._loaded[name] = load_target(self._targets[name], self.base)
        return self._loaded[name]
