"""Free-form names that become folder names (run ids, matrix names, device aliases, model names).

They must match SAFE_NAME: a letter or digit first, then letters, digits, '_', '.' or '-', at most 128
characters. So no '/', no '..' path step, no whitespace and no shell metacharacter reaches a path or a
phone's command line.
"""

from __future__ import annotations

import re

from harness.errors import ConfigError

SAFE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
_SAFE = re.compile(SAFE_NAME)
SAFE_NAME_RULE = "a letter or digit, then up to 127 letters, digits, '_', '.' or '-'"


def is_safe_name(value: str) -> bool:
    return bool(_SAFE.fullmatch(value))


def check_safe_name(kind: str, value: str) -> str:
    if not is_safe_name(value):
        raise ConfigError(f"{kind} {value!r} is not a safe name: expected {SAFE_NAME_RULE}")
    return value
