"""ExecuTorch's runtime bindings, imported without its exporter.

`executorch.extension.pybindings.portable_lib` imports `executorch.exir._warnings`, and with it the
package `executorch.exir`, whose `__init__` loads the whole exporter (torch._dynamo, inductor, torchao):
about 9 of the 12 seconds a shell took to start. Here `executorch.exir` is registered as a lazy package
first: its submodules import as usual, and its `__init__` runs the moment anything reads a name from
the package itself, so code that needs the exporter still gets all of it. `executorch.exir._serialize`
is deferred the same way: its `__init__` loads the program serializer (sympy, torch._decomp), while the
shell needs only the flatbuffer reader generated below it (`program.py`).
"""

from __future__ import annotations

import importlib.util
import sys
import types

_DEFERRED = ("executorch.exir", "executorch.exir._serialize")  # parents first


class _LazyPackage(types.ModuleType):
    def __getattr__(self, name: str):
        spec = self.__spec__
        assert spec is not None and spec.loader is not None
        self.__class__ = types.ModuleType  # type: ignore[assignment]  # an ordinary module from now on
        spec.loader.exec_module(self)
        return getattr(self, name)


def _defer(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    package = importlib.util.module_from_spec(spec)
    package.__class__ = _LazyPackage
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, package)


def defer_exporter() -> None:
    """Register the exporter's packages as lazy ones, before anything of ExecuTorch imports them."""
    for name in _DEFERRED:
        _defer(name)


def portable_lib():
    """The `portable_lib` bindings module (it imports torch, whose libraries the extension links against)."""
    defer_exporter()
    from executorch.extension.pybindings import portable_lib as bindings

    return bindings
