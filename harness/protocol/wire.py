"""Messages as plain JSON, checked against the committed schema: no pydantic.

The host shell reads its request through this module, so that the process it measures holds no
more than the runtime and what the shell needs; the typed models (`messages.py`) check every message
here first. The schema's runtime and format names are taken from the registry, so a runtime
registered outside the harness is known too.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from harness.errors import ProtocolError

PROTOCOL_VERSION = 2
SCHEMA_FILE = f"schema/v{PROTOCOL_VERSION}.json"


@cache
def committed_schema() -> dict:
    return json.loads(resources.files("harness.protocol").joinpath(SCHEMA_FILE).read_text())


@cache
def _validator(definition: str) -> jsonschema.Draft202012Validator:
    from harness.runtimes import RUNTIMES, all_runtimes

    root = copy.deepcopy(committed_schema())
    root["$defs"]["Request"]["properties"]["runtime"]["enum"] = RUNTIMES.names()
    root["$defs"]["ModelFile"]["properties"]["format"]["enum"] = [r.format for r in all_runtimes()]
    return jsonschema.Draft202012Validator({**root["$defs"][definition], "$defs": root["$defs"]})


def check(message: Any, kind: str) -> dict:
    """``message`` if it is a valid ``kind`` ("request" or "result"), else a ProtocolError saying where it is not."""
    if not isinstance(message, dict) or message.get("kind") != kind:
        raise ProtocolError(f"expected a {kind} message")
    if message.get("protocol_version") != PROTOCOL_VERSION:
        raise ProtocolError(f"unsupported protocol_version {message.get('protocol_version')!r}; "
                            f"this harness speaks version {PROTOCOL_VERSION}")
    error = jsonschema.exceptions.best_match(_validator(kind.capitalize()).iter_errors(message))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ProtocolError(f"invalid {kind} at {where}: {error.message}")
    return message


def read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ProtocolError(f"cannot read {path}: {error}") from None
