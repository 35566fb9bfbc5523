"""Conversion failures in one line that names the operator at fault, where one can be found.

Converters bury the operator in long messages (ExecuTorch's edge verifier, TensorFlow's MLIR
diagnostics) or drop it altogether (litert-torch's lowering asserts). The message is searched
first; for torch models the exported graph is then checked for operators outside core ATen,
the opset every torch converter here lowers from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PATTERNS = (
    re.compile(r"\b(aten(?:\.|::)[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)"),
    re.compile(r"'((?:tf|tfl)\.[A-Za-z0-9_]+)' op"),
    re.compile(r"[Oo]perator (?:type )?['`]?([A-Z][A-Z0-9_]{2,})['`]? (?:is )?not supported"),
)
MESSAGE_LIMIT = 400


def operators_named(text: str) -> list[str]:
    found: list[str] = []
    for pattern in _PATTERNS:
        for name in pattern.findall(text):
            name = name.replace("::", ".")
            if name not in found:
                found.append(name)
    return found


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def describe_failure(error: BaseException, suspects: Sequence[str] = ()) -> str:
    operators = operators_named(str(error)) or list(suspects)
    summary = _first_line(error)
    if operators:
        summary = f"unsupported operator {', '.join(operators[:5])}: {summary}"
    return summary[:MESSAGE_LIMIT]


def non_core_aten_operators(model, inputs) -> list[str]:
    """Operators left after torch.export's core-ATen decompositions that are not core ATen themselves."""
    import torch

    try:
        with torch.no_grad():
            program = torch.export.export(model, inputs).run_decompositions()
    except Exception:
        return []  # export itself failed: the converter's own message is all there is
    names = []
    for node in program.graph.nodes:
        target = node.target
        if node.op == "call_function" and isinstance(target, torch._ops.OpOverload):
            if torch.Tag.core not in target.tags and not target.namespace.startswith(("quantized_decomposed", "torchao")):
                name = f"{target.namespace}.{target._schema.name.split('::')[-1]}"
                if name not in names:
                    names.append(name)
    return names
