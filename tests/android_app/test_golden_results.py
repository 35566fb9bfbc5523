"""The results the app's JVM tests must write (android-app/app/src/test/resources/golden/, compared there by
GoldenResultsTest.kt) are valid protocol v2 results: the harness reads each one through its own check."""

from __future__ import annotations

import json

import pytest

from harness.errors import ProtocolError
from harness.protocol import Result
from tests.conftest import REPO

GOLDEN = sorted((REPO / "android-app/app/src/test/resources/golden").glob("*.json"))


def test_there_are_golden_results():
    assert len(GOLDEN) >= 3


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_each_golden_result_is_a_valid_v2_result(path):
    result = Result.from_json(json.loads(path.read_text()))
    assert result.delegate_applied is None or "+" not in result.delegate_applied


def test_a_joined_backend_list_is_what_the_schema_refuses():
    """Item 5 of issue 12: the app once wrote "xnnpack+vulkan"; the check the golden files pass refuses it."""
    message = json.loads((REPO / "android-app/app/src/test/resources/golden/executorch_two_backends.json").read_text())
    with pytest.raises(ProtocolError):
        Result.from_json({**message, "delegate_applied": "xnnpack+vulkan"})
