"""ExecuTorch's runtime bindings, imported without its exporter.

`executorch.extension.pybindings.portable_lib` imports `executorch.exir._warnings`, and with it the
package `executorch.exir`, whose `__init__` loads the whole exporter (torch._dynamo, inductor, torchao):
about 9 of the 12 seconds a shell took to start. Here `executorch.exir` is registered as a lazy package
first: its submodules import as usual, and its `__init__` runs the moment anything reads a name from
the package itself, so code that needs the exporter still gets all of it.
"""

from __future__ import annotations

import importlib.util
import sys
import types

_EXPORTER = "executorch.exir"


class _LazyPackage(types.ModuleType):
    def __getattr__(self, name: str):
        spec = self.__spec__
        assert spec is not None and spec.loader is not None
        self.__class__ = types.ModuleType  # type: ignore[assignment]  # an ordinary module from now on
        spec.loader.exec_module(self)
        return getattr(self, name)


def _defer_exporter() -> None:
    if _EXPORTER in sys.modules:
        return
    spec = importlib.util.find_spec(_EXPORTER)
    if spec is None or spec.loader is None:
        return
    package = importlib.util.module_from_spec(spec)
    package.__class__ = _LazyPackage
    sys.modules[_EXPORTER] = package
    sys.modules["executorch"].exir = package  # type: ignore[attr-defined]


def portable_lib():
    """The `portable_lib` bindings module (it imports torch, whose libraries the extension links against)."""
    _defer_exporter()
    from executorch.extension.pybindings import portable_lib as bindings

    return bindings
