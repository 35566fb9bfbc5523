"""Lines of /proc files, parsed in one place: the host reads its own files, phones send the same text."""

from __future__ import annotations

import re


def kib_values(text: str | None, field: str) -> list[int]:
    """Every ``field:  N kB`` line (status, smaps_rollup, meminfo), in bytes, in the order they appear."""
    return [int(value) * 1024 for value in re.findall(rf"^{field}:\s+(\d+) kB", text or "", re.MULTILINE)]


def cpuinfo_values(text: str | None, key: str) -> list[str]:
    """Every ``key : value`` line of /proc/cpuinfo."""
    return [value.strip() for value in re.findall(rf"^{re.escape(key)}\s*:\s*(.*)$", text or "", re.MULTILINE)]
