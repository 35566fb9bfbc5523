"""Golden texts of Android's reports (tests/devices/android/reports/), each opening with "## " lines that name its
source; the reader sees only what the phone would print."""

from __future__ import annotations

from pathlib import Path

REPORTS = Path(__file__).parent / "reports"


def golden(name: str) -> str:
    lines = (REPORTS / name).read_text().splitlines(keepends=True)
    assert lines and lines[0].startswith("## "), f"{name} must open with a line naming its source"
    return "".join(line for line in lines if not line.startswith("## "))


def goldens(report: str) -> list[str]:
    return sorted(f"{report}/{path.name}" for path in (REPORTS / report).glob("*.txt"))
