"""Conversion failures name the operator at fault."""

from __future__ import annotations

from harness.convert.failures import describe_failure, non_core_aten_operators, operators_named
from tests.conftest import require


def test_operators_are_found_in_converter_messages():
    executorch = ("SpecViolationError: \nOperator torch._ops.aten.linalg_inv_ex.default is not in Core ATen opset "
                  "(https://...).\n1. You can proceed")
    assert operators_named(executorch) == ["aten.linalg_inv_ex.default"]
    tensorflow = "error: 'tf.RFFT' op is neither a custom op nor a flex op"
    assert operators_named(tensorflow) == ["tf.RFFT"]


def test_the_message_is_one_line_and_falls_back_to_suspects():
    message = describe_failure(AssertionError("Number of input tokens (1)\ndoes not match"), ["aten.linalg_inv_ex"])
    assert message == "unsupported operator aten.linalg_inv_ex: AssertionError: Number of input tokens (1)"
    assert describe_failure(ValueError("plain")) == "ValueError: plain"


def test_operators_outside_core_aten_are_listed():
    torch = require("torch")
    from tests.fixtures.tiny_models import unsupported_operator

    assert non_core_aten_operators(unsupported_operator(), (torch.randn(1, 4, 4),)) == ["aten.linalg_inv_ex"]
